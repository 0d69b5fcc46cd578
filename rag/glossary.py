"""School vocabulary: expand a question with the documents' own words (for keyword search)."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("glossary.toml")


@dataclass(frozen=True)
class Term:
    pattern: re.Pattern[str]
    adds: str


@lru_cache(maxsize=1)
def load_glossary(path: Path = GLOSSARY_FILE) -> tuple[Term, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(Term(re.compile(t["pattern"], re.I), t["adds"]) for t in data.get("term", []))


# People name the policy as a whole ("the mobile tech policy", "ur phone policy"): the name says
# which document, not what the question is about, and left in it pulls every question towards the
# clauses that introduce the policy (1.1, 1.4).
POLICY_NAME = re.compile(
    r"\b(?:mobile(?: phone)?s?|phones?|mobile tech(?:nology)?|tech(?:nology)?|devices?|social media|online safety|e-?safety)"
    r"(?: (?:and|&) (?:social media|mobile(?: phones?)?|phones?))?(?: use)? polic(?:y|ies)\b",
    re.I,
)


# "what's a LADO?", "what is classed as emotional abuse", "what does CSE stand for": the term asked about.
DEFINITION_PREFIX = (
    r"what(?:'s| is| are) (?:classed|counted|meant|defined) (?:as|by)|what counts as|"
    r"what (?:is|are) the (?:definition|meaning) of|definition of|meaning of|define|explain|"
    r"what(?:'s| is| are| does)|whats"
)
DEFINITION = re.compile(
    r"^\s*(?:" + DEFINITION_PREFIX + r")\s+(?:an?\s+|the\s+)?"
    r"(?P<term>[a-z][\w'-]*(?:\s+[\w'-]+){0,3}?)"
    r"(?:\s+(?:mean|means|stand for|and\b.*|in\b.*|under\b.*|actually\b.*|exactly\b.*))?\s*\??\s*$",
    re.I,
)


def definition_term(question: str) -> str | None:
    m = DEFINITION.match(question)
    return m.group("term") if m else None


def defines(text: str, term: str) -> bool:
    """Does this passage define the term? ("LADO" in "officers known as local authority designated
    officers (LADO)", "Emotional abuse: the persistent ...", "“extra-familial harm”")."""
    t = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", term.strip()))  # low level = low-level
    return any(re.search(p, text, re.I) for p in (
        rf"(^|\n|- |[.:;]\s)\s*{t}\s*(:|–|—|\s-\s)",
        rf"\({t}\)",
        rf"\b(known as|referred to as|called|termed|defined as)\s+(the\s+)?[“‘'\"]?{t}\b",
        rf"(^|\n|- |\.\s)\s*(an?\s+|the\s+)?{t}\s+(is|are|means|involves|refers to|describes)\b",
        rf"[“‘\"']{t}[”’\"']",
    ))


def normalize(question: str) -> str:
    """The question with the policy's own name reduced to "policy"."""
    return POLICY_NAME.sub("policy", question)


@lru_cache(maxsize=1)
def load_spellings(path: Path = GLOSSARY_FILE) -> tuple[dict[str, str], re.Pattern | None]:
    """The short forms (a word or a phrase: "insta", "4 cs") and one pattern that finds any of them."""
    spellings = {" ".join(k.lower().split()): v
                 for k, v in tomllib.loads(path.read_text(encoding="utf-8")).get("spellings", {}).items()}
    # Longest first, so "4 cs" is spelled out before "cs" could be.
    alternation = "|".join(r"\s+".join(map(re.escape, k.split())) for k in sorted(spellings, key=len, reverse=True))
    return spellings, (re.compile(rf"(?<![A-Za-z0-9])({alternation})(?![A-Za-z0-9])", re.I) if spellings else None)


# Text-speak "2" and "4" (pupils: "he wants me 2 send pics 4 money") are read as "to" and "for" only
# when the words around them say so: "year 4", "2 days", "para 4" and "at 2" stay numbers.
_BARE_2_4 = re.compile(r"(?<![\w.£$])([24])(?![\w.%:£$])")
_KEEPS_NUMBER_BEFORE = set("""year yr y class age aged stage ks para paragraph paragraphs clause section part page annex
at by of than the only under over about around last next every top grade level step number no after before until
till from and or plus times x""".split())
_KEEPS_NUMBER_AFTER = set("""days day weeks week months month years year hours hour hrs mins minutes seconds secs times
o'clock oclock pm am kids children pupils boys girls people phones of or and x weeks' days' yrs""".split())
_TO_AFTER = set("""me u you him her them us my ur your the a an school meet see go do send get tell be keep post share
someone anyone somebody anybody say talk come hang stay delete show give call text snap chat play help stop report
sleep leave""".split())
_TO_BEFORE = set("""talk talking want wants wanted have has had got going need needs trying try tried asked asks told tells
said meet up go come came went used ask tell sent send back listen close able nice mean says keeps""".split())
_FOR_AFTER = set("""me u you him her them us my ur your the a money pics pictures photos nudes cash free ages ever sure
real it something nothing""".split())
_FOR_BEFORE = set("""asked asking ask asks paid pay paying waiting wait looking look sorry ready them him her it this that
pics photos money nudes""".split())


def _spell_bare_numbers(text: str) -> str:
    def spell(m: re.Match) -> str:
        before = re.findall(r"[\w'§]+", text[: m.start()].lower())[-1:]
        after = re.findall(r"[\w']+", text[m.end():].lower())[:1]
        b, a = (before[0] if before else ""), (after[0] if after else "")
        if b in _KEEPS_NUMBER_BEFORE or a in _KEEPS_NUMBER_AFTER or b.isdigit() or a.isdigit():
            return m.group(0)
        if m.group(1) == "2" and (a in _TO_AFTER or b in _TO_BEFORE):
            return "to"
        if m.group(1) == "4" and (a in _FOR_AFTER or b in _FOR_BEFORE):
            return "for"
        return m.group(0)

    return _BARE_2_4.sub(spell, text)


def respell(question: str) -> str:
    """The question with short forms spelled out ("insta" -> "instagram", "r" -> "are", "theyll" ->
    "they'll", "4 Cs" -> the four areas of risk, text-speak "2"/"4" -> "to"/"for")."""
    spellings, pattern = load_spellings()
    if pattern is None:
        return question
    spelled = pattern.sub(lambda m: spellings[" ".join(m.group(0).lower().split())], question)
    return _spell_bare_numbers(spelled)


def expand(question: str) -> str:
    """The question followed by the documents' words for what it mentions."""
    adds = [t.adds for t in load_glossary() if t.pattern.search(question)]
    return " ".join([question, *adds])
