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


def expand(question: str) -> str:
    """The question followed by the documents' words for what it mentions."""
    adds = [t.adds for t in load_glossary() if t.pattern.search(question)]
    return " ".join([question, *adds])
