"""Build the index: parse what changed, embed only new text, swap the new build in atomically.

Every build is a fresh folder. Vectors for text that was already embedded are copied from the
live build (looked up by a hash of the embedded text and the model), so a changed document costs
only its changed clauses, and a no-op ingest costs file hashing. The live build keeps serving
until the new one is complete; only then is CURRENT replaced (os.replace is atomic).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from ingest.clauses import parse
from ingest.errors import IngestError
from ingest.loaders import load
from ingest.manifest import load_manifest, unlisted_files
from ingest.questions import load_questions
from ingest.school import load_school
from ingest import tune as tuning
from rag.build_format import BUILDS, CURRENT, SCHEMA as INDEX_SCHEMA, BuildFiles, build_folder, read_json, write_json
from rag.config import Settings
from rag.documents import Clause, DocumentInfo, ExampleQuestion, IngestSummary
from rag.embeddings import MODEL_ID, get_embeddings
from rag.school import SchoolFacts
from rag.store import build_collections, chroma_client, collection_names, current_build, store_location, verify_build
from rag.text import sentences

# Bump when parsing changes, so that an unchanged file is parsed again.
PARSER_VERSION = "6"
# Bump when what is stored per record changes, so that an unchanged corpus is indexed again.
BATCH = 64

Progress = Callable[[str], None]


class IngestBusy(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def clause_id(c: Clause) -> str:
    return "c-" + _key(c.doc_id, c.clause, c.part, c.seq, c.page, c.page_end, c.heading, c.text)


def question_id(q: ExampleQuestion) -> str:
    return "q-" + _key(q.doc_id, q.clause if q.kind == "example" else q.kind, q.question)


def _embed_key(text: str, model_id: str = MODEL_ID) -> str:
    return _key(model_id, text)


def _model_plan(settings: Settings, all_clauses: list[Clause], questions: list[ExampleQuestion]):
    """(model id, folder relative to the index, training pairs) this corpus is embedded with."""
    if not settings.tune_model:
        return MODEL_ID, None, []
    pairs = tuning.training_pairs(all_clauses, questions)
    if not pairs:
        return MODEL_ID, None, []
    key = tuning.model_key(pairs, tuning.RECIPE)
    return tuning.tuned_model_id(key), f"models/{key}", pairs


@contextmanager
def ingest_lock(index_dir: Path, wait_s: float, progress: Progress):
    """One ingest at a time per index (filelock: an OS lock, released if the process dies)."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(index_dir / ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        # Say once that we wait, then wait for the rest of the time allowed.
        progress(f"another ingest is running on {index_dir}; waiting up to {wait_s:.0f}s ...")
        try:
            lock.acquire(timeout=wait_s)
        except Timeout:
            raise IngestBusy(f"another ingest is still running on {index_dir}; try again when it has finished") from None
    try:
        yield
    finally:
        lock.release()


def ingest_running(index_dir: Path) -> bool:
    """Whether an ingest holds this index's lock now (the app's first start: the index is being built)."""
    from filelock import FileLock, Timeout

    if not (index_dir / ".lock").is_file():
        return False
    lock = FileLock(index_dir / ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def _read_records(build: Path | None, doc_id: str) -> list[Clause] | None:
    if build is None:
        return None
    path = BuildFiles(build).record(doc_id)
    if not path.is_file():
        return None
    return [Clause.from_metadata(r["text"], r) for r in read_json(path)["clauses"]]


def _plan(settings: Settings, live: Path | None, progress: Progress):
    """Parse (or reuse) every held document and the example questions. Raises IngestError."""
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise IngestError(corpus, "corpus folder not found")
    manifest = load_manifest(corpus)
    warnings = [f"{p}: not listed in corpus/manifest.toml; not ingested" for p in unlisted_files(corpus, manifest)]
    live_state = BuildFiles(live).read_state() if live else {}
    live_docs = live_state.get("documents", {})
    files: dict[str, dict] = {}
    clauses_by_doc: dict[str, list[Clause]] = {}
    changed: list[str] = []
    for doc in manifest.held:
        path = corpus / doc.file
        sha = _sha256(path)
        stamp = {"sha256": sha, "parser": PARSER_VERSION, "structure": doc.structure, "max_chunk_chars": settings.max_chunk_chars}
        previous = live_docs.get(doc.id)
        records = _read_records(live, doc.id) if previous == stamp else None
        if records is None:
            progress(f"parsing {doc.file} ...")
            started = time.monotonic()
            records = parse(doc.id, load(path), doc.structure, settings.max_chunk_chars)
            if not records:
                raise IngestError(path, "no clauses or paragraphs found")
            progress(f"  {len(records)} records from {doc.file} ({time.monotonic() - started:.1f}s)")
            changed.append(doc.id)
        files[doc.id] = stamp
        clauses_by_doc[doc.id] = records
    school = load_school(corpus, clauses_by_doc)
    successors = {d.replaces: d.id for d in manifest.documents if d.replaces and d.id in clauses_by_doc}
    qs = load_questions(corpus, clauses_by_doc, successors)
    warnings.extend(qs.warnings)
    if not qs.concerns:
        warnings.append("no concern examples (corpus/questions/concerns.toml): concerns in everyday words "
                        "will not escalate; only the patterns in rag/safety.py will")
    return manifest, files, clauses_by_doc, qs.questions + qs.examples(), warnings, changed, school


def _fetch_existing(settings: Settings, live: Path | None, keys: set[str]) -> dict[str, list[float]]:
    """Vectors already computed in the live build, by embed key."""
    if live is None or not keys:
        return {}
    found: dict[str, list[float]] = {}
    try:
        client = chroma_client(settings, live)
    except Exception:
        return {}  # an unreadable old build only costs re-embedding
    try:
        state = BuildFiles(live).read_state()
    except (OSError, ValueError):
        state = {}
    for name in build_collections(live, state):
        try:
            got = client.get_collection(name).get(include=["embeddings", "metadatas"])
        except Exception:
            continue  # e.g. a build from before sentences were indexed
        for meta, emb in zip(got["metadatas"], got["embeddings"]):
            k = meta.get("embed_key")
            if k in keys:
                found[k] = list(emb)
    return found


def clause_sentences(all_clauses: list[Clause]) -> list[tuple[str, str, str]]:
    """(doc id, clause, sentence) for every clause, its split parts joined first."""
    parts: dict[tuple[str, str], list[str]] = {}
    for c in all_clauses:
        parts.setdefault((c.doc_id, c.clause), []).append(c.text)
    return [(doc_id, clause, s) for (doc_id, clause), texts in parts.items() for s in sentences(texts)]


def run_ingest(settings: Settings, progress: Progress = print) -> IngestSummary:
    started = time.monotonic()
    if settings.chroma_host:
        # One heartbeat before any work: a server that is down is found in a second, not after embedding.
        try:
            chroma_client(settings, settings.index_dir).heartbeat()
        except Exception as e:
            raise IngestError(settings.index_dir, f"the Chroma server {settings.chroma_host}:{settings.chroma_port} is not "
                              f"answering ({type(e).__name__}); start it (`chroma run`) or unset CHROMA_HOST") from None
    with ingest_lock(settings.index_dir, settings.ingest_lock_wait_s, progress):
        live = current_build(settings.index_dir)
        problems = verify_build(settings, live) if live is not None else []
        if problems:
            # A damaged build, or one whose vectors are somewhere else: build a new one, reusing every vector
            # that can still be read from it.
            progress("the live index needs repair: " + "; ".join(problems) + " -> rebuilding")
        whole = live if not problems else None
        manifest, files, clauses_by_doc, questions, warnings, changed, school = _plan(settings, whole, progress)
        all_clauses = [c for doc in clauses_by_doc.values() for c in doc]
        ids = {clause_id(c) for c in all_clauses} | {question_id(q) for q in questions}
        docs_json = [d.to_dict() for d in manifest.documents]
        model = _model_plan(settings, all_clauses, questions)
        model_id, model_dir, pairs = model
        summary = IngestSummary(
            documents=len(clauses_by_doc), clauses=len(all_clauses), questions=len(questions), warnings=warnings,
            changed_documents=changed, tuned_on=len(pairs),
        )
        if whole is not None:
            state = BuildFiles(live).read_state()
            same_docs = read_json(BuildFiles(live).manifest) == docs_json
            same_school = BuildFiles(live).school.is_file() and SchoolFacts.read(BuildFiles(live).school) == school
            model_ok = model_dir is None or (settings.index_dir / model_dir / "tuned.json").is_file()
            if (set(state.get("ids", [])) == ids and state.get("model") == model_id and state.get("schema") == INDEX_SCHEMA
                    and same_docs and same_school and model_ok):
                summary.noop = True
                summary.skipped = len(ids)
                _prune(settings, keep={live.name, _previous_build(settings, live.name)})
                summary.build = live.name
                summary.seconds = time.monotonic() - started
                return summary
            summary.removed = len(set(state.get("ids", [])) - ids)
        summary.build = _build(settings, live, manifest.documents, files, clauses_by_doc, questions, ids, summary, progress,
                               model, school)
        summary.seconds = time.monotonic() - started
        return summary


def _build(settings, live, documents: tuple[DocumentInfo, ...], files, clauses_by_doc, questions, ids, summary, progress,
           model: tuple[str, str | None, list], school: SchoolFacts) -> str:
    model_id, model_dir, pairs = model
    build_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    # Written in place; it is complete only once state.json exists and CURRENT names it.
    out = build_folder(settings.index_dir, build_id)
    build = out.path
    build.mkdir(parents=True)
    try:
        all_clauses = [c for doc in clauses_by_doc.values() for c in doc]
        clause_texts = [c.embedding_text() for c in all_clauses]
        q_texts = [q.question for q in questions]
        sentence_rows = clause_sentences(all_clauses)
        texts = clause_texts + q_texts + [s for _, _, s in sentence_rows]

        def embed_key(text: str) -> str:  # vectors are reused only from the same model
            return _embed_key(text, model_id)

        model_path = None
        if model_dir:
            # A tuned model that has to be trained again may differ in the last digits: embed afresh.
            retrain = not (settings.index_dir / model_dir / "tuned.json").is_file()
            model_path = tuning.tune(pairs, settings.index_dir / model_dir, tuning.RECIPE, progress)
        existing = {} if model_dir and retrain else _fetch_existing(settings, live, {embed_key(t) for t in texts})
        # Shortest first: each batch is padded to its longest text, so batches of like lengths embed the
        # thousands of short questions and sentences ~40% faster than an alphabetical mix (measured here).
        todo = sorted({t for t in texts if embed_key(t) not in existing}, key=lambda t: (len(t), t))
        summary.skipped = sum(1 for t in texts if embed_key(t) in existing)
        vectors = dict(existing)
        if todo:
            emb = get_embeddings(model_path)
            progress(f"embedding {len(todo)} new texts (reusing {len(existing)}) ...")
            t0 = time.monotonic()
            for i in range(0, len(todo), BATCH):
                batch = todo[i : i + BATCH]
                for text, vec in zip(batch, emb.embed_documents(batch)):
                    vectors[embed_key(text)] = vec
                done = min(i + BATCH, len(todo))
                rate = done / max(time.monotonic() - t0, 1e-6)
                progress(f"  embedded {done}/{len(todo)} ({rate:.0f}/s)")
        summary.embedded = len(todo)

        client = chroma_client(settings, build)
        clauses_name, questions_name, sentences_name = collection_names(build_id, settings.school)
        col = client.create_collection(clauses_name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
        for i in range(0, len(all_clauses), 1000):
            batch = all_clauses[i : i + 1000]
            texts = clause_texts[i : i + 1000]
            col.add(
                ids=[clause_id(c) for c in batch],
                documents=[c.text for c in batch],  # stored: the clause itself; embedded: heading path + clause
                embeddings=[vectors[embed_key(t)] for t in texts],
                metadatas=[{**c.to_metadata(), "embed_key": embed_key(t)} for c, t in zip(batch, texts)],
            )
        qcol = client.create_collection(questions_name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
        for i in range(0, len(questions), 1000):
            batch = questions[i : i + 1000]
            qcol.add(
                ids=[question_id(q) for q in batch],
                documents=[q.question for q in batch],
                embeddings=[vectors[embed_key(q.question)] for q in batch],
                metadatas=[{"doc_id": q.doc_id, "clause": q.clause, "kind": q.kind,
                            "embed_key": embed_key(q.question)} for q in batch],
            )
        scol = client.create_collection(sentences_name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
        for i in range(0, len(sentence_rows), 1000):
            batch = sentence_rows[i : i + 1000]
            scol.add(
                ids=[f"s-{_key(d, c, i + j, t)}" for j, (d, c, t) in enumerate(batch)],
                documents=[t for _, _, t in batch],
                embeddings=[vectors[embed_key(t)] for _, _, t in batch],
                metadatas=[{"doc_id": d, "clause": c, "embed_key": embed_key(t)} for d, c, t in batch],
            )
        if col.count() != len(all_clauses) or qcol.count() != len(questions) or scol.count() != len(sentence_rows):
            raise RuntimeError("index verification failed: record counts differ")
        out.records.mkdir()
        for doc_id, clauses in clauses_by_doc.items():
            rows = [{"text": c.text, **c.to_metadata()} for c in clauses]
            write_json(out.record(doc_id), {"doc_id": doc_id, "clauses": rows})
        write_json(out.questions, [q.__dict__ for q in questions])
        write_json(out.manifest, [d.to_dict() for d in documents], indent=1)
        out.school.write_text(school.to_json(), encoding="utf-8")
        _fit_screeners(questions, {q.question: vectors[embed_key(q.question)] for q in questions}).save(out.screeners)
        state = {"model": model_id, "model_dir": model_dir, "schema": INDEX_SCHEMA, "documents": files, "ids": sorted(ids), "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
                 "store": store_location(settings),
                 "counts": {"clauses": len(all_clauses), "questions": len(questions), "sentences": len(sentence_rows)}}
        del col, qcol, scol, client
        write_json(out.state, state)
        _swap(settings.index_dir, build_id)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        if settings.chroma_host:
            _drop_remote(settings, build_id, settings.school)
        raise
    _prune(settings, keep={build_id, live.name if live else ""})
    return build_id


def _fit_screeners(questions, vector_of: dict[str, list[float]]):
    """The concern and personal-data classifiers, fitted on this build's examples as the app would fit them
    (float32, as Chroma hands the vectors back), so serving only reads them."""
    import numpy as np

    from rag.classifier import train_screeners
    from rag.safety import escalation_by_pattern

    def examples(kind: str):
        texts = [q.question for q in questions if q.kind == kind]  # one row per indexed example, as the app reads them
        return texts, np.array([vector_of[t] for t in texts], dtype=np.float32)

    return train_screeners(examples, escalation_by_pattern)


def _swap(index_dir: Path, build_id: str) -> None:
    tmp = index_dir / f"{CURRENT}.tmp"
    with tmp.open("w") as f:
        f.write(build_id)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT)


def _drop_remote(settings: Settings, build_id: str, school: str | None) -> None:
    try:
        client = chroma_client(settings, Path("."))
        for name in collection_names(build_id, school):
            client.delete_collection(name)
    except Exception:
        pass


def _previous_build(settings: Settings, current: str) -> str:
    """The newest complete build other than the live one (kept: a running app may have it open)."""
    done = [p for p in (settings.index_dir / BUILDS).iterdir() if p.name != current and BuildFiles(p).complete()]
    return max(done, key=lambda p: p.name).name if done else ""


def _prune(settings: Settings, keep: set[str]) -> None:
    """Keep the live build and the one before it (a running app may still have it open), and the
    tuned models they use."""
    builds = settings.index_dir / BUILDS
    for path in builds.iterdir():
        if path.name not in keep:
            try:  # the school the build was written for names its collections on the server
                school = BuildFiles(path).read_state().get("store", {}).get("school")
            except (OSError, ValueError):
                school = settings.school
            shutil.rmtree(path, ignore_errors=True)
            if settings.chroma_host and not path.name.startswith("."):
                _drop_remote(settings, path.name, school)
    models = settings.index_dir / "models"
    if models.is_dir():
        used = set()
        for path in builds.iterdir():
            if BuildFiles(path).complete():
                used.add(BuildFiles(path).read_state().get("model_dir"))
        for path in models.iterdir():
            if f"models/{path.name}" not in used:
                shutil.rmtree(path, ignore_errors=True)
