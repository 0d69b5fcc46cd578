"""The school's facts are data (corpus/school.toml), not code: a renumbered policy, or another school's, needs
no code change."""
from __future__ import annotations

import io
import re
import tokenize

import pytest

from conftest import PROJECT_ROOT, make_small_corpus
from ingest.errors import IngestError
from ingest.index import run_ingest
from rag.assistant import Assistant
from rag.config import Settings

# A clause number ("6.2.4"), the policy's unnumbered section, or this school's name or people, in a string.
SCHOOL_SPECIFIC = re.compile(r"(?<![\w\\{])\d{1,2}\.\d{1,2}(\.\d{1,2})?(?!\w)|\b(Key Details|Meopham|Pathway Academy|Sowden|Gula)\b", re.I)


def _code_strings(path):
    """String literals that are not docstrings or comments (examples in docstrings are documentation)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
    for i, t in enumerate(tokens):
        if t.type != tokenize.STRING:
            continue
        before = [x for x in tokens[:i] if x.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                                                          tokenize.DEDENT, tokenize.COMMENT)]
        if not before or before[-1].string == ":":  # a module or function docstring
            continue
        yield t


def test_no_clause_number_section_or_school_name_is_in_the_code():
    files = [*sorted((PROJECT_ROOT / "rag").glob("*.py")), PROJECT_ROOT / "ui.py", PROJECT_ROOT / "app.py",
             *sorted((PROJECT_ROOT / "pages").glob("*.py"))]
    found = [f"{p.relative_to(PROJECT_ROOT)}:{t.start[0]} {t.string[:60]}" for p in files for t in _code_strings(p)
             if SCHOOL_SPECIFIC.search(t.string)]
    assert not found, found


def _revise(corpus):
    """The policy re-issued: section 6.7 renumbered to 6.10 (so the LADO clause moves from 6.7.4 to 6.10.4), a
    clause added (6.2.8), one deleted (6.2.6), and a new DSL team. school.toml updated as the school would."""
    policy = next((corpus / "policy").glob("*.md"))
    text = policy.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s*-?\s*)6\.7\.(\d+)", r"\g<1>6.10.\2", text)
    text = re.sub(r"(?m)^(\s*)6\.7(\s)", r"\g<1>6.10\2", text)
    last = "in line with our allegations policy.\n"
    assert "- 6.2.7 " in text and last in text
    text = text.replace(last, last + "- 6.2.8 Staff must sign out school cameras at the office before a trip.\n", 1)
    deleted = "- 6.2.6 If a member of staff breaches our policy, action will be taken in line with our staff behaviour and allegations policy.\n"
    assert deleted in text
    text = text.replace(deleted, "")
    for old, new in (("Michele Sowden-Mehta, Headteacher", "Alex Rivers, Headteacher"),
                     ("Paul Hale, Deputy Headteacher", "Sam Okafor, Deputy Headteacher")):
        assert old in text
        text = text.replace(old, new)
    policy.write_text(text, encoding="utf-8")
    school = corpus / "school.toml"
    school.write_text(school.read_text(encoding="utf-8").replace('lado = "6.7.4"', 'lado = "6.10.4"')
                      .replace('"6.7"', '"6.10"'), encoding="utf-8")


@pytest.fixture(scope="module")
def revised(tmp_path_factory):
    root = tmp_path_factory.mktemp("revised")
    corpus = make_small_corpus(root / "corpus")
    _revise(corpus)
    settings = Settings(index_dir=root / "index", corpus_dir=corpus, tune_model=False)
    run_ingest(settings, progress=lambda m: None)
    return settings


def test_a_renumbered_policy_routes_a_staff_concern_to_the_lado_clauses_new_number(revised):
    ans = Assistant(revised).ask("a colleague keeps messaging a year 8 girl on snapchat late at night", audience="staff")
    assert ans.escalation and ans.citations[0].clause == "6.10.4", [c.clause for c in ans.citations]
    assert "6.7.4" not in ans.answer


def test_the_added_clause_is_found(revised):
    ans = Assistant(revised).ask("do I need to sign out a school camera before a trip?", audience="staff")
    assert ans.citations[0].clause == "6.2.8", [c.clause for c in ans.citations]


def test_the_banner_and_contacts_show_the_new_dsl_team(revised):
    a = Assistant(revised)
    assert a.school.dsl_team[:2] == ("Alex Rivers, Headteacher", "Sam Okafor, Deputy Headteacher")
    ans = a.ask("my daughter says a man online keeps asking her for pictures", audience="parent")
    dsl = next(s for s in ans.route_steps if s.role == "dsl_team")
    assert "Alex Rivers, Headteacher" in dsl.names and "Alex Rivers" in ans.answer and "Sowden-Mehta" not in ans.answer


def test_a_clause_that_school_toml_names_but_the_policy_lacks_stops_ingest(tmp_path):
    corpus = make_small_corpus(tmp_path / "corpus")
    school = corpus / "school.toml"
    school.write_text(school.read_text(encoding="utf-8").replace('lado = "6.7.4"', 'lado = "6.7.40"'), encoding="utf-8")
    with pytest.raises(IngestError, match=r"routes\.lado names clause '6\.7\.40'"):
        run_ingest(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, tune_model=False), progress=lambda m: None)


def test_a_corpus_without_school_toml_is_one_clear_error(tmp_path):
    corpus = make_small_corpus(tmp_path / "corpus")
    (corpus / "school.toml").unlink()
    with pytest.raises(IngestError, match="school.toml: not found"):
        run_ingest(Settings(index_dir=tmp_path / "index", corpus_dir=corpus, tune_model=False), progress=lambda m: None)


def test_the_example_questions_of_moved_clauses_follow_them(revised):
    from rag.store import Index

    placed = {(q.clause, q.question) for q in Index.open(revised).questions if q.kind == "example"}
    lado = {q for c, q in placed if c == "6.10.4"}
    assert lado and not {c for c, _ in placed if c.startswith("6.7.")}
    assert any(c == "Key Details" for c, _ in placed), "the DSL list's questions stayed with it under new names"
    assert not {q for c, q in placed if c == "6.2.6"}


def test_questions_review_lists_the_questions_of_the_deleted_clause(revised):
    import subprocess
    import sys
    from pathlib import Path

    cli = Path(sys.executable).with_name("policy-assistant")
    run = subprocess.run([str(cli), "questions", "--review", "--index", str(revised.index_dir), "--corpus",
                          str(revised.corpus_dir)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "§ 6.2.6" in run.stdout and "nearest now: § " in run.stdout
    assert "6.10.4" not in run.stdout.split("nearest now")[0]  # the moved clauses are not listed as lost
