"""A bad document or manifest: one line naming the file and the problem, a non-zero exit, and the
live index untouched. Run through the command, as a user would."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.index import run_ingest
from rag.config import PROJECT_ROOT, Settings

WT_PDF = PROJECT_ROOT / "corpus/guidance/working-together-to-safeguard-children-2023.pdf"


def ingest_cli(corpus: Path, index: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("policy-assistant")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "cli"]
    return subprocess.run(cmd + ["ingest", "--corpus", str(corpus), "--index", str(index), "--no-tune"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))


@dataclass(frozen=True)
class Live:
    corpus: Path
    index: Path

    def snapshot(self) -> tuple:
        current = (self.index / "CURRENT").read_text()
        state = self.index / "builds" / current.strip() / "state.json"
        return current, state.stat().st_mtime_ns, sorted(p.name for p in (self.index / "builds").iterdir())


@pytest.fixture(scope="module")
def live(tmp_path_factory, make_small_corpus_fn) -> Live:
    root = tmp_path_factory.mktemp("bad-input")
    corpus = make_small_corpus_fn(root / "corpus")
    shutil.rmtree(corpus / "questions")  # the policy's 98 clauses are index enough here
    index = root / "index"
    s = run_ingest(Settings(index_dir=index, corpus_dir=corpus, tune_model=False), progress=lambda m: None)
    assert s.clauses == 98 and s.embedded > 98 and s.skipped == 0  # the clauses and their sentences
    return Live(corpus, index)


@pytest.fixture
def corpus(live, tmp_path) -> Path:
    """A copy of the live corpus to spoil."""
    return shutil.copytree(live.corpus, tmp_path / "corpus")


# ------------------------------------------------------------------ ways to spoil a corpus


def _pdf_bytes(writer) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def corrupt_pdf() -> bytes:
    return b"%PDF-1.4\n" + b"this is not a PDF body \x00\xff garbage " * 200


def truncated_pdf() -> bytes:
    data = WT_PDF.read_bytes()
    return data[: len(data) // 2]


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(WT_PDF)).pages[8:11]:
        writer.add_page(page)
    writer.encrypt("secret")
    return _pdf_bytes(writer)


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    return _pdf_bytes(writer)


def add_bad_file(make_bytes, name):
    def spoil(corpus: Path, add_document) -> Path:
        return add_document(corpus, f"guidance/{name}", make_bytes(), id="bad-doc", title="Bad document")
    return spoil


def missing_file(corpus: Path, add_document) -> Path:
    add_document(corpus, "guidance/not-there.pdf", None, id="absent-doc", title="Listed but absent")
    return corpus / "guidance/not-there.pdf"


def invalid_toml(corpus: Path, add_document) -> Path:
    manifest = corpus / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '\n[[document]\nid = "broken\n', encoding="utf-8")
    return manifest


def entry_without_title(corpus: Path, add_document) -> Path:
    (corpus / "guidance").mkdir(exist_ok=True)
    (corpus / "guidance/notes.md").write_text("- 1.1 A clause.\n", encoding="utf-8")
    add_document(corpus, "guidance/notes.md", None, id="untitled-doc", title=None)
    return corpus / "manifest.toml"


CASES = {
    "corrupt-pdf": (add_bad_file(corrupt_pdf, "corrupt.pdf"), "corrupt"),
    "truncated-pdf": (add_bad_file(truncated_pdf, "truncated.pdf"), "corrupt"),
    "encrypted-pdf": (add_bad_file(encrypted_pdf, "encrypted.pdf"), "encrypted"),
    "pdf-without-text": (add_bad_file(blank_pdf, "scanned.pdf"), "no extractable text"),
    "empty-file": (add_bad_file(lambda: b"", "empty.md"), "empty"),
    "listed-file-missing": (missing_file, "missing"),
    "manifest-invalid-toml": (invalid_toml, "malformed"),
    "manifest-entry-without-title": (entry_without_title, "malformed"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_names_file_and_problem_and_keeps_live_index(case, live, corpus, add_document):
    spoil, problem = CASES[case]
    bad_path = spoil(corpus, add_document)
    before = live.snapshot()

    run = ingest_cli(corpus, live.index)

    assert run.returncode == 2, f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    ours = [ln for ln in run.stderr.splitlines() if ln.startswith("policy-assistant:")]
    assert len(ours) == 1, run.stderr
    line = ours[0]
    assert "ingest failed" in line
    assert str(bad_path) in line, f"{bad_path} not named in: {line}"
    assert problem in line.lower(), line
    if case == "manifest-entry-without-title":
        assert "title" in line
    assert "live index is unchanged" in run.stderr
    assert "Traceback" not in run.stderr
    assert live.snapshot() == before, "the live index changed"


def test_unlisted_file_is_a_warning_not_an_error(live, corpus):
    stray = corpus / "guidance" / "draft-policy.pdf"
    stray.parent.mkdir(exist_ok=True)
    shutil.copy2(WT_PDF, stray)
    before = live.snapshot()

    run = ingest_cli(corpus, live.index)

    assert run.returncode == 0, run.stderr
    warnings = [ln for ln in run.stderr.splitlines() if ln.startswith("warning:")]
    assert any(str(stray) in ln and "not listed" in ln for ln in warnings), run.stderr
    assert "nothing changed" in run.stdout
    assert live.snapshot() == before
