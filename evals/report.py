"""The evaluation report: metrics beside the baselines, then every miss."""
from __future__ import annotations

from evals.metrics import expects_refusal, mentions_all, rank_of_expected

ROWS = [
    ("cite@1", "cite_at_1"), ("cite@3", "cite_at_3"), ("MRR", "mrr"), ("must-mention", "must_mention"),
    ("out-of-scope refusal", "out_of_scope_refusal"), ("false refusal", "false_refusal"),
    ("escalation recall", "escalation_recall"), ("false escalation", "false_escalation"),
    ("false escalation on answerable", "false_escalation_answerable"),
    ("p50 latency ms", "p50_latency_ms"), ("p95 latency ms", "p95_latency_ms"),
]


def misses(outcome: dict) -> list[tuple[dict, dict, str]]:
    out = []
    for row, res in zip(outcome["rows"], outcome["results"]):
        why = []
        if row["kind"] == "escalation" and not res["escalation"]:
            why.append("missed escalation")
        if expects_refusal(row) and not res["refused"]:
            why.append("answered; should refuse")
        if not expects_refusal(row):
            if row["kind"] != "escalation" and res["refused"]:
                why.append("refused; should answer")
            if row.get("expected_clauses"):
                rank = rank_of_expected(row, res)
                if rank != 1:
                    why.append(f"expected clause at rank {rank}" if rank else "expected clause not cited")
            if row.get("must_mention") and not mentions_all(row, res):
                why.append("must-mention missing")
        if why:
            out.append((row, res, "; ".join(why)))
    return out


def render(outcome: dict) -> str:
    m = outcome["metrics"]
    names = list(m)
    lines = ["# Evaluation report", "", f"{m['all']['questions']} questions, {outcome['seconds']}s.", ""]
    lines.append("| metric | " + " | ".join(names) + " | threshold |")
    lines.append("|---|" + "---|" * (len(names) + 1))
    th = outcome["thresholds"]
    th_for = {"cite_at_1": "cite_at_1", "cite_at_3": "cite_at_3", "must_mention": "must_mention",
              "out_of_scope_refusal": "out_of_scope_refusal", "false_refusal": "false_refusal_max",
              "escalation_recall": "escalation_recall", "p50_latency_ms": "p50_latency_ms_max", "mrr": "mrr"}
    for label, key in ROWS:
        t = th.get(th_for.get(key, ""), "")
        op = "≤" if th_for.get(key, "").endswith("_max") else "≥"
        lines.append(f"| {label} | " + " | ".join(str(m[n][key]) for n in names) + f" | {op + ' ' + str(t) if t != '' else ''} |")
    if outcome["baselines"]:
        lines += ["", "## Retrieval against baselines (questions with an expected clause)", "",
                  "| system | cite@1 | cite@3 | MRR |", "|---|---|---|---|",
                  f"| **Policy Assistant** | {m['all']['cite_at_1']} | {m['all']['cite_at_3']} | {m['all']['mrr']} |"]
        for name, b in outcome["baselines"].items():
            lines.append(f"| {name.replace('_', ' ')} | {b['cite_at_1']} | {b['cite_at_3']} | {b['mrr']} |")
    lines += ["", "## Result", ""]
    lines.append("PASS" if not outcome["failures"] else "FAIL: " + "; ".join(outcome["failures"]))
    miss = misses(outcome)
    lines += ["", f"## Misses ({len(miss)})", ""]
    for row, res, why in miss:
        got = ", ".join(c["clause"] for c in res["citations"][:3]) or "none"
        lines.append(f"- **{row['id']}** ({row['kind']}, {row.get('audience', '-')}) {row['question']!r} — {why}. "
                     f"Expected {row['expected_clauses'] or 'refusal'}; cited {got}; refused={res['refused']}, escalation={res['escalation']}.")
    return "\n".join(lines) + "\n"
