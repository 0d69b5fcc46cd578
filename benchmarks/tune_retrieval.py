"""Tune the fusion weights and the "not covered" threshold on the eval datasets.

Prints, for a grid of weights, cite@1 / cite@3 / MRR over the questions with an expected clause,
and for candidate relevance thresholds the out-of-scope refusal and false-refusal rates.
Run: python benchmarks/tune_retrieval.py   (numbers, not a test)
"""
from __future__ import annotations

import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.datasets_io import load_rows  # noqa: E402
from evals.metrics import expects_refusal  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.glossary import normalize  # noqa: E402
from rag.retrieve import FusionWeights  # noqa: E402


def main() -> None:
    rows = [r for p in sorted((ROOT / "evals/datasets").glob("*.jsonl")) for r in load_rows(p)]
    for r in rows:  # as Assistant.ask searches
        r["question"] = normalize(r["question"])
    a = Assistant().warm()
    emb = a.index.embeddings  # the model the index was embedded with
    vectors = emb.embed_documents([r["question"] for r in rows])
    retrieval = [(r, v) for r, v in zip(rows, vectors) if r.get("expected_clauses") and r["kind"] != "out_of_scope"
                 and a.retriever.lookup(r["question"]) is None]

    def score(weights: FusionWeights) -> tuple[float, float, float]:
        a.retriever.weights = weights
        r1 = r3 = mrr = 0.0
        for r, v in retrieval:
            hits = a.retriever.search(r["question"], r.get("audience"), k=10, vector=v)
            exp = set(r["expected_clauses"])
            want_doc = r.get("expected_doc")
            ranks = [i for i, h in enumerate(hits, 1) if h.clause in exp and (not want_doc or h.doc_id == want_doc)]
            if ranks:
                r1 += ranks[0] == 1
                r3 += ranks[0] <= 3
                mrr += 1 / ranks[0]
        n = len(retrieval)
        return r1 / n, r3 / n, mrr / n

    base = FusionWeights()
    print(f"{len(retrieval)} retrieval questions; current weights {base}: cite@1 {score(base)[0]:.3f}")
    results = []
    for dc, dq, bc, bq, ds, gp in itertools.product([0.1, 0.2], [0.45, 0.6], [0.0, 0.1], [0.1, 0.2, 0.3],
                                                    [0.0, 0.1, 0.2, 0.3], [0.9, 1.0]):
        w = replace(base, dense_c=dc, dense_q=dq, bm25_c=bc, bm25_q=bq, dense_s=ds, guidance_prior=gp)
        results.append((score(w), w))
    results.sort(key=lambda x: (-x[0][0], -x[0][1], -x[0][2]))
    print("best weights (cite@1, cite@3, MRR):")
    for (c1, c3, m), w in results[:8]:
        print(f"  {c1:.3f} {c3:.3f} {m:.3f}  dense_c={w.dense_c} dense_q={w.dense_q} bm25_c={w.bm25_c} bm25_q={w.bm25_q} dense_s={w.dense_s} guidance_prior={w.guidance_prior}")
    a.retriever.weights = results[0][1]

    # Threshold: the top hit's relevance for questions that should be answered vs refused.
    answer_rel, refuse_rel = [], []
    for r, v in zip(rows, vectors):
        if a.retriever.lookup(r["question"]) is not None or r["kind"] == "escalation":
            continue
        top = a.retriever.search(r["question"], r.get("audience"), k=1, vector=v)
        rel = top[0].relevance if top else 0.0
        (refuse_rel if expects_refusal(r) else answer_rel).append((rel, r["id"], r["question"]))
    print(f"\nrelevance of the top hit: {len(answer_rel)} answerable, {len(refuse_rel)} to refuse")
    for t in [x / 100 for x in range(40, 66, 2)]:
        fr = sum(rel < t for rel, *_ in answer_rel) / len(answer_rel)
        oos = sum(rel < t for rel, *_ in refuse_rel) / max(len(refuse_rel), 1)
        print(f"  threshold {t:.2f}: out-of-scope refused {oos:.3f}, false refusals {fr:.3f}")
    print("lowest answerable:", json.dumps(sorted(answer_rel)[:6]))
    print("highest to-refuse:", json.dumps(sorted(refuse_rel, reverse=True)[:6]))


if __name__ == "__main__":
    main()
