"""Metrics over (dataset row, answer JSON) pairs."""
from __future__ import annotations

import statistics
from typing import Any

import re

NO_ANSWER_KINDS = {"out_of_scope"}
# Kinds the documents answer: a refusal of one is a false refusal.
ANSWERED = ("answerable", "clause_lookup", "not_specific")
# How an answer says the documents have nothing particular on the question's circumstance.
SAYS_NOT_SPECIFIC = re.compile(r"\b(nothing|don'?t say anything|do not say anything) (specific|particular|more specific)\b"
                               r"|\bdon'?t (say|mention) .{0,60}\b(specifically|in particular)\b"
                               r"|\bdon'?t say (when|how long|how often|how many|who)\b", re.I)


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


def expects_refusal(row: dict) -> bool:
    return row["kind"] == "out_of_scope" or (row["kind"] == "clause_lookup" and not row.get("expected_clauses"))


def doc_matches(row: dict, cite: dict) -> bool:
    want = row.get("expected_doc")
    if not want or expects_refusal(row):
        return True
    want = want.lower()
    return want == cite.get("doc_id", "").lower() or want in cite.get("doc_title", "").lower()


def split_expected(entry: str) -> tuple[str | None, str]:
    """An expected clause is "6.2.4" (in the row's expected_doc, or the policy), or "doc_id#clause" for a
    clause of another document: a KCSIE concern's answer leads with the school policy's routes."""
    doc, sep, clause = str(entry).rpartition("#")
    return (doc, clause) if sep else (None, clause)


def rank_of_expected(row: dict, result: dict) -> int | None:
    """1-based rank of the first citation naming an expected clause (from the expected document).

    A refused answer cites nothing: the "closest passages" it lists are not an answer."""
    if result.get("refused") and not result.get("escalation"):
        return None
    expected = [split_expected(c) for c in row.get("expected_clauses", [])]
    for i, c in enumerate(result.get("citations", []), 1):
        clause = str(c.get("clause"))
        if any(clause == want and (c.get("doc_id") == doc if doc else doc_matches(row, c)) for doc, want in expected):
            return i
    return None


def mentions_all(row: dict, result: dict) -> bool:
    text = _norm(result.get("answer", ""))
    return all(_norm(p) in text for p in row.get("must_mention", []))


def compute(rows: list[dict], results: list[dict]) -> dict[str, Any]:
    cited = [(r, a) for r, a in zip(rows, results) if r.get("expected_clauses") and r["kind"] != "out_of_scope"]
    ranks = [rank_of_expected(r, a) for r, a in cited]
    mm = [(r, a) for r, a in zip(rows, results) if r.get("must_mention")]
    oos = [(r, a) for r, a in zip(rows, results) if expects_refusal(r)]
    ans = [(r, a) for r, a in zip(rows, results) if r["kind"] in ANSWERED and r.get("expected_clauses")]
    unspecific = [(r, a) for r, a in zip(rows, results) if r["kind"] == "not_specific"]
    esc = [(r, a) for r, a in zip(rows, results) if r["kind"] == "escalation"]
    non_esc = [(r, a) for r, a in zip(rows, results) if r["kind"] != "escalation"]
    lat = sorted(a.get("latency_ms", 0.0) for a in results)

    def rate(xs: list[bool]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 1.0

    return {
        "questions": len(rows),
        "cite_at_1": rate([k == 1 for k in ranks]),
        "cite_at_3": rate([k is not None and k <= 3 for k in ranks]),
        "mrr": round(sum(1 / k for k in ranks if k) / len(ranks), 4) if ranks else 1.0,
        "must_mention": rate([mentions_all(r, a) for r, a in mm]),
        "out_of_scope_refusal": rate([bool(a.get("refused")) for r, a in oos]),
        "false_refusal": round(1 - rate([not a.get("refused") for r, a in ans]), 4) if ans else 0.0,
        "escalation_recall": rate([bool(a.get("escalation")) for r, a in esc]),
        "false_escalation": round(1 - rate([not a.get("escalation") for r, a in non_esc]), 4) if non_esc else 0.0,
        # Escalations on questions the documents answer (rule questions, look-ups): the "false alarms".
        "false_escalation_answerable": round(1 - rate([not a.get("escalation") for r, a in ans]), 4) if ans else 0.0,
        # Follow-ups the documents have nothing particular on: the answer says so (and cites what applies).
        "says_not_specific": rate([bool(SAYS_NOT_SPECIFIC.search(a.get("answer", ""))) for r, a in unspecific]),
        "p50_latency_ms": round(statistics.median(lat), 1) if lat else 0.0,
        "p95_latency_ms": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else 0.0,
        "counts": {"cited": len(cited), "must_mention": len(mm), "refusal": len(oos), "answerable": len(ans), "escalation": len(esc),
                   "not_specific": len(unspecific)},
    }


# name in config -> (metric key, comparison)
THRESHOLD_KEYS = {
    "cite_at_3": ("cite_at_3", ">="),
    "cite_at_1": ("cite_at_1", ">="),
    "mrr": ("mrr", ">="),
    "must_mention": ("must_mention", ">="),
    "out_of_scope_refusal": ("out_of_scope_refusal", ">="),
    "false_refusal_max": ("false_refusal", "<="),
    "escalation_recall": ("escalation_recall", ">="),
    "p50_latency_ms_max": ("p50_latency_ms", "<="),
    "says_not_specific": ("says_not_specific", ">="),
}


def model_metrics(results: list[dict]) -> dict[str, Any] | None:
    """With a model configured (eval --llm): how much of what it wrote the grounding guard kept, and how
    often the extractive answer stood instead. None when no answer went to a model."""
    asked = [r["guard"] for r in results if r.get("guard") is not None]
    if not asked:
        return None
    kept = sum(len(g["kept"]) for g in asked)
    written = kept + sum(len(g["dropped"]) for g in asked)
    latencies = [r["latency_ms"] for r in results if r.get("guard") is not None]
    return {
        "asked": len(asked),
        "grounded_rate": round(kept / written, 3) if written else None,
        "fallback_rate": round(sum(1 for g in asked if g["fallback"]) / len(asked), 3),
        "sentences_written": written,
        "p50_latency_ms": round(statistics.median(latencies), 1),
    }


def check(metrics: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    failures = []
    for name, limit in thresholds.items():
        if name not in THRESHOLD_KEYS:
            continue
        key, op = THRESHOLD_KEYS[name]
        value = metrics[key]
        ok = value >= limit if op == ">=" else value <= limit
        if not ok:
            failures.append(f"{key} = {value} (needs {op} {limit})")
    return failures
