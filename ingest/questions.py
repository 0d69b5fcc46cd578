"""corpus/questions/*.toml: example questions per clause, checked against the parsed clauses.

A clause may carry `text_sha` and `opening` (see `policy-assistant questions --stamp`): the first 12 hex
digits of the SHA-256 of the clause text the questions were written for, and its first words. When a new
edition or a revised policy renumbers its clauses, each group of questions is re-anchored at ingest: first
to the clause with the same text (the hash), then to the clause that opens with the most similar words
(difflib's ratio at least REANCHOR_RATIO). A group it cannot place is set aside, never attached to a wrong
clause: `policy-assistant questions --review` lists them with their old opening and the nearest clauses,
and the tuned model trains only on anchored questions.
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


OPENING_WORDS = 24
# Two openings at least this similar (difflib.SequenceMatcher.ratio over their words) are the same clause
# under another number, lightly edited; under the same number a lower bar will do (new names in the DSL
# list change 4 of its first 24 words). Below both, the questions are set aside.
REANCHOR_RATIO = 0.8
SAME_NUMBER_RATIO = 0.6


def clause_opening(texts: list[str]) -> str:
    """The first words of a clause, as stamped beside its questions: what a re-anchor matches on."""
    import re

    return " ".join(re.findall(r"[a-z0-9]+", " ".join(texts).lower())[:OPENING_WORDS])


def _similarity(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


@dataclass(frozen=True)
class SetAside:
    """Example questions whose clause could not be found in the document as ingested now."""
    file: str
    doc_id: str
    clause: str  # the number they were written for
    opening: str  # that clause's first words then
    questions: tuple[str, ...]
    candidates: tuple[tuple[str, str, float], ...]  # (clause, its opening now, similarity), best first


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
    moved: int = 0  # question groups re-anchored to another clause number
    set_aside: list[SetAside] = field(default_factory=list)

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


def load_questions(corpus_dir: Path, clauses_by_doc: dict[str, list[Clause]],
                   successors: dict[str, str] | None = None) -> QuestionSet:
    """`successors`: old edition id -> the held edition that replaces it (the manifest's `replaces`): the
    questions written for the old edition are re-anchored in the new one."""
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
        if doc_id not in clauses_by_doc and (successors or {}).get(doc_id) in clauses_by_doc:
            doc_id = successors[doc_id]  # written for the edition this one replaces
        if doc_id not in clauses_by_doc:
            result.warnings.append(f"{path}: doc_id '{doc_id}' is not an ingested document; file skipped")
            continue
        openings = {key: clause_opening(t) for key, t in texts.items() if key[0] == doc_id}
        shas = {key: clause_text_sha(t) for key, t in texts.items() if key[0] == doc_id}
        by_sha = {sha: key[1] for key, sha in shas.items()}
        changed: list[str] = []
        for entry in data.get("clause", []):
            clause = str(entry.get("clause", "")).strip()
            anchored = _anchor((doc_id, clause), entry.get("text_sha"), entry.get("opening"), openings, shas, by_sha)
            if anchored is None:
                if not entry.get("text_sha") and not entry.get("opening"):
                    result.warnings.append(f"{path}: clause '{clause}' does not exist in {doc_id}; its questions are skipped")
                ranked = sorted(((_similarity(entry.get("opening") or "", o), k[1], o) for k, o in openings.items()),
                                reverse=True)[:3]
                result.set_aside.append(SetAside(path.name, doc_id, clause, entry.get("opening") or "",
                                                 tuple(entry.get("questions", [])),
                                                 tuple((c, o, round(r, 2)) for r, c, o in ranked)))
                continue
            if anchored != clause:
                result.moved += 1
            stamped = entry.get("text_sha")
            if stamped and stamped != shas[(doc_id, anchored)]:
                changed.append(f"{clause} (now {anchored})" if anchored != clause else clause)
            for q in entry.get("questions", []):
                q = " ".join(str(q).split())
                if q and (doc_id, anchored, q.lower()) not in seen:
                    seen.add((doc_id, anchored, q.lower()))
                    result.questions.append(ExampleQuestion(doc_id, anchored, q))
        if changed:  # one line per file: a new edition changes hundreds of paragraphs a little
            what = (f"the text of {doc_id} {changed[0]} has changed" if len(changed) == 1 else
                    f"the text of {len(changed)} clauses of {doc_id} ({', '.join(changed[:3])}, ...) has changed")
            result.warnings.append(f"{path}: {what} since its questions were written; review them, then run "
                                   "`policy-assistant questions --stamp`")
    if result.set_aside or result.moved:
        n = sum(len(a.questions) for a in result.set_aside)
        result.warnings.append(
            f"example questions re-anchored: {result.moved} clause groups followed their text to a new number; "
            f"{len(result.set_aside)} groups ({n} questions) could not be placed and are set aside: "
            "run `policy-assistant questions --review`")
    return result


def _anchor(key: tuple[str, str], sha: str | None, opening: str | None, openings: dict, shas: dict,
            by_sha: dict) -> str | None:
    """The clause number these questions belong to now, or None when they cannot be placed."""
    if key in shas and (not sha or sha == shas[key]):
        return key[1]  # the same number, and the same text (or never stamped)
    if sha and sha in by_sha:
        return by_sha[sha]  # the same text under another number
    if opening:
        here = _similarity(opening, openings[key]) if key in openings else 0.0
        best = max(((_similarity(opening, o), k[1]) for k, o in openings.items() if k != key), default=(0.0, ""))
        if best[0] >= REANCHOR_RATIO and best[0] > here:
            return best[1]  # the text, lightly edited, under another number
        return key[1] if here >= SAME_NUMBER_RATIO else None  # the same number, edited; or nowhere
    # Stamped before openings were recorded: keep the number if it still exists (ingest warns to review).
    return key[1] if key in shas else None


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
            if re.match(r"\s*(text_sha|opening)\s*=", line):
                continue  # replaced below, after its clause line
            out.append(line)
            m = re.match(r'\s*clause\s*=\s*"(.*)"\s*$', line)
            if m and (doc_id, m.group(1)) in texts:
                out.append(f'text_sha = "{clause_text_sha(texts[(doc_id, m.group(1))])}"')
                out.append(f'opening = "{clause_opening(texts[(doc_id, m.group(1))])}"')
                stamped += 1
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        tomllib.loads(path.read_text(encoding="utf-8"))  # still valid
    return stamped
