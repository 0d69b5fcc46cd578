"""Open the live index: embedded Chroma (default) or a Chroma server, plus the build's records.

The build's layout and files are defined in rag/build_format.py, which ingest writes with.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from typing import TYPE_CHECKING

from rag.build_format import BuildFiles, current_build, read_json
from rag.config import Settings
from rag.documents import Clause, DocumentInfo, ExampleQuestion
from rag.embeddings import get_embeddings
from rag.school import SchoolFacts

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
    return chromadb.PersistentClient(path=str(BuildFiles(build_dir).chroma), settings=chroma_settings)


def reading_client(settings: Settings, build_dir: Path) -> "chromadb.ClientAPI":
    """A client for reading a build without changing it. Chroma's PersistentClient writes to chroma.sqlite3
    whenever it opens (measured: the file's hash changes on every open, with migrations off too), so a local
    build is read from a private copy that lives as long as the process; the build stays as ingest left it."""
    if settings.chroma_host:
        return chroma_client(settings, build_dir)
    import atexit
    import shutil
    import tempfile

    copy = Path(tempfile.mkdtemp(prefix="policy-assistant-"))
    atexit.register(shutil.rmtree, copy, True)
    shutil.copytree(BuildFiles(build_dir).chroma, BuildFiles(copy).chroma)
    return chroma_client(settings, copy)


def collection_names(build_id: str, school: str | None = None) -> tuple[str, str, str]:
    """Clause texts, example questions (and not-covered and concern examples), clause sentences; prefixed
    with the school's name when one is set (a trust's schools share one Chroma server)."""
    prefix = f"{school}-" if school else ""
    return f"{prefix}clauses-{build_id}", f"{prefix}questions-{build_id}", f"{prefix}sentences-{build_id}"


def build_collections(build: Path, state: dict) -> tuple[str, str, str]:
    """The collection names a build was written with (its state.json says for which school)."""
    return collection_names(build.name, state.get("store", {}).get("school"))


def store_location(settings: Settings) -> dict:
    """Where a build's vectors live, as recorded in its state.json: embedded in its folder, or a server."""
    where = ({"mode": "server", "host": settings.chroma_host, "port": settings.chroma_port} if settings.chroma_host
             else {"mode": "local"})
    return {**where, "school": settings.school} if settings.school else where


def verify_build(settings: Settings, build: Path | None = None) -> list[str]:
    """Problems with the live build, one line each (empty: it is whole). Reads only; `policy-assistant
    check` prints these, and ingest rebuilds when there are any."""
    build = build or current_build(settings.index_dir)
    if build is None:
        return [f"no index at {settings.index_dir}"]
    problems: list[str] = []

    def load(path: Path):
        try:
            return read_json(path)
        except FileNotFoundError:
            problems.append(f"{path.relative_to(settings.index_dir)} is missing")
        except (ValueError, UnicodeDecodeError) as e:
            problems.append(f"{path.relative_to(settings.index_dir)} is damaged ({type(e).__name__})")
        return None

    files = BuildFiles(build)
    state = load(files.state) or {}
    for path in files.json_files()[1:]:
        load(path)
    if not (files.records.is_dir() and any(files.records.glob("*.json"))):
        problems.append(f"{files.records.relative_to(settings.index_dir)} is missing")
    where = state.get("store", {"mode": "local"})
    if where != store_location(settings):
        problems.append(f"the build's vectors are stored {_describe(where)}, but the settings say {_describe(store_location(settings))}")
        return problems
    if where["mode"] == "local" and not (files.chroma / "chroma.sqlite3").is_file():
        problems.append(f"{files.chroma.relative_to(settings.index_dir)} is missing")
        return problems
    counts = state.get("counts", {})
    try:
        client = reading_client(settings, build)
        for name, kind in zip(build_collections(build, state), ("clauses", "questions", "sentences")):
            try:
                col = client.get_collection(name)
                n = col.count()
                if kind in counts and n != counts[kind]:
                    problems.append(f"collection {name} holds {n} vectors, not {counts[kind]}")
                elif n:
                    # A search, not only the catalogue: it reads the vector index files (HNSW) too.
                    one = col.get(limit=1, include=["embeddings"])["embeddings"]
                    col.query(query_embeddings=[list(one[0])], n_results=1)
            except Exception as e:  # chromadb raises assorted errors on damaged files
                problems.append(f"collection {name} cannot be read ({type(e).__name__}: {str(e)[:80]})")
    except Exception as e:
        problems.append(f"the vector store cannot be opened ({type(e).__name__}: {str(e)[:80]})")
    if state.get("model_dir") and not (settings.index_dir / state["model_dir"] / "tuned.json").is_file():
        problems.append(f"the tuned model {state['model_dir']} is missing")
    return problems


def _describe(where: dict) -> str:
    place = (f"on the Chroma server {where.get('host')}:{where.get('port')}" if where.get("mode") == "server"
             else "in the build folder")
    return place + (f" for school '{where['school']}'" if where.get("school") else "")


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

    @property
    def files(self) -> BuildFiles:
        return BuildFiles(self.build_dir)

    @cached_property
    def state(self) -> dict:
        return self.files.read_state()

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
        data = read_json(self.files.manifest)
        return {d["id"]: DocumentInfo.from_dict(d) for d in data}

    @cached_property
    def clauses(self) -> list[Clause]:
        out: list[Clause] = []
        for f in sorted(self.files.records.glob("*.json")):
            for r in read_json(f)["clauses"]:
                out.append(Clause.from_metadata(r["text"], r))
        return out

    @cached_property
    def school(self) -> SchoolFacts:
        """The school's facts (corpus/school.toml, checked against the policy at ingest)."""
        path = self.files.school
        if not path.is_file():
            raise IndexMissing(f"the index at {self.settings.index_dir} predates school.toml; run `policy-assistant ingest`")
        return SchoolFacts.read(path)

    @cached_property
    def questions(self) -> list[ExampleQuestion]:
        path = self.files.questions
        if not path.is_file():
            return []
        return [ExampleQuestion(**q) for q in read_json(path) if q["doc_id"]]

    @cached_property
    def client(self) -> "chromadb.ClientAPI":
        return reading_client(self.settings, self.build_dir)

    def vectorstore(self, which: str) -> "Chroma":
        from langchain_chroma import Chroma

        names = dict(zip(("clauses", "questions", "sentences"), build_collections(self.build_dir, self.state)))
        return Chroma(
            client=self.client,
            collection_name=names[which],
            embedding_function=self.embeddings,
            create_collection_if_not_exists=False,
        )
