"""Does the safeguarding screen carry over to situations and voices it was not trained on? Printed.

    python benchmarks/escalation.py [--misses]   (--misses lists the held-out examples not caught)

Escalation: for each concern category of corpus/questions/concerns.toml (sextortion, neglect, ...),
the concern classifier is retrained without that category and asked about it (its nearest-example
check, rag/classifier.py, also without it); a situation counts as caught when the patterns or the
classifier (at CONCERN_PROBABILITY) escalate it, as rag/safety.py does. The same for each voice (parent, staff, pupil, visitor). Then false alarms: how many answerable
and off-topic questions of the eval sets (never training data) escalate with the full classifier.
Personal data: the same, category by category, for corpus/questions/personal-data.toml, and how many
answerable questions would be refused as personal data. Used to choose the probabilities and C.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from evals.datasets_io import load_rows  # noqa: E402
from ingest.questions import load_screen_examples  # noqa: E402
from rag import safety  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.classifier import train_screeners  # noqa: E402
from rag.glossary import normalize  # noqa: E402


def main() -> None:
    a = Assistant().warm()
    embed = a.index.embeddings.embed_documents

    def vectors_of(texts: list[str]) -> list[list[np.ndarray]]:
        """Each text's readings (as typed, spelled out), embedded as Assistant.ask embeds them."""
        readings = [safety.readings(normalize(t)) for t in texts]
        flat = np.array(embed([r for rs in readings for r in rs]))
        out, i = [], 0
        for rs in readings:
            out.append(list(flat[i : i + len(rs)]))
            i += len(rs)
        return out

    examples = load_screen_examples(a.settings.corpus_dir)
    screen_rows = [e for e in examples if e.kind in ("concern", "personal_data")]
    screen_vectors = vectors_of([e.text for e in screen_rows])
    pattern_escalates = [bool(safety.escalation_by_pattern(e.text)) for e in screen_rows]
    pattern_personal = [safety.personal_data_by_pattern(e.text) for e in screen_rows]
    # Where the classifier may act at all, as rag/safety.py decides from the words (definitions, rule questions).
    applies = {"concern": [safety.concern_classifier_applies(e.text) for e in screen_rows],
               "personal_data": [safety.personal_classifier_applies(e.text) for e in screen_rows]}

    def without(held_out: set[str]):
        """The screeners, and their nearest-example check, as if these examples had never been written."""
        def examples_of(kind: str):
            texts, matrix = a.retriever.examples(kind)
            keep = [i for i, t in enumerate(texts) if t not in held_out]
            return [texts[i] for i in keep], matrix[keep]

        kept = {k: examples_of(k)[1] for k in ("concern", "personal_data", "not_covered", "concern_counter",
                                              "privacy_counter", "example")}

        def nearest(kind: str, vectors) -> float:
            m = kept[kind]
            return max(float((m @ np.asarray(v, dtype=np.float32)).max()) if len(m) else 0.0 for v in vectors)
        return train_screeners(examples_of, safety.escalation_by_pattern), nearest

    for kind, attr, threshold, by_pattern, label in (
        ("concern", "concern", safety.CONCERN_PROBABILITY, pattern_escalates, "escalation"),
        ("personal_data", "personal_data", safety.PERSONAL_DATA_PROBABILITY, pattern_personal, "personal data"),
    ):
        idx = [i for i, e in enumerate(screen_rows) if e.kind == kind]
        print(f"\n{label}: {len(idx)} examples; caught = patterns or classifier p >= {threshold}")
        for split in ("category", "voice"):
            groups: dict[str, list[int]] = defaultdict(list)
            for i in idx:
                groups[getattr(screen_rows[i], split) or "(none)"].append(i)
            held: dict[str, list[tuple[bool, float]]] = {}  # per group: (pattern caught, held-out probability)
            for name, members in sorted(groups.items()):
                screeners, nearest = without({screen_rows[i].text for i in members})
                which = 0 if attr == "concern" else 1
                held[name] = [(by_pattern[i], screeners.probabilities(screen_vectors[i], nearest)[which]
                               if applies[kind][i] else 0.0) for i in members]
                if "--misses" in sys.argv and split == "category":
                    for i, (pat, p) in zip(members, held[name]):
                        if not pat and p < threshold:
                            print(f"    miss [{name}] p={p:.2f} {screen_rows[i].text}")

            def recall(name: str, t: float) -> float:
                return sum(pat or p >= t for pat, p in held[name]) / len(held[name])

            print(f"  leave one {split} out: recall at the shipped p >= {threshold} (caught/n, patterns alone)")
            for name in sorted(held, key=lambda n: recall(n, threshold)):
                got = sum(pat or p >= threshold for pat, p in held[name])
                print(f"    {name:28s} {recall(name, threshold):5.2f}  {got:3d}/{len(held[name]):<3d}  "
                      f"patterns {sum(pat for pat, _ in held[name])}")
            for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
                worst = min(held, key=lambda n: recall(n, t))
                print(f"    p >= {t}: worst {split} {worst} {recall(worst, t):.2f}, "
                      f"mean {np.mean([recall(n, t) for n in held]):.2f}")

    # False alarms and false refusals on questions no classifier was trained on.
    rows = [r for folder in ("evals/datasets", "evals/dev") for p in sorted((ROOT / folder).glob("*.jsonl"))
            for r in load_rows(p)]
    full, _ = without(set())
    vecs = vectors_of([r["question"] for r in rows])
    _, nearest_all = without(set())
    probs = [full.probabilities(v, nearest_all) for v in vecs]
    concern_p = [c for c, _ in probs]
    personal_p = [p for _, p in probs]
    for kinds, label in ((("answerable", "clause_lookup"), "answerable"), (("out_of_scope",), "out of scope"),
                         (("escalation",), "concerns")):
        sel = [i for i, r in enumerate(rows) if r["kind"] in kinds]
        for t in (0.4, 0.5, 0.6, 0.7, 0.8):
            alarms = sum(bool(safety.escalation_by_pattern(rows[i]["question"])) or concern_p[i] >= t for i in sel)
            refusals = sum(safety.personal_data_by_pattern(rows[i]["question"])
                           or (personal_p[i] >= t and safety.personal_classifier_applies(rows[i]["question"])) for i in sel)
            print(f"{label} ({len(sel)}): at p>={t}: escalate {alarms} ({alarms / len(sel):.3f}), "
                  f"personal data {refusals} ({refusals / len(sel):.3f})")
        screens = [safety.screen(rows[i]["question"], concern_p[i], personal_p[i]) for i in sel]
        refused = sum(s.kind == "personal_data" for s in screens)
        escalated = sum(s.escalation for s in screens)
        print(f"{label} ({len(sel)}): as shipped, escalated {escalated}, refused as personal data {refused}")


if __name__ == "__main__":
    main()
