"""Example questions are checked against the clauses they point to."""
from __future__ import annotations

from pathlib import Path

from ingest.clauses import parse
from ingest.loaders import load
from ingest.questions import load_questions, stamp_questions

POLICY = "meopham-policy-2020"


def _clauses(corpus: Path):
    path = next((corpus / "policy").glob("*.md"))
    return {POLICY: parse(POLICY, load(path), "outline")}


def test_every_policy_clause_has_example_questions(small_corpus):
    qs = load_questions(small_corpus, _clauses(small_corpus))
    covered = {q.clause for q in qs.questions}
    every = {c.clause for c in _clauses(small_corpus)[POLICY]}
    assert every - covered == set()
    assert not qs.warnings


def test_a_changed_clause_flags_its_questions_for_review(small_corpus):
    stamp_questions(small_corpus, _clauses(small_corpus))
    policy = next((small_corpus / "policy").glob("*.md"))
    policy.write_text(policy.read_text().replace("- 6.2.4 Staff will only use", "- 6.2.4 Staff must only use"))
    qs = load_questions(small_corpus, _clauses(small_corpus))
    flagged = [w for w in qs.warnings if "6.2.4" in w]
    assert flagged and "has changed" in flagged[0] and "review" in flagged[0]
    assert [w for w in qs.warnings if "has changed" in w] == flagged  # only that clause
    # After review, stamping again clears the flag.
    stamp_questions(small_corpus, _clauses(small_corpus))
    assert not load_questions(small_corpus, _clauses(small_corpus)).warnings


def test_questions_for_a_clause_that_does_not_exist_are_skipped_with_a_warning(small_corpus):
    qfile = small_corpus / "questions" / f"{POLICY}.toml"
    qfile.write_text(qfile.read_text() + '\n[[clause]]\nclause = "2.1"\nquestions = ["what does 2.1 cover"]\n')
    qs = load_questions(small_corpus, _clauses(small_corpus))
    assert any("'2.1' does not exist" in w for w in qs.warnings)
    assert all(q.clause != "2.1" for q in qs.questions)
