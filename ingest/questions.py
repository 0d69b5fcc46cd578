"""corpus/questions/*.toml: example questions per clause, checked against the parsed clauses.

A clause may carry `text_sha` (see `policy-assistant questions --stamp`): the first 12 hex digits of
the SHA-256 of the clause text the questions were written for. When the clause's text changes, its
questions are flagged for review, because they may no longer be answered by it.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError
from rag.documents import Clause, ExampleQuestion


def clause_text_sha(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]


# Screening examples: situations and requests sorted by category (and by who is writing), so that
# benchmarks/escalation.py can hold out a whole category or voice and measure what carries over.
VOICES = ("parent", "staff", "pupil", "visitor")
# file kind -> index kind of its examples, and of its `answerable` look-alikes (rule questions in the
# same words, which the classifier learns as negatives)
SCREEN_KINDS = {"concern": "concern", "personal-data": "personal_data"}
COUNTER_KINDS = {"concern": "concern_counter", "personal_data": "privacy_counter"}


@dataclass(frozen=True)
class ScreenExample:
    text: str
    kind: str  # concern | personal_data | concern_counter | privacy_counter (a rule question in the same words)
    category: str = ""
    voice: str = ""


@dataclass
class QuestionSet:
    questions: list[ExampleQuestion] = field(default_factory=list)
    not_covered: list[str] = field(default_factory=list)  # negative examples: topics the corpus does not answer
    screen: list[ScreenExample] = field(default_factory=list)  # concerns, personal-data requests, counter-examples
    warnings: list[str] = field(default_factory=list)

    @property
    def concerns(self) -> list[str]:
        return [e.text for e in self.screen if e.kind == "concern"]

    def examples(self) -> list[ExampleQuestion]:
        """The not-covered and screening examples as index rows (a category rides in `clause`)."""
        return ([ExampleQuestion("", "", q, "not_covered") for q in self.not_covered]
                + [ExampleQuestion("", e.category, e.text, e.kind) for e in self.screen])


def _screen_examples(data: dict) -> list[ScreenExample]:
    kind = SCREEN_KINDS[data["kind"]]
    out = [ScreenExample(q, kind) for q in data.get("questions", [])]
    for cat in data.get("category", []):
        for voice in VOICES:
            out += [ScreenExample(q, kind, str(cat.get("id", "")), voice) for q in cat.get(voice, [])]
    out += [ScreenExample(q, COUNTER_KINDS[kind]) for q in data.get("answerable", [])]
    return out


def load_screen_examples(corpus_dir: Path) -> list[ScreenExample]:
    """Only the screening examples (concerns, personal-data requests, counter-examples), by category
    and voice: what benchmarks/escalation.py holds out a category or voice at a time from."""
    return load_questions(corpus_dir, {}).screen


def load_questions(corpus_dir: Path, clauses_by_doc: dict[str, list[Clause]]) -> QuestionSet:
    result = QuestionSet()
    folder = corpus_dir / "questions"
    if not folder.is_dir():
        return result
    texts: dict[tuple[str, str], list[str]] = {}
    for doc_id, clauses in clauses_by_doc.items():
        for c in clauses:
            texts.setdefault((doc_id, c.clause), []).append(c.text)
    seen: set[tuple[str, str, str]] = set()
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise IngestError(path, f"malformed questions file: {e}") from None
        if data.get("kind") == "not-covered":
            for q in data.get("questions", []):
                q = " ".join(str(q).split())
                if q and q not in result.not_covered:
                    result.not_covered.append(q)
            continue
        if data.get("kind") in SCREEN_KINDS:
            seen_text = {(e.kind, e.text) for e in result.screen}
            for e in _screen_examples(data):
                e = ScreenExample(" ".join(str(e.text).split()), e.kind, e.category, e.voice)
                if e.text and (e.kind, e.text) not in seen_text:  # one row per text and kind: ids are by text
                    seen_text.add((e.kind, e.text))
                    result.screen.append(e)
            continue
        doc_id = data.get("doc_id")
        if not clauses_by_doc:
            continue
        if doc_id not in clauses_by_doc:
            result.warnings.append(f"{path}: doc_id '{doc_id}' is not an ingested document; file skipped")
            continue
        for entry in data.get("clause", []):
            clause = str(entry.get("clause", "")).strip()
            if (doc_id, clause) not in texts:
                result.warnings.append(f"{path}: clause '{clause}' does not exist in {doc_id}; its questions are skipped")
                continue
            stamped = entry.get("text_sha")
            if stamped and stamped != clause_text_sha(texts[(doc_id, clause)]):
                result.warnings.append(
                    f"{path}: the text of {doc_id} {clause} has changed since its questions were written; review them, then run `policy-assistant questions --stamp`"
                )
            for q in entry.get("questions", []):
                q = " ".join(str(q).split())
                if q and (doc_id, clause, q.lower()) not in seen:
                    seen.add((doc_id, clause, q.lower()))
                    result.questions.append(ExampleQuestion(doc_id, clause, q))
    return result


def stamp_questions(corpus_dir: Path, clauses_by_doc: dict[str, list[Clause]]) -> int:
    """Record each clause's current text hash beside its questions (`text_sha = "..."`).

    Run after reviewing the questions of changed clauses. Edits the files line by line, so that
    comments and layout survive (the standard library reads TOML but does not write it).
    """
    import re

    texts: dict[tuple[str, str], list[str]] = {}
    for doc_id, clauses in clauses_by_doc.items():
        for c in clauses:
            texts.setdefault((doc_id, c.clause), []).append(c.text)
    stamped = 0
    for path in sorted((corpus_dir / "questions").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        doc_id = data.get("doc_id")
        if doc_id not in clauses_by_doc:
            continue
        out: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*text_sha\s*=", line):
                continue  # replaced below, after its clause line
            out.append(line)
            m = re.match(r'\s*clause\s*=\s*"(.*)"\s*$', line)
            if m and (doc_id, m.group(1)) in texts:
                out.append(f'text_sha = "{clause_text_sha(texts[(doc_id, m.group(1))])}"')
                stamped += 1
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        tomllib.loads(path.read_text(encoding="utf-8"))  # still valid
    return stamped
