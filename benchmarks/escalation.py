"""Escalation recall and false alarms, patterns alone vs patterns + the concern classifier. Printed.

    python benchmarks/escalation.py [DATASET.jsonl ...]

Default datasets: the eval datasets and the held-out sets in evals/heldout/ (written blind). For each
probability threshold (and regularisation C) it prints, per dataset, how many concerns escalate and
how many other questions raise a false alarm. The classifier is retrained here from the index for
each C, exactly as rag/concern.py trains it. Used to choose ESCALATION_PROBABILITY and C.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from evals.datasets_io import load_rows  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.concern import ConcernClassifier  # noqa: E402
from rag.glossary import normalize  # noqa: E402
from rag.safety import escalation_by_pattern, is_definition_question  # noqa: E402


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "evals/datasets").glob("*.jsonl")) + sorted(
        (ROOT / "evals/heldout").glob("*.jsonl"))
    a = Assistant().warm()
    rows = [(p.name, r) for p in paths for r in load_rows(p)]
    vectors = np.array(a.index.embeddings.embed_documents([normalize(r["question"]) for _, r in rows]))
    pattern = np.array([bool(escalation_by_pattern(r["question"])) for _, r in rows])
    definition = np.array([is_definition_question(r["question"]) for _, r in rows])
    concern = np.array([r["kind"] == "escalation" for _, r in rows])
    clf = a._concern
    print(f"classifier: {clf.positives} concern examples, {clf.negatives} other questions")

    def show(label: str, escalates: np.ndarray) -> None:
        parts = []
        for name in dict.fromkeys(n for n, _ in rows):
            idx = np.array([n == name for n, _ in rows])
            c, o = idx & concern, idx & ~concern
            parts.append(f"{name}: {int((escalates & c).sum())}/{int(c.sum())} caught, "
                         f"{int((escalates & o).sum())}/{int(o.sum())} false")
        print(f"  {label:22s} " + " | ".join(parts))

    show("patterns only", pattern)
    _, pos = a.retriever.examples("concern")
    negatives = np.array([row for kind in ("example", "not_covered")
                          for t, row in zip(*a.retriever.examples(kind)) if not escalation_by_pattern(t)])
    for c in (0.3, 1.0, 3.0):
        clf = ConcernClassifier.fit(pos, negatives, c)
        p = np.array([clf.probability(v) for v in vectors])
        for t in (0.5, 0.6, 0.7, 0.8):
            show(f"+ classifier C={c} p>={t}", pattern | ((p >= t) & ~definition))


if __name__ == "__main__":
    main()
