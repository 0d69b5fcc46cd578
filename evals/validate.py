"""Check the eval datasets against the indexed documents, i.e. the clauses the assistant can cite.

Every row: a unique id, a known audience and kind; every expected clause exists in its document;
every must_mention phrase occurs in one of the expected clauses; a lookup of a clause that does
not exist expects nothing; an escalation row expects the policy's route its answer must lead with
(issue 3: the DSL team in Key Details for a concern about a child, the LADO for one about a member
of staff), naming it "doc_id#clause" when the row's expected_doc is a guidance document. The policy
dataset covers every section (at least two answerable questions each).
Run: python -m evals.validate [DATASET.jsonl ...]
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from evals.datasets_io import load_rows
from evals.metrics import split_expected
from rag.config import get_settings
from rag.retrieve import AUDIENCES, Retriever
from rag.store import Index

DATASETS = Path(__file__).resolve().parent / "datasets"
# The routes an escalation answer leads with: the DSL team (Key Details) or, for a concern about a
# member of staff, the LADO (6.7.4; 6.2.7 for illegal content on a staff device).
ESCALATION_ROUTES = {"Key Details", "6.7.4", "6.2.7"}
POLICY_SECTIONS = ["1", "2", "3", "4", "5", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", "6.9"]


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


def validate(paths: list[Path], retriever: Retriever) -> list[str]:
    errors: list[str] = []
    policy = sorted(retriever.policy_ids)[0]
    seen: Counter[str] = Counter()
    sections: Counter[str] = Counter()
    for path in paths:
        for row in load_rows(path):
            where = f"{path.name} {row['id']}"
            seen[row["id"]] += 1
            if row.get("audience") not in AUDIENCES:
                errors.append(f"{where}: audience {row.get('audience')!r} is not one of {', '.join(AUDIENCES)}")
            doc = row.get("expected_doc") or policy
            expected = row["expected_clauses"]
            if row["kind"] == "out_of_scope" and expected:
                errors.append(f"{where}: an out_of_scope row expects no clauses")
            texts = []
            routes = False
            for entry in expected:
                other_doc, clause = split_expected(entry)
                hit = retriever.clause(other_doc or doc, clause)
                if hit is None:
                    errors.append(f"{where}: clause {clause!r} does not exist in {other_doc or doc}")
                else:
                    texts.append(_norm(hit.text))
                    routes |= (other_doc or doc) == policy and clause in ESCALATION_ROUTES
            if row["kind"] == "escalation" and not routes:
                errors.append(f"{where}: an escalation row expects the route its answer leads with "
                              f"({', '.join(sorted(ESCALATION_ROUTES))} in {policy})")
            for phrase in row.get("must_mention", []):
                if texts and not any(_norm(phrase) in t for t in texts):
                    errors.append(f"{where}: must_mention {phrase!r} is in none of {expected}")
            if row["kind"] == "clause_lookup" and not expected:
                for number in re.findall(r"\d+(?:\.\d+)+", row["question"]):
                    if retriever.clause(policy, number) is not None:
                        errors.append(f"{where}: expects no clause, but {number} exists")
            if row["kind"] == "answerable" and doc == policy:
                for clause in expected:
                    for s in POLICY_SECTIONS:
                        if clause == s or clause.startswith(s + "."):
                            sections[s] += 1
                            break
    errors += [f"id {i!r} is used {n} times" for i, n in seen.items() if n > 1]
    if any(p.name == "policy_qa.jsonl" for p in paths):
        errors += [f"policy_qa.jsonl: section {s} has {sections[s]} answerable questions (needs 2)"
                   for s in POLICY_SECTIONS if sections[s] < 2]
    return errors


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(DATASETS.glob("*.jsonl"))
    errors = validate(paths, Retriever(Index.open(get_settings())))
    for e in errors:
        print(e)
    rows = sum(len(load_rows(p)) for p in paths)
    print(f"{'FAIL' if errors else 'OK'}: {rows} rows in {len(paths)} datasets, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
