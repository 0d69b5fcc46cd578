"""Answer and Citation types, and the extractive composer (offline, the default backend).

The extractive composer writes only the documents' own words: the first line is the most
relevant sentence of the best clause, then each supporting clause quoted exactly with
[document § clause, p. N], then a one-line currency note per document cited.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from rag.currency import currency_note
from rag.documents import DocumentInfo
from rag.question_type import QuestionType, gives, question_type
from rag.text import units

if TYPE_CHECKING:  # Answer and Citation import no retrieval code; only the type of a search hit
    from rag.guard import GuardReport
    from rag.retrieve import Hit

MAX_QUOTE_CHARS = 700
# Supporting clauses (after the first) are quoted around their relevant part only: the answer
# stays short enough to read between lessons.
SUPPORT_QUOTE_CHARS = 350
SECOND_LEAD_CHARS = 300
MAX_TYPED_LEAD_CHARS = 400


@dataclass
class Citation:
    doc_id: str
    doc_title: str
    clause: str
    page: int | None
    quote: str  # an exact span of the document's text
    score: float
    heading: str = ""
    edition: str = ""
    note: str = ""  # currency: superseded edition, overdue review
    source: str = ""
    doc_kind: str = ""  # policy | guidance

    def label(self) -> str:
        page = f", p. {self.page}" if self.page else ""
        return f"[{self.doc_title} § {self.clause}{page}]"

    def short_label(self) -> str:
        """"Policy § 6.2.4", "KCSIE 2025 ¶ 172": how the app lists a source."""
        if self.doc_kind == "policy":
            return f"Policy § {self.clause}"
        return f"{self.doc_title} ¶ {self.clause}" if self.clause[:1].isdigit() else f"{self.doc_title}: {self.clause}"


@dataclass
class RouteStep:
    """One of the policy's safeguarding routes in an escalation answer, for a compact banner."""

    role: str  # dsl | police | lado | staff_illegal_content | online_concerns
    text: str  # the policy's words
    citation: Citation
    names: list[str] = field(default_factory=list)  # dsl: the DSL team as Key Details lists them


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    escalation: bool = False
    backend: str = "extractive"
    latency_ms: float = 0.0
    kind: str = "answer"  # answer | lookup | not_covered | escalation | injection | personal_data | empty | no_such_clause
    routes: str = ""  # escalation: the safeguarding routes, shown first
    escalation_level: str = ""  # urgent (act now) | concern (may be a safeguarding matter)
    route_steps: list[RouteStep] = field(default_factory=list)  # the same routes, structured for the app
    written_by: str = ""  # the model that wrote `written` (plain text, never markdown), when one did
    written: str = ""
    guard: "GuardReport | None" = None  # what the grounding guard kept and dropped, when a model was asked

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "citations": [
                {k: v for k, v in asdict(c).items() if k in ("doc_id", "doc_title", "clause", "page", "quote", "score")}
                for c in self.citations
            ],
            "refused": self.refused,
            "escalation": self.escalation,
            **({"escalation_level": self.escalation_level} if self.escalation else {}),
            "kind": self.kind,
            "backend": self.backend,
            "latency_ms": round(self.latency_ms, 1),
            **({"written_by": self.written_by} if self.written_by else {}),
            **({"guard": self.guard.to_json()} if self.guard is not None else {}),
        }


# ------------------------------------------------------------------ sentence choice

_WORD = re.compile(r"[a-z0-9]+")
_STOP = set("""a an the and or of to in on at for with by from is are was were be been being it its this that these those
i me my we our you your he him his she her they them their can could may might will would should shall do does did
what whats when where which who whom why how if about as into than then so not no yes ok okay am any all some get got
has have had just only also please there here im ive""".split())


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: the Snowball stemmer BM25 search uses too

    return Stemmer.Stemmer("english")


STOP_WORDS = frozenset(_STOP)


def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def content_terms(text: str) -> set[str]:
    """The words that carry meaning (stop words dropped, light stemming), for matching sentences."""
    return set(_stemmer().stemWords([w for w in _WORD.findall(text.lower()) if w not in _STOP]))


# A question's words: a plain set, or weighted by TermWeights.
Terms = set[str] | dict[str, float]


class TermWeights:
    """How much each word says about a passage: rare words in the documents (record, consent)
    outweigh common ones (children, staff, school) when choosing the sentence that answers."""

    def __init__(self, texts: list[str]):
        df: dict[str, int] = {}
        for t in texts:
            for w in content_terms(t):
                df[w] = df.get(w, 0) + 1
        self.n = max(len(texts), 1)
        self.idf = {w: math.log(1 + self.n / d) for w, d in df.items()}

    def for_question(self, question: str, expanded: str) -> dict[str, float]:
        """The question's own words at full weight; the glossary's words for them at half."""
        own = content_terms(question)
        unseen = math.log(1 + self.n)
        return {w: self.idf.get(w, unseen) * (1.0 if w in own else 0.5) for w in own | content_terms(expanded)}


def _match(text: str, query_terms: Terms) -> float:
    found = content_terms(text) & set(query_terms)
    return sum(query_terms[w] for w in found) if isinstance(query_terms, dict) else float(len(found))


def _lines(text: str) -> list[str]:
    """The clause's lines, with a first bullet that shares the lead-in's line (as PDFs extract: "... for a
    child who: - is disabled") put on a line of its own."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    shared = re.match(r"(.*?:)\s+-\s+(.*)$", lines[0]) if lines and not lines[0].startswith("- ") else None
    return [shared.group(1), "- " + shared.group(2)] + lines[1:] if shared else lines


def best_span(text: str, query_terms: Terms) -> str:
    """The clause's most relevant sentence; a bullet comes with the lead-in it completes."""
    lines = _lines(text)
    lead = lines[0] if lines else text
    has_lead_in = lead.endswith(":") and len(lines) > 1
    # With a lead-in ("Staff will only use school provided equipment:"), the answer is a bullet, or
    # one of the sentences before the lead-in.
    us = units(lead)[:-1] + units("\n".join(lines[1:])) if has_lead_in else units(text)
    if not us:
        return text
    scored = [(_match(u, query_terms), -i, u) for i, u in enumerate(us)]
    best = max(scored)
    return with_lead_in(text, best[2] if best[0] > 0 else us[0])


def with_lead_in(text: str, sentence: str) -> str:
    """A bullet with the lead-in it completes ("Staff will be advised to: keep mobile phones ...")."""
    lines = _lines(text)
    lead = lines[0] if lines else text
    is_bullet = any(ln.startswith("- ") and sentence in ln for ln in lines)
    if is_bullet and lead.endswith(":") and not lead.startswith("- "):
        intro = units(lead)[-1] if units(lead) else lead
        return f"{intro} {sentence}"  # the bullet exactly as written (it may start with a name)
    return sentence


def quote_for(hit: Hit, query_terms: Terms, limit: int = MAX_QUOTE_CHARS) -> str:
    """An exact span of the clause: all of it when short, else the sentences around the best one."""
    text = hit.text
    if len(text) <= limit:
        return text
    us = units(text)
    scores = [_match(u, query_terms) for u in us]
    i = max(range(len(us)), key=lambda j: (scores[j], -j)) if us else 0
    picked = [us[i]]
    j, k = i - 1, i + 1
    while True:
        grew = False
        if k < len(us) and len(" ".join(picked + [us[k]])) <= limit:
            picked.append(us[k]); k += 1; grew = True
        if j >= 0 and len(" ".join([us[j]] + picked)) <= limit:
            picked.insert(0, us[j]); j -= 1; grew = True
        if not grew:
            break
    # Keep it an exact span: the text between the first and last picked unit.
    start = text.find(picked[0])
    end = text.find(picked[-1], start) + len(picked[-1])
    if start >= 2 and text[start - 2 : start] == "- ":
        start -= 2  # keep a bullet's marker, so the quote renders as the document lays it out
    return text[start:end] if start >= 0 and end > start else picked[0]


# ------------------------------------------------------------------ composing


def make_citation(hit: Hit, doc: DocumentInfo, query_terms: Terms, score: float | None = None,
                  limit: int | None = None, note: str | None = None) -> Citation:
    return Citation(
        doc_id=hit.doc_id,
        doc_title=doc.short_title,
        clause=hit.clause,
        page=hit.parts[0].page,
        # Short clauses are quoted whole; a long one (6.3.4 has eight bullets) around the relevant part.
        quote=quote_for(hit, query_terms, limit or (600 if doc.kind == "policy" else MAX_QUOTE_CHARS)),
        score=round(float(hit.score if score is None else score), 3),
        heading=hit.parts[0].heading,
        edition=doc.edition,
        note=currency_note(doc) if note is None else note,
        source=doc.source,
        doc_kind=doc.kind,
    )


def _blockquote(text: str) -> str:
    return "\n".join("> " + ln for ln in text.split("\n"))


def _typed_span(text: str, query_terms: Terms, qtype: QuestionType) -> tuple[float, str] | None:
    """The clause's sentence that gives this type of answer (a time, a person) and shares most words
    with the question; None if no sentence on the question's subject gives one."""
    # A unit longer than a lead line can carry (a flow chart's text runs on without full stops) never leads.
    scored = [(_match(u, query_terms), u) for u in units(text) if gives(qtype, u) and len(u) <= MAX_TYPED_LEAD_CHARS]
    scored = [(m, u) for m, u in scored if m > 0]
    if not scored:
        return None
    m, u = max(scored, key=lambda x: x[0])
    return m, with_lead_in(text, u)


def leads_for(cites: list[Citation], texts: list[str], query_terms: Terms,
              question: str = "") -> list[tuple[str, Citation]]:
    """The direct answer: the best clause's best sentence, plus, for a question in two parts
    ("phone poolside to take pics"), the sentence of another cited clause that answers the rest.
    For a when / how long / how many / who question, the lead is a sentence that gives that kind of
    answer, from the best clause that has one; if none does, the best sentence stays and
    `missing_fact` says so."""
    first = best_span(texts[0], query_terms)
    qtype = question_type(question)
    out = [(first, cites[0])]
    if qtype and not gives(qtype, first):
        typed = [(i, t) for i, text in enumerate(texts) if (t := _typed_span(text, query_terms, qtype))]
        best_first = _match(first, query_terms)
        # Another clause's typed sentence leads only when it is about as much on the question's subject.
        usable = [(i, t) for i, t in typed if i == 0 or t[0] >= 0.6 * best_first]
        if usable:
            i, (_, span) = usable[0]
            out = [(span, cites[i])] + ([(first, cites[0])] if i else [])
    covered = set().union(*(content_terms(t) for t, _ in out)) & set(query_terms)
    for c, text in zip(cites[1:], texts[1:]):
        if len(out) >= 2:
            break
        span = best_span(text, query_terms)
        new = (content_terms(span) & set(query_terms)) - covered
        # A second line only when it is a sentence a reader takes in at a glance.
        if len(new) >= 2 and len(span) <= SECOND_LEAD_CHARS and all(span != t for t, _ in out):
            out.append((span, c))
            covered |= new
    return out


def missing_fact(question: str, leads: list[tuple[str, Citation]]) -> str:
    """"The policy doesn't say how long." when the question asks for a time, length, number or person
    and no lead line gives one: never let a sentence without it read as the answer."""
    qtype = question_type(question)
    if qtype is None or any(gives(qtype, text) for text, _ in leads):
        return ""
    # Said of the passages found, not of a whole document: a long guidance document may say it elsewhere.
    where = f"The passages I found in {leads[0][1].doc_title}" if leads else "The documents I hold"
    return f"_{where} don't say {qtype.phrase}. What they say:_\n\n"


def compose_extractive(cites: list[Citation], lead: str | list[tuple[str, Citation]]) -> str:
    """First line(s): the direct answer (document words). Then the supporting clauses, quoted."""
    leads = [(lead, cites[0])] if isinstance(lead, str) else lead
    parts = [f"**{text}** {c.label()}" for text, c in leads] + [""]
    for c in cites:
        parts.append(_blockquote(c.quote))
        parts.append("")
        parts.append(f"— {c.label()}")  # outside the quote, so it never joins a quoted bullet
        parts.append("")
    notes: list[str] = []
    for c in cites:
        if c.note and c.note not in notes:
            notes.append(c.note)
    parts.extend(f"_{n}_" for n in notes)
    return "\n".join(parts).strip()
