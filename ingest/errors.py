"""One error type for anything wrong with the corpus: always names the file."""
from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
