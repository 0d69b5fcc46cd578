"""The index on a Chroma server (CHROMA_HOST/CHROMA_PORT) instead of embedded: a real local server."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import add_document, free_port, local_server, make_small_corpus
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


def _second_school(dest: Path) -> Path:
    """Another school's corpus: a renamed copy of the policy (its school, DSL and id changed), no example questions."""
    src = next((make_small_corpus(dest / "src") / "policy").glob("*.md")).read_text(encoding="utf-8")
    text = (src.replace("Meopham Community Academy", "Hollybank Primary School")
            .replace("Michele Sowden-Mehta", "Test Person-Hollybank"))
    (dest / "corpus" / "policy").mkdir(parents=True)
    (dest / "corpus" / "policy" / "hollybank.md").write_text(text, encoding="utf-8")
    (dest / "corpus" / "manifest.toml").write_text("", encoding="utf-8")
    add_document(dest / "corpus", None, None, id="hollybank-policy-2026", title="Hollybank mobile technology policy",
                 kind="policy", structure="outline", file="policy/hollybank.md", short_title="Hollybank policy")
    school = (dest / "src" / "school.toml").read_text(encoding="utf-8")
    (dest / "corpus" / "school.toml").write_text(school.replace("meopham-policy-2020", "hollybank-policy-2026")
                                                 .replace("Meopham Community Academy", "Hollybank Primary School"), encoding="utf-8")
    return dest / "corpus"


def test_a_trusts_schools_share_one_server_without_crossing(chroma_server, small_corpus, tmp_path):
    quiet = {"progress": lambda m: None}
    a = Settings(index_dir=tmp_path / "a", corpus_dir=small_corpus, chroma_host="127.0.0.1", chroma_port=chroma_server,
                 tune_model=False, school="meopham")
    b = Settings(index_dir=tmp_path / "b", corpus_dir=_second_school(tmp_path / "hollybank"), chroma_host="127.0.0.1",
                 chroma_port=chroma_server, tune_model=False, school="hollybank")
    built_a, built_b = run_ingest(a, **quiet), run_ingest(b, **quiet)
    names = {c.name for c in Index.open(a).client.list_collections()}
    assert {f"meopham-clauses-{built_a.build}", f"hollybank-clauses-{built_b.build}"} <= names
    question = "who is the designated safeguarding lead?"
    for settings, doc, dsl, other in ((a, "meopham-policy-2020", "Sowden-Mehta", "Person-Hollybank"),
                                      (b, "hollybank-policy-2026", "Person-Hollybank", "Sowden-Mehta")):
        ans = Assistant(settings).ask(question, audience="staff")
        assert ans.citations and {c.doc_id for c in ans.citations} == {doc}, ans.citations
        assert dsl in ans.answer and other not in ans.answer
    # School B re-ingests twice (its old builds are pruned): school A's collections stay and still answer.
    policy_b = next((b.corpus_dir / "policy").glob("*.md"))
    for word in ("must", "shall"):
        policy_b.write_text(policy_b.read_text().replace("- 6.2.4 Staff will only use", f"- 6.2.4 Staff {word} only use")
                            .replace("- 6.2.4 Staff must only use", f"- 6.2.4 Staff {word} only use"))
        assert not run_ingest(b, **quiet).noop
    names = {c.name for c in Index.open(a).client.list_collections()}
    assert f"meopham-clauses-{built_a.build}" in names and f"hollybank-clauses-{built_b.build}" not in names
    assert Assistant(a).ask(question, audience="staff").citations[0].doc_id == "meopham-policy-2020"
    # A's index opened under B's name is found out, not read as B's.
    from rag.store import verify_build
    assert any("school 'meopham'" in p for p in verify_build(a.model_copy(update={"school": "hollybank"})))
