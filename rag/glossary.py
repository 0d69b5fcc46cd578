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


def normalize(question: str) -> str:
    """The question with the policy's own name reduced to "policy"."""
    return POLICY_NAME.sub("policy", question)


def expand(question: str) -> str:
    """The question followed by the documents' words for what it mentions."""
    adds = [t.adds for t in load_glossary() if t.pattern.search(question)]
    return " ".join([question, *adds])
