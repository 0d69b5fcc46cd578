"""Shared fixtures for the ingestion tests.

- settings_live: the project's own settings (`.index/` built from `corpus/`).
- small_corpus: a copy of the policy and its example questions with a one-entry manifest;
  ingesting it is ~500 embeddings, a few seconds.
- make_small_corpus / add_document / remove_document: helpers to build and change corpora.
"""
from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from collections.abc import Callable
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT, get_settings

REAL_CORPUS = PROJECT_ROOT / "corpus"
POLICY_ID = "meopham-policy-2020"
POLICY_FILE = "policy/meopham-mobile-technology-and-social-media-policy-2020.md"


def _manifest_blocks(text: str) -> tuple[str, list[str]]:
    """Manifest text -> (header comments, one text block per [[document]] entry)."""
    head, *blocks = text.split("[[document]]")
    return head, ["[[document]]" + b for b in blocks]


def _block_id(block: str) -> str | None:
    for line in block.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "id":
            return json.loads(value.strip())
    return None


def _policy_entry() -> str:
    _, blocks = _manifest_blocks((REAL_CORPUS / "manifest.toml").read_text(encoding="utf-8"))
    [entry] = [b for b in blocks if _block_id(b) == POLICY_ID]
    return entry.rstrip() + "\n"


def make_small_corpus(dest: Path) -> Path:
    """dest/ gets the policy, its example questions, the school's facts and a manifest listing only the policy."""
    (dest / "policy").mkdir(parents=True)
    (dest / "questions").mkdir()
    shutil.copy2(REAL_CORPUS / POLICY_FILE, dest / POLICY_FILE)
    shutil.copy2(REAL_CORPUS / "questions" / f"{POLICY_ID}.toml", dest / "questions" / f"{POLICY_ID}.toml")
    (dest / "manifest.toml").write_text("# Test corpus: the policy only.\n\n" + _policy_entry(), encoding="utf-8")
    shutil.copy2(REAL_CORPUS / "school.toml", dest / "school.toml")
    return dest


def add_document(
    corpus: Path,
    rel_path: str | None,
    content: str | bytes | None,
    *,
    id: str,
    title: str | None = "A test document",
    publisher: str = "Test publisher",
    edition: str = "2025",
    status: str = "current",
    kind: str = "guidance",
    structure: str = "",
    **extra: str,
) -> Path | None:
    """Write the file (unless content is None) and append its manifest entry.

    A field passed as None is left out of the entry (to make a malformed one).
    """
    path = None
    if rel_path is not None and content is not None:
        path = corpus / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    fields = {"id": id, "title": title, "publisher": publisher, "edition": edition, "status": status,
              "kind": kind, "file": rel_path or "", "structure": structure, **extra}
    lines = ["", "[[document]]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items() if v is not None]
    manifest = corpus / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").rstrip() + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def remove_document(corpus: Path, doc_id: str, *, delete_file: bool = True) -> None:
    """Drop the entry from the manifest and (by default) delete its file."""
    manifest = corpus / "manifest.toml"
    head, blocks = _manifest_blocks(manifest.read_text(encoding="utf-8"))
    [gone] = [b for b in blocks if _block_id(b) == doc_id]
    kept = [b for b in blocks if _block_id(b) != doc_id]
    manifest.write_text(head + "".join(b.rstrip() + "\n\n" for b in kept), encoding="utf-8")
    if delete_file:
        for line in gone.splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() == "file" and json.loads(value.strip()):
                (corpus / json.loads(value.strip())).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def settings_live():
    """The real settings; `make test` has built `.index/` already, so this ingest is a no-op."""
    from ingest.index import run_ingest

    settings = get_settings()
    run_ingest(settings, progress=lambda m: None)
    return settings


@pytest.fixture(scope="session")
def make_small_corpus_fn() -> Callable[[Path], Path]:
    """For module-scoped fixtures: make_small_corpus_fn(dest) -> dest."""
    return make_small_corpus


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    return make_small_corpus(tmp_path / "corpus")


@pytest.fixture(name="add_document", scope="session")
def add_document_fixture():
    return add_document


@pytest.fixture(name="remove_document", scope="session")
def remove_document_fixture():
    return remove_document


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_server(cmd: list[str], health_url: str, what: str, timeout_s: float = 90, cwd: Path | None = None):
    """Run a server on loopback for a test: wait until health_url answers, stop it afterwards."""
    import subprocess
    import time
    import urllib.request

    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                urllib.request.urlopen(health_url, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"{what} did not start within {timeout_s:.0f} s")
                time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except Exception:
            proc.kill()


@pytest.fixture(scope="session")
def assistant():
    """One warmed engine on the real index for every test module that asks questions."""
    from ingest.index import run_ingest
    from rag.assistant import Assistant
    from rag.config import get_settings

    run_ingest(get_settings(), progress=lambda m: None)  # a no-op when the index is built
    return Assistant().warm()
