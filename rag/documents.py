"""The records that cross the ingest -> index -> rag boundary."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

HEADING_SEP = " › "


@dataclass(frozen=True)
class DocumentInfo:
    """One manifest entry: what a document is and how current it is."""

    id: str
    title: str
    short_title: str
    publisher: str
    edition: str
    edition_date: str
    status: str  # current | superseded | not-held
    kind: str  # policy | guidance
    source: str = ""
    licence: str = ""
    attribution: str = ""
    review_due: str = ""
    audiences: tuple[str, ...] = ()
    file: str = ""
    structure: str = ""  # outline | paragraphs ("" = decided by the file type)
    note: str = ""
    aliases: tuple[str, ...] = ()  # the names people use for it ("KCSIE"), for questions that name it
    # Currency by date (rag/currency.py): YYYY-MM-DD, the id of the edition it replaces, and MM-DD for
    # guidance re-issued every year on that day.
    in_force_from: str = ""
    in_force_until: str = ""
    replaces: str = ""
    reissued_each: str = ""

    @property
    def held(self) -> bool:
        return self.status != "not-held"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["audiences"] = list(self.audiences)
        d["aliases"] = list(self.aliases)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "DocumentInfo":
        d = dict(d)
        d["audiences"] = tuple(d.get("audiences", ()))
        d["aliases"] = tuple(d.get("aliases", ()))
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Clause:
    """One clause/paragraph (or one part of a long one) as the document numbers it."""

    doc_id: str
    clause: str  # "6.2.4", "172", or the heading of an unnumbered section
    text: str  # the document's own words, bullets kept
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    page_end: int | None = None
    part: int = 0  # 0 for the whole clause or its first part
    seq: int = 0  # order within the document
    numbered: bool = True

    @property
    def key(self) -> str:
        return f"{self.doc_id}#{self.clause}"

    @property
    def heading(self) -> str:
        return HEADING_SEP.join(self.heading_path)

    def embedding_text(self) -> str:
        """What is embedded: the heading path as a contextual header, then the clause."""
        label = self.clause if self.numbered else ""
        header = self.heading
        return f"{header}\n{label} {self.text}".strip() if header else f"{label} {self.text}".strip()

    def to_metadata(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "clause": self.clause,
            "heading": self.heading,
            "page": self.page if self.page is not None else -1,
            "page_end": self.page_end if self.page_end is not None else -1,
            "part": self.part,
            "seq": self.seq,
            "numbered": self.numbered,
        }

    @classmethod
    def from_metadata(cls, text: str, m: dict[str, Any]) -> "Clause":
        heading = m.get("heading") or ""
        page = m.get("page", -1)
        page_end = m.get("page_end", -1)
        return cls(
            doc_id=m["doc_id"],
            clause=m["clause"],
            text=text,
            heading_path=tuple(heading.split(HEADING_SEP)) if heading else (),
            page=None if page is None or page < 0 else int(page),
            page_end=None if page_end is None or page_end < 0 else int(page_end),
            part=int(m.get("part", 0)),
            seq=int(m.get("seq", 0)),
            numbered=bool(m.get("numbered", True)),
        )


@dataclass(frozen=True)
class ExampleQuestion:
    """An FAQ-style question written for a clause, indexed as an extra vector pointing to it."""

    doc_id: str
    clause: str
    question: str
    # example (points to its clause) | not_covered (a topic the documents do not answer)
    # | concern (a situation that needs the safeguarding route) | personal_data (a request for
    # information about identifiable people) | privacy_counter (a rule question in the same words);
    # for these three, `clause` holds the example's category
    kind: str = "example"

    @property
    def key(self) -> str:
        return f"{self.doc_id}#{self.clause}"


@dataclass
class IngestSummary:
    documents: int = 0
    clauses: int = 0
    questions: int = 0
    embedded: int = 0
    skipped: int = 0
    removed: int = 0
    seconds: float = 0.0
    changed_documents: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    build: str = ""
    noop: bool = False
    tuned_on: int = 0  # example questions the embedding model was tuned on (0: the packaged model)
