"""Other policies the school's policy names ("in line with our image use policy"), found in its text.

"Is there a separate policy on photos?" is answerable: the policy names the image use policy, and the
honest answer says where, and that the assistant does not hold it. Written by hand: a few patterns over
the policy's own sentences; the names come from the corpus, never from code.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.answer import content_terms
from rag.glossary import expand

# A message asking whether another policy exists, or for a copy of it.
ASKS_FOR_A_POLICY = re.compile(
    r"\b(separate|another|other|different|specific|own|seperate) polic(y|ies)\b|"
    r"\bpolic(y|ies) (on|about|for|covering|re|regarding|that covers)\b|"
    r"\b(is there|are there|do you have|have you got|does the school have|do (we|you|they) have|where('?s| is| are| can i (find|get|see))|"
    r"can i (see|get|read|have)|send me|copy of|link to)\b.{0,40}\bpolic(y|ies)\b",
    re.I,
)
# "with our image use policy", "- Behaviour policy", "the Allegations Against Staff policy".
_MENTION = re.compile(r"(?:\bour\s+|\bthe\s+|^-\s*|\bwith\s+|\bin\s+)((?:[A-Za-z][\w-]*\s+){1,3}?)polic(?:y|ies)\b", re.I | re.M)
_NOT_NAMES = {"this", "these", "existing", "other", "relevant", "school", "associated", "national", "local", "any",
              "our", "the", "several", "and", "in", "with", "accordance", "monitor", "report", "implement"}
_ENDS_NO_NAME = {"of", "to", "regarding", "line", "with", "for", "on", "about", "by"}
_GENERIC = content_terms("use policy policies school staff and of against")


@dataclass(frozen=True)
class NamedPolicy:
    name: str  # as the policy writes it: "image use"
    clauses: tuple[str, ...]  # keys of the clauses that name it ("doc#6.2.4")


def find_named_policies(clauses: Iterable[tuple[str, str]]) -> list[NamedPolicy]:
    """(key, text) of the policy's clauses -> the other policies they name, each with where."""
    found: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for key, text in clauses:
        for m in _MENTION.finditer(text):
            words = [w for w in m.group(1).split() if w.lower() not in _NOT_NAMES]
            if not words or words[-1].lower() in _ENDS_NO_NAME:
                continue
            name = " ".join(words)
            core = " ".join(sorted(content_terms(name) - _GENERIC))
            if not core:
                continue
            names.setdefault(core, name.lower())
            if key not in found.setdefault(core, []):
                found[core].append(key)
    return [NamedPolicy(names[core], tuple(keys)) for core, keys in found.items()]


def asked_named_policy(question: str, policies: list[NamedPolicy]) -> NamedPolicy | None:
    """The named policy a message asks about, by its subject ("photos" finds the image use policy)."""
    if not ASKS_FOR_A_POLICY.search(question):
        return None
    asked = content_terms(expand(question)) - _GENERIC
    best = None
    for p in policies:
        core = content_terms(p.name) - _GENERIC
        if core and core <= asked and (best is None or len(core) > len(content_terms(best.name) - _GENERIC)):
            best = p
    return best
