"""The index on a Chroma server (CHROMA_HOST/CHROMA_PORT) instead of embedded: a real local server."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ingest.index import run_ingest
from rag.assistant import Assistant
from rag.config import Settings
from rag.store import Index


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    # The chromadb package installs its server command beside this interpreter (CI does not put the
    # venv's bin/ on PATH).
    beside = Path(sys.executable).with_name("chroma")
    chroma = str(beside) if beside.exists() else shutil.which("chroma")
    if chroma is None:
        pytest.skip("the chroma server command is not installed")
    port = _free_port()
    proc = subprocess.Popen([chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-data")),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_answer_from_a_chroma_server(chroma_server, small_corpus, tmp_path):
    settings = Settings(index_dir=tmp_path / "idx", corpus_dir=small_corpus, chroma_host="127.0.0.1", chroma_port=chroma_server)
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
