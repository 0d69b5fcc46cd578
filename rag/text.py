"""Plain-text helpers shared by ingest (which embeds sentences) and answers (which quote them)."""
from __future__ import annotations

import re

# A sentence shorter than this ("See Annex C.") says too little to be matched on its own.
MIN_SENTENCE_CHARS = 25


def merge_parts(texts: list[str]) -> str:
    """Join a split paragraph's parts, dropping the sentence each part repeats from the one before."""
    out = texts[0] if texts else ""
    for t in texts[1:]:
        overlap = 0
        for k in range(min(len(out), len(t)), 20, -1):
            if out.endswith(t[:k]):
                overlap = k
                break
        out = out + (t[overlap:] if overlap else " " + t)
    return out


def units(text: str) -> list[str]:
    """A clause's sentences and bullets, each an exact span of its text.

    The one splitter for clause text (ingest's sentence vectors and the quotes answers show). Not pySBD, which
    the grounding guard uses on model output (rag/guard.py), because on these documents pySBD splits 154 of
    1,399 clauses differently, mostly into fragments made of the footnote numbers KCSIE keeps inline ("5",
    "6"), which would become quotes and sentence vectors of their own (measured 2026-12-03)."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        body = line[2:] if line.startswith("- ") else line
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z‘“'(])", body):
            if s.strip():
                out.append(s.strip())
    return out


def sentences(parts: list[str]) -> list[str]:
    """A clause's sentences worth matching a question against, for the sentence signal in search.
    A clause with none (a heading, a one-line pointer) stands in with its whole text."""
    text = merge_parts(parts)
    return [u for u in units(text) if len(u) > MIN_SENTENCE_CHARS] or ([text] if text.strip() else [])


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_input(text: str) -> str:
    """What a person typed, safe for every later step: bytes that were not UTF-8 (arriving as lone
    surrogates from argv or a lenient reader) become U+FFFD, and control characters become spaces."""
    text = text.encode("utf-8", "replace").decode("utf-8") if text else ""
    return _CONTROL.sub(" ", text)

