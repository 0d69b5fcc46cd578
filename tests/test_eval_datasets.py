"""The eval datasets are valid against the real index: a broken dataset would make the CI gate meaningless."""
from __future__ import annotations

import json

from evals.validate import DATASETS, validate
from rag.config import get_settings
from rag.retrieve import Retriever
from rag.store import Index


def test_datasets_are_valid_against_the_indexed_documents():
    paths = sorted(DATASETS.glob("*.jsonl"))
    assert {p.name for p in paths} >= {"policy_qa.jsonl", "guidance_qa.jsonl"}
    assert validate(paths, Retriever(Index.open(get_settings()))) == []


def test_the_multi_turn_set_is_valid_against_the_indexed_documents():
    # Its expected clauses and phrases are the follow-up's: a wrong one would make that gate meaningless.
    paths = sorted((DATASETS.parent / "multiturn").glob("*.jsonl"))
    assert paths and validate(paths, Retriever(Index.open(get_settings()))) == []


def test_the_validator_catches_a_wrong_clause_and_a_phrase_not_in_it(tmp_path):
    bad = tmp_path / "bad.jsonl"
    rows = [
        {"id": "x1", "audience": "staff", "question": "q", "kind": "answerable", "expected_clauses": ["2.1"], "must_mention": []},
        {"id": "x2", "audience": "staff", "question": "q", "kind": "answerable", "expected_clauses": ["6.2.4"],
         "must_mention": ["personal phones are fine"]},
        {"id": "x2", "audience": "alien", "question": "what does 6.2.4 say", "kind": "clause_lookup", "expected_clauses": [],
         "must_mention": []},
        {"id": "x3", "audience": "staff", "question": "a girl has had FGM", "kind": "escalation", "expected_clauses": ["42"],
         "expected_doc": "kcsie-2025", "must_mention": []},
    ]
    bad.write_text("\n".join(json.dumps(r) for r in rows))
    errors = "\n".join(validate([bad], Retriever(Index.open(get_settings()))))
    for expected in ("'2.1' does not exist", "'personal phones are fine' is in none", "audience 'alien'",
                     "6.2.4 exists", "'x2' is used 2 times", "x3: an escalation row expects the route"):
        assert expected in errors


def test_a_refused_answer_does_not_count_as_citing_its_closest_passages():
    from evals.metrics import compute

    row = {"id": "x", "kind": "answerable", "question": "q", "expected_clauses": ["6.6.6"], "must_mention": []}
    cite = {"doc_id": "meopham-policy-2020", "clause": "6.6.6", "doc_title": "Policy"}
    answered = compute([row], [{"answer": "", "citations": [cite], "refused": False}])
    refused = compute([row], [{"answer": "", "citations": [cite], "refused": True}])
    assert answered["cite_at_3"] == 1.0 and refused["cite_at_3"] == 0.0 and refused["false_refusal"] == 1.0


def test_an_escalation_row_counts_the_policys_route_cited_first():
    # A KCSIE concern's answer leads with the school's DSL team: "doc_id#clause" names that route.
    from evals.metrics import rank_of_expected

    row = {"id": "x", "kind": "escalation", "question": "q", "expected_doc": "kcsie-2025",
           "expected_clauses": ["42", "meopham-policy-2020#Key Details"], "must_mention": []}
    route = {"doc_id": "meopham-policy-2020", "clause": "Key Details"}
    para = {"doc_id": "kcsie-2025", "clause": "42"}
    assert rank_of_expected(row, {"citations": [route, para], "escalation": True}) == 1
    assert rank_of_expected(row, {"citations": [{"doc_id": "working-together-2023", "clause": "Key Details"}, para]}) == 2
    assert rank_of_expected(row, {"citations": [{"doc_id": "meopham-policy-2020", "clause": "42"}]}) is None


def test_the_frozen_test_set_is_unchanged_since_its_hash_was_pinned():
    # A frozen set is run once and never edited: a changed file would report numbers for another set.
    import hashlib
    import tomllib

    from evals.validate import DATASETS

    folder = DATASETS.parent / "frozen"
    cfg = tomllib.loads((folder / "config.toml").read_text())["frozen"]
    assert hashlib.sha256((folder / cfg["file"]).read_bytes()).hexdigest() == cfg["sha256"]
