"""How well are paragraphs found that nobody wrote example questions for? Printed, not asserted.

    python benchmarks/cold_paragraphs.py

A guidance paragraph may have no example questions yet (a new edition, or one nobody wrote an FAQ
for), and real users ask about it anyway. This copies corpus/ to a temporary folder, holds out the example questions of
every third guidance paragraph that has some, builds an index without them, then asks the held-out
questions (the clause they were written for is the expected citation) with the cold-paragraph
stand-in on and off. The project's own .index/ is not touched.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import tomllib
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.runner import run  # noqa: E402
from ingest.index import run_ingest  # noqa: E402
from rag.assistant import Assistant  # noqa: E402
from rag.config import get_settings  # noqa: E402
from rag.retrieve import FusionWeights  # noqa: E402

BLOCK = "[[clause]]"


def hold_out(questions_file: Path) -> list[dict]:
    """Remove every third clause block from the file; return its questions as eval rows."""
    head, *blocks = questions_file.read_text(encoding="utf-8").split(BLOCK)
    doc_id = tomllib.loads(head)["doc_id"]
    rows, kept = [], []
    for i, block in enumerate(blocks):
        if i % 3:
            kept.append(block)
            continue
        clause = tomllib.loads(block)
        rows += [{"id": f"{doc_id}-{clause['clause']}-{n}", "question": q, "kind": "answerable",
                  "expected_doc": doc_id, "expected_clauses": [clause["clause"]], "must_mention": []}
                 for n, q in enumerate(clause["questions"])]
    questions_file.write_text(head + "".join(BLOCK + b for b in kept), encoding="utf-8")
    return rows


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="policy-assistant-cold-") as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(get_settings().corpus_dir, corpus)
        rows = []
        for f in sorted((corpus / "questions").glob("*.toml")):
            # Guidance documents only: not the policy, nor the not-covered and concern example files.
            if "policy" not in f.stem and "doc_id" in tomllib.loads(f.read_text(encoding="utf-8")):
                rows += hold_out(f)
        dataset = Path(tmp) / "held_out.jsonl"
        dataset.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        settings = get_settings().with_overrides(index_dir=Path(tmp) / "index", corpus_dir=corpus)
        print(f"building an index without the example questions of {len({r['expected_clauses'][0] for r in rows})} "
              f"guidance paragraphs ({len(rows)} questions held out) ...")
        run_ingest(settings, progress=lambda m: None)
        for label, weights in (("with cold-paragraph stand-in", FusionWeights()),
                               ("without (question signals 0)", replace(FusionWeights(), cold_dense_offset=None))):
            m = run([dataset], Assistant(settings=settings, weights=weights), with_baselines=False,
                    progress=lambda s: None)["metrics"]["all"]
            print(f"{label:30} cite@1 {m['cite_at_1']:.3f}  cite@3 {m['cite_at_3']:.3f}  "
                  f"false refusals {m['false_refusal']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
