"""Open the live index: embedded Chroma (default) or a Chroma server, plus the build's records.

Index layout (written by ingest.index):
    <index>/CURRENT                 name of the live build (swapped atomically)
    <index>/builds/<id>/chroma/     embedded Chroma (collections clauses-<id>, questions-<id>, sentences-<id>)
    <index>/builds/<id>/records/    the parsed clauses per document (JSON)
    <index>/builds/<id>/state.json  what was ingested: file hashes, model, counts
    <index>/builds/<id>/manifest.json  every manifest entry, including documents not held
    <index>/models/<key>/           the embedding model tuned on the example questions (ingest/tune.py)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from typing import TYPE_CHECKING

from rag.config import Settings
from rag.documents import Clause, DocumentInfo, ExampleQuestion
from rag.embeddings import get_embeddings

if TYPE_CHECKING:  # chromadb and langchain_chroma are imported when first used: they are slow to import
    import chromadb
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings


class IndexMissing(RuntimeError):
    pass


def chroma_client(settings: Settings, build_dir: Path) -> "chromadb.ClientAPI":
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(build_dir / "chroma"), settings=chroma_settings)


def collection_names(build_id: str) -> tuple[str, str, str]:
    """Clause texts, example questions (and not-covered and concern examples), clause sentences."""
    return f"clauses-{build_id}", f"questions-{build_id}", f"sentences-{build_id}"


def current_build(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    build = index_dir / "builds" / pointer.read_text().strip()
    return build if (build / "state.json").is_file() else None


@dataclass
class Index:
    """The live build, read-only."""

    build_dir: Path
    settings: Settings

    @classmethod
    def open(cls, settings: Settings) -> "Index":
        build = current_build(settings.index_dir)
        if build is None:
            raise IndexMissing(f"no index at {settings.index_dir}; run `policy-assistant ingest`")
        return cls(build, settings)

    @property
    def build_id(self) -> str:
        return self.build_dir.name

    @cached_property
    def state(self) -> dict:
        return json.loads((self.build_dir / "state.json").read_text())

    @cached_property
    def model_path(self) -> Path | None:
        """The tuned embedding model this build was embedded with (None: the packaged model)."""
        rel = self.state.get("model_dir")
        if not rel:
            return None
        path = self.settings.index_dir / rel
        if not (path / "tuned.json").is_file():
            raise IndexMissing(f"the index's tuned model {path} is missing; run `policy-assistant ingest`")
        return path

    @cached_property
    def embeddings(self) -> "HuggingFaceEmbeddings":
        """Questions must be embedded by the model that embedded the index."""
        return get_embeddings(self.model_path)

    @cached_property
    def documents(self) -> dict[str, DocumentInfo]:
        data = json.loads((self.build_dir / "manifest.json").read_text())
        return {d["id"]: DocumentInfo.from_dict(d) for d in data}

    @cached_property
    def clauses(self) -> list[Clause]:
        out: list[Clause] = []
        for f in sorted((self.build_dir / "records").glob("*.json")):
            for r in json.loads(f.read_text())["clauses"]:
                out.append(Clause.from_metadata(r["text"], r))
        return out

    @cached_property
    def questions(self) -> list[ExampleQuestion]:
        path = self.build_dir / "questions.json"
        if not path.is_file():
            return []
        return [ExampleQuestion(**q) for q in json.loads(path.read_text()) if q["doc_id"]]

    @cached_property
    def client(self) -> "chromadb.ClientAPI":
        return chroma_client(self.settings, self.build_dir)

    def vectorstore(self, which: str) -> "Chroma":
        from langchain_chroma import Chroma

        names = dict(zip(("clauses", "questions", "sentences"), collection_names(self.build_id)))
        return Chroma(
            client=self.client,
            collection_name=names[which],
            embedding_function=self.embeddings,
            create_collection_if_not_exists=False,
        )
