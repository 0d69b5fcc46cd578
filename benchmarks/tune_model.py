"""Compare the packaged embedding model with models tuned at ingest (ingest/tune.py), on questions
the tuning never sees: the eval datasets and the blind held-out sets (evals/dev/).

Each recipe gets its own index in a temporary folder (tuning takes minutes per recipe).
Run: python benchmarks/tune_model.py [epochs ...]   (numbers, not a test; default: 1 2)
"""
from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.runner import run  # noqa: E402
from ingest import tune as tuning  # noqa: E402
from ingest.index import run_ingest  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.config import get_settings  # noqa: E402

SETS = {
    "eval": sorted((ROOT / "evals/datasets").glob("*.jsonl")),
    "blind": sorted((ROOT / "evals/dev").glob("*.jsonl")),
}


def measure(label: str, settings) -> None:
    a = Assistant(settings=settings).warm()
    for name, paths in SETS.items():
        m = run(paths, a, with_baselines=False, progress=lambda s: None)["metrics"]["all"]
        print(f"{label:24} {name:5}  cite@1 {m['cite_at_1']:.3f}  cite@3 {m['cite_at_3']:.3f}  "
              f"must-mention {m['must_mention']:.3f}  refused {m['out_of_scope_refusal']:.2f}  "
              f"false refusals {m['false_refusal']:.3f}  escalation {m['escalation_recall']:.3f}  "
              f"false escalation {m['false_escalation']:.3f}", flush=True)


def main() -> int:
    epochs = [int(e) for e in sys.argv[1:]] or [1, 2]
    with tempfile.TemporaryDirectory(prefix="policy-assistant-tune-") as tmp:
        base = get_settings().with_overrides(index_dir=Path(tmp) / "packaged", tune_model=False)
        run_ingest(base, progress=lambda m: None)
        # The relevance threshold is calibrated for the tuned model; the packaged one is shown as it is.
        measure("packaged model", base)
        for e in epochs:
            tuning.RECIPE = replace(tuning.Recipe(), epochs=e)
            settings = get_settings().with_overrides(index_dir=Path(tmp) / f"tuned-{e}", tune_model=True)
            print(f"tuning ({e} epochs) ...", flush=True)
            run_ingest(settings, progress=lambda m: None)
            measure(f"tuned, {e} epochs", settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
