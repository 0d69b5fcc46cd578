"""The index build's format, written by ingest (ingest/index.py) and read by the engine (rag/store.py).

Layout:
    <index>/CURRENT                        name of the live build (swapped atomically)
    <index>/builds/<id>/chroma/            embedded Chroma (collections clauses-<id>, questions-<id>, sentences-<id>)
    <index>/builds/<id>/records/<doc>.json the parsed clauses of each document
    <index>/builds/<id>/questions.json     the example questions indexed (and not-covered, concern examples)
    <index>/builds/<id>/manifest.json      every manifest entry, including documents not held
    <index>/builds/<id>/school.json        the school's facts (corpus/school.toml, checked against the policy)
    <index>/builds/<id>/screeners.npz      the concern and personal-data classifiers (rag/classifier.py)
    <index>/builds/<id>/state.json         written last: what was ingested (file hashes, model, counts, where
                                           the vectors live); a build without it is incomplete
    <index>/models/<key>/                  the embedding model tuned on the example questions (ingest/tune.py)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.classifier import SCREENERS_FILE
from rag.school import SCHOOL_FILE

# Bump when what a build holds changes, so that ingest rebuilds an older one.
SCHEMA = "3"  # 3: clause sentences embedded too (the sentence signal in search)
CURRENT = "CURRENT"
BUILDS = "builds"


@dataclass(frozen=True)
class BuildFiles:
    """The files of one build folder."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def chroma(self) -> Path:
        return self.path / "chroma"

    @property
    def records(self) -> Path:
        return self.path / "records"

    def record(self, doc_id: str) -> Path:
        return self.records / f"{doc_id}.json"

    @property
    def questions(self) -> Path:
        return self.path / "questions.json"

    @property
    def manifest(self) -> Path:
        return self.path / "manifest.json"

    @property
    def school(self) -> Path:
        return self.path / SCHOOL_FILE

    @property
    def screeners(self) -> Path:
        return self.path / SCREENERS_FILE

    @property
    def state(self) -> Path:
        return self.path / "state.json"

    def complete(self) -> bool:
        return self.state.is_file()

    def read_state(self) -> dict[str, Any]:
        return read_json(self.state)

    def json_files(self) -> list[Path]:
        """Every JSON file a whole build has (records: those present)."""
        records = sorted(self.records.glob("*.json")) if self.records.is_dir() else []
        return [self.state, self.manifest, self.questions, self.school, *records]


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: Any, indent: int | None = None) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent), encoding="utf-8")


def build_folder(index_dir: Path, build_id: str) -> BuildFiles:
    return BuildFiles(index_dir / BUILDS / build_id)


def current_build(index_dir: Path) -> Path | None:
    """The live build's folder, or None when there is no complete one."""
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        return None
    build = build_folder(index_dir, pointer.read_text().strip())
    return build.path if build.complete() else None
