"""Tune the fusion weights and the "not covered" threshold on the eval datasets.

Prints, for a grid of weights, cite@1 / cite@3 / MRR over the questions with an expected clause (scored
by ranx), and for candidate relevance thresholds the out-of-scope refusal and false-refusal rates.
Run: python benchmarks/tune_retrieval.py [--write]   (numbers, not a test; `make bench` installs ranx)
--write puts the best weights into rag/tuned.toml [retrieval] (tomlkit keeps its comments): check them on
evals/dev/ before committing.

The grid is ours, not ranx's fusion optimiser: the score is a weighted sum with multiplicative priors
(guidance, named document) that ranx's fusion methods do not model.
"""
from __future__ import annotations

import argparse
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
from rag.tuned import PATH as TUNED_PATH  # noqa: E402

GRID = {"dense_c": [0.1, 0.2], "dense_q": [0.45, 0.6], "bm25_c": [0.0, 0.1], "bm25_q": [0.1, 0.2, 0.3],
        "dense_s": [0.0, 0.1, 0.2, 0.3], "guidance_prior": [0.9, 1.0]}


def write_weights(weights: FusionWeights) -> None:
    import tomlkit

    doc = tomlkit.parse(TUNED_PATH.read_text(encoding="utf-8"))
    for name in GRID:
        doc["retrieval"][name] = getattr(weights, name)
    TUNED_PATH.write_text(tomlkit.dumps(doc), encoding="utf-8")
    print(f"wrote {', '.join(f'{n}={getattr(weights, n)}' for n in GRID)} to {TUNED_PATH}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the best weights to rag/tuned.toml")
    args = parser.parse_args()
    from ranx import Qrels, Run, evaluate

    rows = [r for p in sorted((ROOT / "evals/datasets").glob("*.jsonl")) for r in load_rows(p)]
    for r in rows:  # as Assistant.ask searches
        r["question"] = normalize(r["question"])
    a = Assistant().warm()
    emb = a.index.embeddings  # the model the index was embedded with
    vectors = emb.embed_documents([r["question"] for r in rows])
    retrieval = [(r, v) for r, v in zip(rows, vectors) if r.get("expected_clauses") and r["kind"] != "out_of_scope"
                 and a.retriever.lookup(r["question"]) is None]

    # Relevance judgements: the expected clauses of the expected document, keyed as the retriever keys hits.
    qrels = Qrels({r["id"]: {f"{r.get('expected_doc') or '*'}#{c}": 1 for c in r["expected_clauses"]} for r, _ in retrieval})
    any_doc = {r["id"] for r, _ in retrieval if not r.get("expected_doc")}

    def score(weights: FusionWeights) -> tuple[float, float, float]:
        a.retriever.weights = weights
        run = {}
        for r, v in retrieval:
            hits = a.retriever.search(r["question"], r.get("audience"), k=10, vector=v)
            # scores strictly decreasing with rank: ranx sorts by score, and ties must keep the retriever's order
            run[r["id"]] = {(f"*#{h.clause}" if r["id"] in any_doc else f"{h.doc_id}#{h.clause}"): float(len(hits) - i)
                            for i, h in reversed(list(enumerate(hits)))} or {"-": 0.0}
        m = evaluate(qrels, Run(run), ["hit_rate@1", "hit_rate@3", "mrr"])
        return m["hit_rate@1"], m["hit_rate@3"], m["mrr"]

    base = FusionWeights()
    print(f"{len(retrieval)} retrieval questions; current weights {base}: cite@1 {score(base)[0]:.3f}")
    results = []
    for values in itertools.product(*GRID.values()):
        w = replace(base, **dict(zip(GRID, values)))
        results.append((score(w), w))
    results.sort(key=lambda x: (-x[0][0], -x[0][1], -x[0][2]))
    print("best weights (cite@1, cite@3, MRR):")
    for (c1, c3, m), w in results[:8]:
        print(f"  {c1:.3f} {c3:.3f} {m:.3f}  dense_c={w.dense_c} dense_q={w.dense_q} bm25_c={w.bm25_c} bm25_q={w.bm25_q} dense_s={w.dense_s} guidance_prior={w.guidance_prior}")
    a.retriever.weights = results[0][1]
    if args.write:
        write_weights(results[0][1])

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
