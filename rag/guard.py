"""The grounding guard: a model-written answer is kept only sentence by sentence, where each sentence is
backed by the sources it cites.

A sentence is dropped when it
- cites no source, or cites a number that is not one of the sources it was given;
- holds a number, phone number, date, link or markup its cited sources don't hold;
- names a person, role or organisation its cited sources don't name, or gives a named person a role the
  sources give someone else ("the DSLs are ... and <the named governor>");
- reverses the cited clause's permission ("yes, you can" where it says "will not"), or answers yes/no
  against it;
- says mostly things the cited sources don't (fewer than MIN_SUPPORT of its content words, other than
  the question's own, are in them);
- answers a who/what/when question with the question's own words where the clause doesn't use them ("who
  is responsible ...?" -> "the Head Teacher is responsible ..." from a clause saying the Head is informed).

What it cannot check: a sentence built from the source's own words that relates them wrongly ("the LADO
informs the police" from a clause where the police are contacted and the LADO informed). README says so.

Sentence splitting is pySBD's (rule-based, maintained, handles "e.g.", "para. 137", "Mr."); stemming is
PyStemmer's Snowball, as for keyword search. The checks themselves are written here: no maintained library
checks a sentence against a quoted source offline (NLI models that do are not packaged).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from rag.answer import STOP_WORDS, stem

# At least this share of a sentence's own content words (not the question's) must be in its cited sources.
# A paraphrase keeps most of a clause's words; SmolLM2's inventions ("you can use your phone but must ask
# the teacher first") fall well below it. Chosen by reading the packaged model's answers (benchmarks/llm.py).
MIN_SUPPORT = 0.6

MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d(?:[\d ,.\-/:]*\d)?")
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())} | {
    "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000",
    "fortnight": "14", "twice": "2", "once": "1"}
_TIME_WORDS = set("""january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday tomorrow yesterday tonight weekend""".split())
_MARKUP = re.compile(r"!\[|\]\(|<\s*/?\s*[a-zA-Z][^>]*>|https?://\S+|www\.\S+|`")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z'’\-]*[A-Za-z]\b|\b[A-Z]\b")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# "only" restricts as "not" does: "staff will only use school provided equipment (not personal devices)".
_NEGATION = re.compile(r"\b(?:not|never|no|none|nor|only|cannot|prohibited|forbidden|banned|mustn|shouldn)\b|n['’]t\b", re.I)
_MODAL = re.compile(r"\b(?:can|could|may|might|must|should|shall|will|would|allowed|permitted|able|need|needs|"
                    r"have to|has to|required|ok|okay|fine)\b|n['’]t\b|\bcannot\b", re.I)
_LABEL = re.compile(r"[^§]*§\s*[^()]+\([^()]*\)\s*:?\s*")  # "Mobile ... Policy § 6.1.2 (September 2020):"
_PERMISSION = re.compile(r"\b(?:can|may|allowed|permitted|permission|able|ok|okay|fine|welcome)\b", re.I)
_META = re.compile(r"\b(?:does|do|did)\s*(?:not|n['’]t)\s+(?:say|give|state|mention|specify|cover)|\bno (?:mention|detail)", re.I)
_WH = re.compile(r"\s*(?:who|whom|whose|what|which|when|where|how)\b", re.I)
# The asker's people: "when does my son get his phone back" -> "your son's phone is released ..." is not a claim.
_PEOPLE = set("son daughter child children kid kids pupil pupils learner learners student students parent parents "
              "carer carers staff teacher teachers school".split())
_YES_NO = re.compile(r"^\s*(yes|no)\b[\s,:;.!\-–—]*", re.I)

# Roles and the words that name them in these documents. A role in a sentence must be in the cited source.
ROLES: dict[str, tuple[str, ...]] = {
    "designated safeguarding lead": ("designated safeguarding lead", "dsl"),
    "deputy": ("deputy",),
    "head teacher": ("head teacher", "headteacher", "head"),
    "governor": ("governor", "governing body", "board"),
    "lado": ("lado", "local authority designated officer", "designated officer"),
    "police": ("police",),
    "social care": ("social care", "social worker", "children's social care"),
    "ceop": ("ceop",),
    "nspcc": ("nspcc",),
    "it": ("technician", "network manager", "it support", "it provider"),
    "senco": ("senco", "sendco"),
}


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Sentences, each keeping the [n] markers that follow it ("... equipment. [1]" stays one sentence)."""
    out: list[str] = []
    for part in _segmenter().segment(text.strip()):
        part = part.strip()
        # Markers at the start of a piece close the sentence before it ("... Hale. [1] See also").
        lead = re.match(r"(?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+[.!]?\s*", part) if out else None
        if lead:
            out[-1] = f"{out[-1]} {lead.group(0).strip()}"
            part = part[lead.end():].strip()
        if part:
            out.append(part)
    return out


def _units(source: str) -> list[str]:
    """A source's statements: each line, with a list item joined to the line that introduces it, whose
    modal wording it carries ("Staff will only use school provided equipment (not personal devices):" over
    "- to take photos or videos of learners")."""
    units, lead = [], ""
    for line in (ln.strip() for ln in source.splitlines()):
        if not line:
            continue
        if line.startswith(("- ", "• ")) and lead:
            units.append(f"{lead} {line[2:]}")
            continue
        units.append(line)
        lead = line if line.endswith(":") else ""
    return units


def _stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower())}


def _content(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2 and not w.isdigit()]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _role_forms(text: str) -> set[str]:
    low = f" {text.lower()} "
    return {role for role, forms in ROLES.items() if any(re.search(rf"\b{re.escape(f)}s?\b", low) for f in forms)}


@dataclass
class Dropped:
    sentence: str
    why: str


@dataclass
class GuardReport:
    """What the guard did to one model answer: recorded in the Answer and shown by `ask --json`."""
    kept: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    fallback: str = ""  # why the answer shown is the extractive one ("" when the model's was kept)

    @property
    def written(self) -> int:
        return len(self.kept) + len(self.dropped)

    def to_json(self) -> dict:
        return {"kept": self.kept, "dropped": [asdict(d) for d in self.dropped], "fallback": self.fallback}


class Guard:
    """Checks sentences against the sources a model was shown, numbered from 1 in that order."""

    def __init__(self, sources: list[str], question: str):
        self.sources = sources
        self.question = question
        self._question_words = set(_content(question)) | {stem(w) for w in _content(question)}
        self._sentences = [[s for unit in _units(src) if not _LABEL.fullmatch(unit) for s in split_sentences(unit)]
                           for src in sources]

    def why_not(self, sentence: str) -> str | None:
        """None when the sentence may be shown; else why not, in words a reader of `ask --json` follows."""
        refs = [int(n) for group in MARKER.findall(sentence) for n in re.split(r"\s*[,;]\s*", group)]
        if not refs:
            return "cites no source"
        bad = [n for n in refs if not 1 <= n <= len(self.sources)]
        if bad:
            return f"cites [{bad[0]}], which is not one of the {len(self.sources)} sources"
        body = MARKER.sub("", sentence).strip()
        evidence = "\n".join(self.sources[n - 1] for n in dict.fromkeys(refs))
        if _LABEL.fullmatch(body) or not (_content(body) or _YES_NO.fullmatch(body)):
            return "is a source's heading or a bare marker, not an answer"
        for check in (self._markup, self._numbers, self._names, self._roles, self._polarity, self._support,
                      self._premise):
            why = check(body, evidence, refs)
            if why:
                return why
        return None

    # ------------------------------------------------------------------ the rules, in order
    @staticmethod
    def _markup(body: str, evidence: str, refs: list[int]) -> str | None:
        for m in _MARKUP.finditer(body):
            if m.group(0).strip("`") and m.group(0) in evidence:
                continue
            return f"holds a link, image or markup ({m.group(0)[:40]!r}) the source does not"
        return None

    @staticmethod
    def _numbers(body: str, evidence: str, refs: list[int]) -> str | None:
        compact = _digits(evidence)
        numbers = {_digits(n) for n in _NUMBER.findall(evidence)} | set(_NUMBER.findall(evidence))
        ev_words = set(_WORD.findall(evidence.lower()))
        for n in _NUMBER.findall(body):
            d = _digits(n)
            if n not in numbers and d not in numbers and not (len(d) >= 6 and d in compact):
                return f"gives the number {n!r}, which the cited source does not"
        for w in _WORD.findall(body.lower()):
            if w in _NUMBER_WORDS and w not in ev_words and _NUMBER_WORDS[w] not in numbers:
                return f"gives a number ({w!r}) the cited source does not"
            if w in _TIME_WORDS and w not in ev_words and w != "may":
                return f"gives a date or day ({w!r}) the cited source does not"
        return None

    def _names(self, body: str, evidence: str, refs: list[int]) -> str | None:
        ev_words = set(_WORD.findall(evidence.lower()))
        ev_stems = {stem(w) for w in ev_words}
        for m in _CAPITALISED.finditer(body):
            word = m.group(0)
            parts = [p for p in re.split(r"[\-'’]", word.lower()) if p]
            if all(p in ev_words or stem(p) in ev_stems or p in STOP_WORDS or p in self._question_words
                   for p in parts):
                continue
            if word.lower() in ("yes", "no", "i"):
                continue
            if word.isupper() and any(word.lower() in forms for forms in ROLES.values()) and \
                    _role_forms(word) & _role_forms(evidence):
                continue  # "DSL" for "Designated Safeguarding Lead"
            return f"names {word!r}, which the cited source does not"
        return None

    def _roles(self, body: str, evidence: str, refs: list[int]) -> str | None:
        said = _role_forms(body)
        missing = said - _role_forms(evidence) - _role_forms(self.question)
        if missing:
            return f"mentions the {sorted(missing)[0]}, which the cited source does not"
        if not said:
            return None
        # A named person's role is the one on their line of the source ("Named Governor ...: <name>"), or the
        # heading their line sits under ("Designated Safeguarding Lead (s):" over "<name>, Headteacher"). The
        # role a sentence gives the people it names is what it says beyond their own lines' roles: "The DSLs
        # are A, Headteacher; B, Named Governor" gives both "DSL", which B's line does not.
        lines = [ln.strip() for ln in evidence.splitlines() if ln.strip()]
        named: dict[str, tuple[set[str], set[str]]] = {}  # name -> (roles of its own lines, with their headings)
        for m in re.finditer(r"\b[A-Z][a-z]+(?:[ \-][A-Z][a-z]+)+\b", body):
            own, full = set(), set()
            for i, line in enumerate(lines):
                if m.group(0) not in line:
                    continue
                own |= _role_forms(line)
                heading = ""
                if ":" not in line.split(m.group(0))[0]:
                    heading = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].endswith(":")), "")
                full |= _role_forms(f"{heading} {line}")
            if full:  # only a name the source gives a role can be given the wrong one
                named[m.group(0)] = (own, full)
        claimed = said - set().union(*(own for own, _ in named.values())) if named else set()
        for name, (_, full) in named.items():
            if claimed and not (full & claimed):
                return f"gives {name} a role ({', '.join(sorted(claimed))}) the source does not give them"
        return None

    def _best_sentence(self, text: str, refs: list[int]) -> str:
        words = _stems(" ".join(_content(text)))
        best, score = "", -1.0
        for n in refs:
            for s in self._sentences[n - 1]:
                overlap = len(words & _stems(" ".join(_content(s))))
                if overlap > score:
                    best, score = s, overlap
        return best

    def _polarity(self, body: str, evidence: str, refs: list[int]) -> str | None:
        m = _YES_NO.match(body)
        rest = body[m.end():] if m else body
        # "The clause does not say who ..." is about the source, not a prohibition: judge what is left.
        rest = " ".join(part for part in re.split(r"[;:,]|\bbut\b", rest) if not _META.search(part))
        if rest.strip() and (_MODAL.search(rest) or _NEGATION.search(rest)):
            source = self._best_sentence(rest, refs)
            if source and bool(_NEGATION.search(rest)) != bool(_NEGATION.search(source)):
                return f"reverses the cited clause, which says: {source[:120]!r}"
            # A permission ("you can", "are allowed") needs one in the clause: a clause that only describes
            # ("use ... will take place in accordance with our policies") permits nothing.
            if source and _PERMISSION.search(rest) and not _NEGATION.search(rest) and not _PERMISSION.search(source):
                return f"gives a permission the cited clause does not, which says: {source[:120]!r}"
        if m:
            # "Yes"/"No" answers the question: against the source sentence nearest the question (and this one).
            source = self._best_sentence(f"{self.question} {rest}", refs)
            if source and _MODAL.search(self.question) and not _NEGATION.search(self.question):
                expected = "no" if _NEGATION.search(source) else "yes" if _PERMISSION.search(source) else ""
                if m.group(1).lower() != expected:
                    return f"answers {m.group(1).lower()!r} where the cited clause says: {source[:120]!r}"
        return None

    def _support(self, body: str, evidence: str, refs: list[int]) -> str | None:
        own = [w for w in _content(body) if w not in self._question_words and stem(w) not in self._question_words]
        if not own:
            return None
        ev = _stems(evidence)
        missing = [w for w in own if stem(w) not in ev]
        if 1 - len(missing) / len(own) < MIN_SUPPORT:
            return f"says things the cited source does not ({', '.join(dict.fromkeys(missing[:4]))})"
        return None


    def _premise(self, body: str, evidence: str, refs: list[int]) -> str | None:
        """A who/what/when question's own words, put back as its answer where the clause does not use them:
        "who is responsible for online safety?" -> "The Head Teacher is responsible ..." from a clause that
        says the Head is informed. A sentence saying what the clause does not give is not a claim."""
        if not _WH.match(self.question) or _NEGATION.search(body):
            return None
        ev = _stems(evidence)
        premise = [w for w in _content(self.question) if stem(w) not in ev and w not in _PEOPLE]
        used = [w for w in premise if stem(w) in _stems(body)]
        if used:
            return f"answers with the question's word {used[0]!r}, which the cited clause does not use"
        return None


def renumber(sentences: list[str], n_sources: int) -> tuple[list[str], list[int]]:
    """Markers renumbered to the sources actually cited, in order of first use: ([sentences], [old numbers])."""
    used: list[int] = []
    for s in sentences:
        for group in MARKER.findall(s):
            for n in re.split(r"\s*[,;]\s*", group):
                if int(n) not in used and 1 <= int(n) <= n_sources:
                    used.append(int(n))
    new = {old: i for i, old in enumerate(used, 1)}

    def fix(m: re.Match) -> str:
        return "".join(f"[{new[int(n)]}]" for n in re.split(r"\s*[,;]\s*", m.group(1)))

    return [MARKER.sub(fix, s) for s in sentences], used
