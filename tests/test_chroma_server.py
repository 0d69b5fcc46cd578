"""The index on a Chroma server (CHROMA_HOST/CHROMA_PORT) instead of embedded: a real local server."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import free_port, local_server
from ingest.index import run_ingest
from rag.assistant import Assistant
from rag.config import Settings
from rag.store import Index


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    # The chromadb package installs its server command beside this interpreter (CI does not put the
    # venv's bin/ on PATH).
    beside = Path(sys.executable).with_name("chroma")
    chroma = str(beside) if beside.exists() else shutil.which("chroma")
    if chroma is None:
        pytest.skip("the chroma server command is not installed")
    port = free_port()
    cmd = [chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-data")), "--host", "127.0.0.1", "--port", str(port)]
    with local_server(cmd, f"http://127.0.0.1:{port}/api/v2/heartbeat", "the chroma server", timeout_s=60):
        yield port


def test_ingest_and_answer_from_a_chroma_server(chroma_server, small_corpus, tmp_path):
    settings = Settings(index_dir=tmp_path / "idx", corpus_dir=small_corpus, chroma_host="127.0.0.1", chroma_port=chroma_server,
                        tune_model=False)  # tuning is tested on the real index
    first = run_ingest(settings, progress=lambda m: None)
    assert first.embedded > 0 and not first.noop
    # The vectors are on the server, not in the build folder.
    assert not (tmp_path / "idx" / "builds" / first.build / "chroma").exists()
    ans = Assistant(settings).ask("can i use my phone in the toilets", audience="staff")
    assert ans.citations[0].clause == "6.1.4"
    # Nothing changed: no rebuild.
    assert run_ingest(settings, progress=lambda m: None).noop
    # A change builds new collections, reusing the server's vectors; old builds' collections are dropped.
    policy = next((small_corpus / "policy").glob("*.md"))
    for n, word in enumerate(["must", "shall"]):
        policy.write_text(policy.read_text().replace(
            "- 6.2.4 Staff will only use" if n == 0 else "- 6.2.4 Staff must only use", f"- 6.2.4 Staff {word} only use"))
        changed = run_ingest(settings, progress=lambda m: None)
        assert 0 < changed.embedded < 5
    client = Index.open(settings).client
    names = {c.name for c in client.list_collections()}
    assert f"clauses-{changed.build}" in names
    assert f"clauses-{first.build}" not in names  # two builds ago: pruned from the server
