"""Run datasets through Assistant.ask, write per-question rows, compute metrics and baselines."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.baselines import Baselines
from evals.datasets_io import load_rows, load_thresholds
from evals.metrics import ANSWERED, check, compute, model_metrics
from rag.assistant import Assistant


def _as_result(ranked: list[tuple[str, str]]) -> dict:
    return {"citations": [{"doc_id": d, "clause": c, "doc_title": ""} for d, c in ranked], "answer": "", "refused": False}


def run(paths: list[Path], assistant: Assistant, with_baselines: bool = True,
        progress: Callable[[str], None] = print) -> dict[str, Any]:
    rows = [r for p in paths for r in load_rows(p)]
    results: list[dict] = []
    started = time.monotonic()
    for i, row in enumerate(rows, 1):
        ans = assistant.ask(row["question"], audience=row.get("audience"), history=row.get("history"))
        results.append({**ans.to_json(), "id": row["id"]})
        if i % 25 == 0 or i == len(rows):
            progress(f"  {i}/{len(rows)} questions")
    metrics = {"all": compute(rows, results)}
    for name in sorted({r["_dataset"] for r in rows}):
        pairs = [(r, a) for r, a in zip(rows, results) if r["_dataset"] == name]
        metrics[name] = compute([r for r, _ in pairs], [a for _, a in pairs])
    # Per document the answerable questions and look-ups point at (the policy, each guidance document).
    for doc in sorted({r.get("expected_doc") for r in rows if r["kind"] in ANSWERED and r.get("expected_doc")}):
        pairs = [(r, a) for r, a in zip(rows, results) if r["kind"] in ANSWERED and r.get("expected_doc") == doc]
        metrics[f"answerable:{doc}"] = compute([r for r, _ in pairs], [a for _, a in pairs])
    baselines: dict[str, dict] = {}
    if with_baselines:
        progress("  baselines: BM25 only, dense only, naive chunks ...")
        from rag.embeddings import get_embeddings

        b = Baselines(assistant.retriever, assistant.settings.corpus_dir, assistant.settings.index_dir / "eval-cache")
        retrieval_rows = [r for r in rows if r.get("expected_clauses") and r["kind"] != "out_of_scope"]
        questions = [r["question"] for r in retrieval_rows]
        # Dense-only searches the index's clause vectors, so it asks with the index's model; the naive
        # build is the packaged model over raw chunks, as a first prototype would be.
        index_vectors = assistant.index.embeddings.embed_documents(questions)
        base_vectors = get_embeddings().embed_documents(questions)
        for name, fn in (
            ("bm25_only", lambda r, i: b.bm25_only(r["question"])),
            ("dense_only", lambda r, i: b.dense_only(r["question"], index_vectors[i])),
            ("naive_chunks", lambda r, i: b.naive_chunks(base_vectors[i])),
        ):
            res = [_as_result(fn(r, i)) for i, r in enumerate(retrieval_rows)]
            m = compute(retrieval_rows, res)
            baselines[name] = {k: m[k] for k in ("cite_at_1", "cite_at_3", "mrr")}
    thresholds = load_thresholds(paths)
    failures = check(metrics["all"], thresholds)
    return {"rows": rows, "results": results, "metrics": metrics, "baselines": baselines, "thresholds": thresholds,
            "model": model_metrics(results),
            "failures": failures, "seconds": round(time.monotonic() - started, 1)}


def write_results(outcome: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in outcome["results"]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    summary = {k: outcome.get(k) for k in ("metrics", "baselines", "thresholds", "failures", "seconds", "model")}
    path.with_suffix(".summary.json").write_text(json.dumps(summary, indent=2))
