"""Building and updating the index: incremental, atomic, one ingest at a time.

Small corpora (the policy, ~500 embeddings) except the no-op check on the real index. Ingests
whose result is then searched run as `policy-assistant ingest` in their own process, as a user
runs them; the tests at the end run them inside this process.
"""
from __future__ import annotations

import fcntl
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.index import IngestBusy, run_ingest
from rag.config import PROJECT_ROOT, Settings
from rag.store import Index, collection_names

POLICY_ID = "meopham-policy-2020"
POLICY_FILE = "policy/meopham-mobile-technology-and-social-media-policy-2020.md"
KCSIE_TXT = PROJECT_ROOT / "corpus/guidance/kcsie-2025.txt"

OLD_614 = "classrooms, changing rooms, toilets and swimming pools."
NEW_614 = "classrooms, changing rooms, toilets, swimming pools and the school library."

TRIPS_MD = """Guidance on school trips

1. Mobile phones on trips

- 1.1 Pupils on residential school trips may bring a mobile phone only with the written consent of the trip leader; phones are handed in at bedtime.
- 1.2 Trip leaders will carry a charged school mobile phone at all times during the trip and will give its number to parents before departure.
"""


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("policy-assistant")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "cli"]
    return subprocess.run(cmd + list(args), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def ingest_cli(corpus: Path, index: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # --no-tune: these tests are about ingest's bookkeeping; tuning (minutes) is tested on the real index.
    return cli("ingest", "--corpus", str(corpus), "--index", str(index), "--no-tune", *extra, env=env)


SUMMARY = re.compile(r"ingested (\d+) documents: (\d+) clauses, (\d+) example questions; embedded (\d+), "
                     r"reused (\d+), removed (\d+); parsed: (.*?); ")


def summary_of(run: subprocess.CompletedProcess) -> dict:
    assert run.returncode == 0, run.stderr
    m = SUMMARY.search(run.stdout)
    assert m, run.stdout
    docs, clauses, questions, embedded, reused, removed, parsed = m.groups()
    return {"documents": int(docs), "clauses": int(clauses), "questions": int(questions), "embedded": int(embedded),
            "reused": int(reused), "removed": int(removed), "parsed": parsed}


def live_id(index: Path) -> str:
    return (index / "CURRENT").read_text().strip()


def builds(index: Path) -> set[str]:
    return {p.name for p in (index / "builds").iterdir()}


def settings_for(corpus: Path, index: Path, **kw) -> Settings:
    # These tests are about ingest's bookkeeping; tuning the model (minutes) is tested on the real index.
    return Settings(index_dir=index, corpus_dir=corpus, **{"tune_model": False, **kw})


def clause_count_in_chroma(idx: Index) -> int:
    return idx.client.get_collection(collection_names(idx.build_id)[0]).count()


@dataclass
class Built:
    corpus: Path
    index: Path
    first_run: dict  # what the very first ingest did (the index folder did not exist yet)

    @property
    def settings(self) -> Settings:
        return settings_for(self.corpus, self.index)

    @property
    def policy(self) -> Path:
        return self.corpus / POLICY_FILE


@pytest.fixture(scope="module")
def template(tmp_path_factory, make_small_corpus_fn) -> Built:
    """The small corpus ingested twice (an earlier wording of 6.1.4, then today's): a live build and the one before it."""
    root = tmp_path_factory.mktemp("template")
    corpus = make_small_corpus_fn(root / "corpus")
    index = root / "not-yet" / "index"
    policy = corpus / POLICY_FILE
    original = policy.read_text(encoding="utf-8")
    assert OLD_614 in original
    policy.write_text(original.replace(OLD_614, "classrooms and changing rooms."), encoding="utf-8")
    existed = index.parent.exists()
    first = ingest_cli(corpus, index, "-q")
    first_run = {"existed_before": existed, "returncode": first.returncode, "stdout": first.stdout, "stderr": first.stderr,
                 "index_is_dir": index.is_dir(), "current": (index / "CURRENT").read_text().strip() if (index / "CURRENT").is_file() else None}
    policy.write_text(original, encoding="utf-8")
    second = ingest_cli(corpus, index, "-q")
    assert second.returncode == 0, second.stderr
    return Built(corpus, index, first_run)


@pytest.fixture
def built(template, tmp_path) -> Built:
    """A private copy of the built small corpus and its index."""
    corpus = shutil.copytree(template.corpus, tmp_path / "corpus")
    index = shutil.copytree(template.index, tmp_path / "index")
    return Built(corpus, index, template.first_run)


# ------------------------------------------------------------------ 1. nothing changed


def test_reingest_with_nothing_changed_is_a_fast_noop(settings_live):
    before = live_id(settings_live.index_dir)
    started = time.monotonic()
    s = run_ingest(settings_live, progress=lambda m: None)
    took = time.monotonic() - started
    assert s.noop and s.embedded == 0 and s.changed_documents == []
    assert s.build == before == live_id(settings_live.index_dir)
    assert s.clauses > 1000 and s.questions > 500 and s.documents == 3
    assert took < 5, f"no-op ingest took {took:.1f}s (expected < 3s)"
    run = cli("ingest")
    assert run.returncode == 0 and "nothing changed" in run.stdout, run.stdout + run.stderr
    assert live_id(settings_live.index_dir) == before


# ------------------------------------------------------------------ 6. first ingest creates the index folder


def test_first_ingest_creates_the_index_folder(built):
    first = built.first_run
    assert not first["existed_before"]
    assert first["returncode"] == 0, first["stderr"]
    assert first["index_is_dir"] and first["current"]
    s = summary_of(subprocess.CompletedProcess([], 0, first["stdout"], first["stderr"]))
    # Every clause, example question and clause sentence is embedded; nothing is reused.
    assert s["embedded"] > s["clauses"] + s["questions"] > 400 and s["reused"] == 0
    assert s["parsed"] == POLICY_ID


# ------------------------------------------------------------------ 2. one clause changed


def test_changed_clause_reembeds_only_that_clause(built):
    before = Index.open(built.settings)
    n_before = len(before.clauses)
    assert n_before == clause_count_in_chroma(before) == 98
    text = built.policy.read_text(encoding="utf-8")
    built.policy.write_text(text.replace(OLD_614, NEW_614), encoding="utf-8")

    s = summary_of(ingest_cli(built.corpus, built.index, "-q"))
    assert 0 < s["embedded"] < 10
    assert s["parsed"] == POLICY_ID  # changed_documents == [policy]
    assert s["removed"] >= 1

    idx = Index.open(built.settings)
    assert idx.build_id != before.build_id
    texts = [c.text for c in idx.clauses]
    assert any("swimming pools and the school library" in t for t in texts)
    assert not any(OLD_614 in t for t in texts)
    assert len(idx.clauses) == n_before == clause_count_in_chroma(idx)
    keys = [(c.doc_id, c.clause, c.part) for c in idx.clauses]
    assert len(keys) == len(set(keys))
    hit = idx.vectorstore("clauses").similarity_search("can I use my phone in the school library", k=3)
    assert "6.1.4" in [d.metadata["clause"] for d in hit]
    assert any("school library" in d.page_content for d in hit)


# ------------------------------------------------------------------ 3. a document added, then removed


def test_added_document_is_indexed_and_removed_document_disappears(built, add_document, remove_document):
    add_document(built.corpus, "guidance/school-trips.md", TRIPS_MD, id="trips-guidance", title="Guidance on school trips",
                 structure="outline", kind="guidance", status="current")
    s = summary_of(ingest_cli(built.corpus, built.index, "-q"))
    assert s["parsed"] == "trips-guidance" and s["documents"] == 2
    assert 0 < s["embedded"] <= 4  # its two clauses and their two sentences; the policy's vectors reused

    query = "can pupils bring a mobile phone on a residential school trip"
    idx = Index.open(built.settings)
    assert [c.clause for c in idx.clauses if c.doc_id == "trips-guidance"] == ["1.1", "1.2"]
    assert "trips-guidance" in idx.documents
    top = idx.vectorstore("clauses").similarity_search(query, k=3)
    assert top[0].metadata["doc_id"] == "trips-guidance", [(d.metadata["doc_id"], d.metadata["clause"]) for d in top]

    remove_document(built.corpus, "trips-guidance")
    s = summary_of(ingest_cli(built.corpus, built.index, "-q"))
    assert s["documents"] == 1 and s["removed"] == 2 and s["embedded"] == 0

    idx = Index.open(built.settings)
    assert not [c for c in idx.clauses if c.doc_id == "trips-guidance"]
    assert "trips-guidance" not in idx.documents
    assert not (idx.build_dir / "records" / "trips-guidance.json").exists()
    store = idx.vectorstore("clauses")
    assert store.get(where={"doc_id": "trips-guidance"})["ids"] == []
    hits = store.similarity_search(query, k=10)
    assert hits and {d.metadata["doc_id"] for d in hits} == {POLICY_ID}
    assert clause_count_in_chroma(idx) == len(idx.clauses) == 98


# ------------------------------------------------------------------ 4. killed mid-build


def _read_until(proc: subprocess.Popen, needle: str, timeout: float) -> list[str]:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"never saw {needle!r}; output: {''.join(seen)}")


def test_killed_ingest_leaves_the_live_index_serving(built, add_document):
    old = live_id(built.index)
    before = builds(built.index)
    assert len(before) == 2  # live + previous
    # A guidance document big enough that embedding takes a while (the first 30 pages of KCSIE).
    excerpt = "\f".join(KCSIE_TXT.read_text(encoding="utf-8").split("\f")[:30])
    add_document(built.corpus, "guidance/kcsie-2025-excerpt.txt", excerpt, id="kcsie-excerpt",
                 title="KCSIE 2025 (pages 1-30)", structure="paragraphs")

    exe = Path(sys.executable).with_name("policy-assistant")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "cli"]
    proc = subprocess.Popen(cmd + ["ingest", "--corpus", str(built.corpus), "--index", str(built.index), "--no-tune"],
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        _read_until(proc, "embedding", timeout=120)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    half = builds(built.index) - before
    assert len(half) == 1, "the killed ingest had started a build folder"
    assert not (built.index / "builds" / next(iter(half)) / "state.json").exists()
    assert live_id(built.index) == old
    idx = Index.open(built.settings)
    assert idx.build_id == old
    assert {c.doc_id for c in idx.clauses} == {POLICY_ID}
    hits = idx.vectorstore("clauses").similarity_search("mobile phones in classrooms", k=3)
    assert len(hits) == 3 and all(d.metadata["doc_id"] == POLICY_ID for d in hits)

    # Running the same ingest again finishes the job and clears the half-written build.
    s = summary_of(ingest_cli(built.corpus, built.index, "-q"))
    assert s["documents"] == 2 and "kcsie-excerpt" in s["parsed"]
    after = builds(built.index)
    assert live_id(built.index) != old
    assert not (half & after), "half-written build folder left behind"
    assert len(after) <= 2
    idx = Index.open(built.settings)
    assert any(c.doc_id == "kcsie-excerpt" and c.clause == "12" and c.page == 9 for c in idx.clauses)


def test_noop_ingest_clears_a_half_written_build(built):
    """What a killed ingest leaves (a build folder without state.json) goes at the next ingest, even a no-op one."""
    half = built.index / "builds" / "20250101-000000-dead00"
    half.mkdir()  # the state after SIGKILL during embedding: the folder exists, nothing written in it yet
    old = live_id(built.index)
    run = ingest_cli(built.corpus, built.index)
    assert run.returncode == 0 and "nothing changed" in run.stdout, run.stdout + run.stderr
    assert live_id(built.index) == old
    assert not half.exists(), f"half-written build left behind: {sorted(builds(built.index))}"


# ------------------------------------------------------------------ 5. two ingests at once


def test_second_ingest_is_refused_while_one_is_running(built):
    built.policy.write_text(built.policy.read_text(encoding="utf-8").replace(OLD_614, NEW_614), encoding="utf-8")
    old = live_id(built.index)
    with (built.index / ".lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(IngestBusy, match="another ingest"):
            run_ingest(settings_for(built.corpus, built.index, ingest_lock_wait_s=1), progress=lambda m: None)
        assert time.monotonic() - started < 10
        run = ingest_cli(built.corpus, built.index, env={"POLICY_ASSISTANT_INGEST_WAIT": "1"})
        assert run.returncode == 3, run.stdout + run.stderr
        assert "another ingest" in run.stderr
        fcntl.flock(held, fcntl.LOCK_UN)
    assert live_id(built.index) == old


# ------------------------------------------------------------------ ingest and query in one process


def test_index_can_be_searched_after_ingest_in_the_same_process(built):
    """A long-running process (the app, a notebook, these tests) that ingests and then searches."""
    built.policy.write_text(built.policy.read_text(encoding="utf-8").replace(OLD_614, NEW_614), encoding="utf-8")
    s = run_ingest(built.settings, progress=lambda m: None)
    assert not s.noop and 0 < s.embedded < 10 and s.changed_documents == [POLICY_ID]
    idx = Index.open(built.settings)
    assert idx.build_id == s.build
    hits = idx.vectorstore("clauses").similarity_search("can I use my phone in the school library", k=3)
    assert "6.1.4" in [d.metadata["clause"] for d in hits]


def test_second_ingest_in_the_same_process_reuses_vectors(built):
    text = built.policy.read_text(encoding="utf-8")
    built.policy.write_text(text.replace(OLD_614, NEW_614), encoding="utf-8")
    first = run_ingest(built.settings, progress=lambda m: None)
    assert 0 < first.embedded < 10
    built.policy.write_text(text.replace(OLD_614, "classrooms and toilets."), encoding="utf-8")
    second = run_ingest(built.settings, progress=lambda m: None)
    assert second.changed_documents == [POLICY_ID]
    assert 0 < second.embedded < 10, f"second ingest re-embedded {second.embedded} texts (reused {second.skipped})"


# ------------------------------------------------------------------ the tuned embedding model's lifecycle

def test_tuned_model_is_reused_while_nothing_changes_and_retrained_when_a_question_does(small_corpus, tmp_path):
    """Tuning for real on a few clauses' questions (seconds): the model serves answers, an unchanged
    corpus reuses it, a new example question trains a new one, and models no build uses are removed."""
    from rag.assistant import Assistant

    questions = small_corpus / "questions" / f"{POLICY_ID}.toml"
    head, *blocks = questions.read_text(encoding="utf-8").split("\n[[clause]]")
    questions.write_text(head + "".join("\n[[clause]]" + b for b in blocks[:3]), encoding="utf-8")
    settings = settings_for(small_corpus, tmp_path / "index", tune_model=True)
    models = settings.index_dir / "models"

    first = run_ingest(settings, progress=lambda m: None)
    assert first.tuned_on > 10
    [model_1] = list(models.iterdir())
    assert Index.open(settings).model_path == model_1
    ans = Assistant(settings=settings).ask("who are the safeguarding leads")
    assert ans.citations[0].clause == "Key Details" and "Paul Hale" in ans.answer

    again = run_ingest(settings, progress=lambda m: None)
    assert again.noop and list(models.iterdir()) == [model_1]

    def add_question(text: str) -> None:
        body = questions.read_text(encoding="utf-8")
        questions.write_text(body.replace("questions = [\n", f"questions = [\n  \"{text}\",\n", 1), encoding="utf-8")

    add_question("who do i tell if im worried about a child")
    second = run_ingest(settings, progress=lambda m: None)
    assert not second.noop and second.skipped == 0 and second.embedded > second.clauses + second.questions  # a new model: all re-embedded
    model_2 = Index.open(settings).model_path
    assert model_2 != model_1 and {p.name for p in models.iterdir()} == {model_1.name, model_2.name}  # the previous build's kept

    add_question("which teachers are the safeguarding leads")
    run_ingest(settings, progress=lambda m: None)
    assert model_1.name not in {p.name for p in models.iterdir()}  # no build left uses it
