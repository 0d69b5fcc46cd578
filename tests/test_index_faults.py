"""A damaged or misplaced index (issue 14): `check` names the problem, `ask` says one clear line instead of
a traceback, and `ingest` repairs it with no manual step, reusing every vector it can still read.

Each fault is made on a private copy of a small built index (the policy alone, packaged model), the way it
happens on a school's computer: a folder deleted, a file truncated by a full disk, garbage in the database,
an index built against a Chroma server read without it, a server that is down.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import free_port
from rag.config import PROJECT_ROOT

QUESTION = "can staff use their own phones to take photos of pupils?"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("policy-assistant")
    clean = {k: v for k, v in os.environ.items() if k not in ("CHROMA_HOST", "CHROMA_PORT")}
    return subprocess.run([str(exe), *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                          env={**clean, **(env or {})})


@pytest.fixture(scope="module")
def template(tmp_path_factory, make_small_corpus_fn):
    root = tmp_path_factory.mktemp("faults")
    corpus = make_small_corpus_fn(root / "corpus")
    index = root / "index"
    run = cli("ingest", "--corpus", str(corpus), "--index", str(index), "--no-tune", "-q")
    assert run.returncode == 0, run.stderr
    return corpus, index


@pytest.fixture
def copy(template, tmp_path):
    corpus, index = template
    return corpus, Path(shutil.copytree(index, tmp_path / "index"))


def build_of(index: Path) -> Path:
    return index / "builds" / (index / "CURRENT").read_text().strip()


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def delete_hnsw(build: Path) -> None:
    files = list((build / "chroma").glob("*/data_level0.bin"))
    assert files, "no HNSW segment files in the build"
    for f in files:
        f.unlink()


def garbage_sqlite(build: Path) -> None:
    (build / "chroma" / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)


def edit_state(build: Path, **changes) -> None:
    state = json.loads((build / "state.json").read_text())
    state.update(changes)
    (build / "state.json").write_text(json.dumps(state))


FAULTS = {
    "chroma folder deleted": lambda b: shutil.rmtree(b / "chroma"),
    "garbage in chroma.sqlite3": garbage_sqlite,
    "questions.json truncated": lambda b: truncate(b / "questions.json"),
    "records truncated": lambda b: truncate(next((b / "records").glob("*.json"))),
    "state.json truncated": lambda b: truncate(b / "state.json"),
    "manifest.json truncated": lambda b: truncate(b / "manifest.json"),
    # built with CHROMA_HOST set, now read without it
    "server-mode build read locally": lambda b: edit_state(b, store={"mode": "server", "host": "127.0.0.1", "port": 9}),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_damaged_build_is_reported_then_repaired_by_ingest(copy, fault):
    corpus, index = copy
    FAULTS[fault](build_of(index))
    where = ["--corpus", str(corpus), "--index", str(index)]

    check = cli("check", *where)
    assert check.returncode == 1 and "problem:" in check.stdout, (fault, check.stdout, check.stderr)

    ask = cli("ask", QUESTION, *where)
    assert ask.returncode != 0 or "6.2.4" in ask.stdout, fault  # some faults still answer: fine
    assert "Traceback" not in ask.stderr, (fault, ask.stderr)

    repair = cli("ingest", *where, "--no-tune")
    assert repair.returncode == 0 and "nothing changed" not in repair.stdout, (fault, repair.stdout, repair.stderr)
    assert "needs repair" in repair.stdout, repair.stdout

    # check reads every file and searches every collection: whole again
    assert cli("check", *where).returncode == 0, fault
    if fault == "chroma folder deleted":
        fixed = cli("ask", QUESTION, *where, "--json")
        assert fixed.returncode == 0 and json.loads(fixed.stdout)["citations"][0]["clause"] == "6.2.4", fixed.stderr


def test_a_deleted_vector_index_file_is_reported_on_the_real_index(settings_live, tmp_path):
    """A small collection is searched from Chroma's write log, so the HNSW files matter only at full size: this
    fault is made on a copy of the real build (the repair path is the one tested above for a deleted folder)."""
    live = build_of(settings_live.index_dir)
    index = tmp_path / "index"
    shutil.copytree(live, index / "builds" / live.name)
    (index / "CURRENT").write_text(live.name)
    model_dir = json.loads((live / "state.json").read_text()).get("model_dir")
    if model_dir:
        (index / model_dir).parent.mkdir(parents=True)
        (index / model_dir).symlink_to(settings_live.index_dir / model_dir)
    delete_hnsw(build_of(index))
    check = cli("check", "--index", str(index))
    assert check.returncode == 1 and "cannot be read" in check.stdout, check.stdout
    ask = cli("ask", QUESTION, "--index", str(index))
    assert ask.returncode == 2 and "Traceback" not in ask.stderr and "policy-assistant ingest" in ask.stderr, ask.stderr


def test_a_missing_tuned_model_is_one_clear_line(copy):
    corpus, index = copy
    edit_state(build_of(index), model_dir="models/0000000000000000")
    where = ["--corpus", str(corpus), "--index", str(index)]
    check = cli("check", *where)
    assert check.returncode == 1 and "tuned model" in check.stdout
    ask = cli("ask", QUESTION, *where)
    assert ask.returncode == 2 and "Traceback" not in ask.stderr and "policy-assistant ingest" in ask.stderr, ask.stderr


def test_a_chroma_server_that_is_down_is_found_before_any_embedding(copy):
    corpus, index = copy
    port = free_port()  # nothing listens here
    run = cli("ingest", "--corpus", str(corpus), "--index", str(index), "--no-tune",
              env={"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(port)})
    assert run.returncode == 2 and "not answering" in run.stderr, run.stderr
    assert "embedded" not in run.stdout and "Traceback" not in run.stderr


def test_undecodable_bytes_in_a_question_are_replaced_not_fatal(copy):
    corpus, index = copy
    exe = Path(sys.executable).with_name("policy-assistant")
    run = subprocess.run([str(exe), "ask", b"can staff use \xff phones?".decode("utf-8", "surrogateescape"), "--json",
                          "--corpus", str(corpus), "--index", str(index)], capture_output=True, timeout=300, cwd=PROJECT_ROOT)
    assert run.returncode == 0, run.stderr
    json.loads(run.stdout)
    chat = subprocess.run([str(exe), "chat", "--corpus", str(corpus), "--index", str(index)],
                          input=b"can staff use \xff phones in class?\n\n", capture_output=True, timeout=300, cwd=PROJECT_ROOT)
    assert chat.returncode == 0 and b"Traceback" not in chat.stderr, chat.stderr


def test_serving_and_checking_never_change_the_build(copy):
    """Asking and `check` read the build; every file stays byte for byte as ingest wrote it."""
    import hashlib

    corpus, index = copy
    build = build_of(index)

    def digest() -> dict[str, str]:
        return {str(p.relative_to(build)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(build.rglob("*")) if p.is_file()}

    before = digest()
    where = ["--corpus", str(corpus), "--index", str(index)]
    assert cli("check", *where).returncode == 0
    assert cli("ask", QUESTION, *where).returncode == 0
    assert digest() == before


def test_the_app_shows_a_notice_not_a_traceback_on_a_damaged_index(copy, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from rag.config import get_settings

    corpus, index = copy
    shutil.rmtree(build_of(index) / "chroma")
    monkeypatch.setenv("POLICY_ASSISTANT_INDEX", str(index))
    monkeypatch.setenv("POLICY_ASSISTANT_CORPUS", str(corpus))
    get_settings.cache_clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
        assert not at.exception, at.exception
        assert any("could not be opened" in e.value and "policy-assistant check" in e.value for e in at.error), \
            [e.value for e in at.error]
    finally:
        monkeypatch.delenv("POLICY_ASSISTANT_INDEX")
        monkeypatch.delenv("POLICY_ASSISTANT_CORPUS")
        get_settings.cache_clear()
        st.cache_resource.clear()


def test_on_first_start_the_app_says_the_index_is_being_built(tmp_path, monkeypatch):
    """`make app` on a fresh clone serves while the first index is built: the page says so, then carries on."""
    import streamlit as st
    from filelock import FileLock
    from streamlit.testing.v1 import AppTest

    from rag.config import get_settings

    index = tmp_path / "index"
    index.mkdir()
    monkeypatch.setenv("POLICY_ASSISTANT_INDEX", str(index))
    get_settings.cache_clear()
    st.cache_resource.clear()
    lock = FileLock(index / ".lock")
    try:
        with lock:  # an ingest is running
            at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
            assert not at.exception, at.exception
            assert any("being indexed for the first time" in i.value for i in at.info), [i.value for i in at.info]
        # no ingest running and no index: how to build one
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
        assert any("policy-assistant ingest" in e.value for e in at.error), [e.value for e in at.error]
    finally:
        monkeypatch.delenv("POLICY_ASSISTANT_INDEX")
        get_settings.cache_clear()
        st.cache_resource.clear()
