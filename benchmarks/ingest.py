"""Ingest timings on the real corpus, printed (not asserted).

    python benchmarks/ingest.py

Builds a fresh index of corpus/ in a temporary folder (every clause and example question
embedded), then re-runs the ingest with nothing changed. The project's own .index/ is not touched.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.index import run_ingest  # noqa: E402
from rag.config import get_settings  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="policy-assistant-bench-") as tmp:
        settings = get_settings().with_overrides(index_dir=Path(tmp) / "index")
        started = time.perf_counter()
        full = run_ingest(settings, progress=lambda m: None)
        full_s = time.perf_counter() - started

        started = time.perf_counter()
        again = run_ingest(settings, progress=lambda m: None)
        noop_s = time.perf_counter() - started

    print(f"corpus: {settings.corpus_dir}")
    print(f"full_ingest_s: {full_s:.1f}")
    print(f"noop_reingest_s: {noop_s:.2f}")
    print(f"noop: {again.noop}")
    print(f"documents: {full.documents}")
    print(f"clauses: {full.clauses}")
    print(f"questions: {full.questions}")
    print(f"embedded: {full.embedded}")
    print(f"embedded_per_s: {full.embedded / full_s:.1f}")
    print(f"noop_embedded: {again.embedded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
