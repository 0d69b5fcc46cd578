"""A new KCSIE edition with no code change: the real KCSIE 2024 file stands in for the edition that replaces
2025 (its manifest entry says `replaces = "kcsie-2025"`), ingest re-anchors the 2025 example questions
into its paragraphs, and the KCSIE questions of the eval datasets are asked of both builds, their expected
paragraphs mapped to 2024 numbering the same way. Prints cite@1/cite@3 for each and what moved.
Both builds use the packaged embedding model (--no-tune), so they differ only in the edition.

Run: python benchmarks/reanchor_kcsie.py   (about 6 minutes on 2 cores)
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KCSIE_2024 = ROOT.parent / "shared" / "corpus" / "guidance" / "kcsie-2024.pdf"
DATASETS = [ROOT / "evals/datasets/guidance_qa.jsonl", ROOT / "evals/datasets/policy_qa.jsonl"]


def corpus_with_2024(dest: Path) -> Path:
    shutil.copytree(ROOT / "corpus", dest)
    shutil.copy2(KCSIE_2024, dest / "guidance" / "kcsie-2024.pdf")
    manifest = (dest / "manifest.toml").read_text(encoding="utf-8")
    block = re.search(r'\[\[document\]\]\nid = "kcsie-2025"\n.*?(?=\n\[\[document\]\])', manifest, re.S).group(0)
    new = (block.replace('id = "kcsie-2025"', 'id = "kcsie-next"\nreplaces = "kcsie-2025"')
           .replace('file = "guidance/kcsie-2025.txt"', 'file = "guidance/kcsie-2024.pdf"'))
    (dest / "manifest.toml").write_text(manifest.replace(block, new), encoding="utf-8")
    (dest / "guidance" / "kcsie-2025.txt").unlink()
    return dest


def main() -> None:
    from evals.runner import run
    from ingest.index import run_ingest
    from ingest.questions import _anchor, clause_opening, clause_text_sha
    from rag.assistant import Assistant
    from rag.config import Settings
    from rag.store import Index

    tmp = Path(tempfile.mkdtemp())
    builds = {}
    for name, corpus in (("2025", ROOT / "corpus"), ("2024 as the new edition", corpus_with_2024(tmp / "corpus"))):
        settings = Settings(index_dir=tmp / f"index-{len(builds)}", corpus_dir=corpus, tune_model=False)
        summary = run_ingest(settings, progress=lambda m: None)
        for w in summary.warnings:
            if "re-anchored" in w:
                print(f"{name}: {w}")
        builds[name] = settings

    # The eval rows' expected 2025 paragraphs, mapped as ingest maps example questions (text, then opening).
    old, new = Index.open(builds["2025"]), Index.open(builds["2024 as the new edition"])

    def texts(index, doc):
        out: dict[tuple[str, str], list[str]] = {}
        for c in index.clauses:
            if c.doc_id == doc:
                out.setdefault((doc, c.clause), []).append(c.text)
        return out

    t25, t24 = texts(old, "kcsie-2025"), texts(new, "kcsie-next")
    shas = {k: clause_text_sha(v) for k, v in t24.items()}
    openings = {k: clause_opening(v) for k, v in t24.items()}
    by_sha = {v: k[1] for k, v in shas.items()}
    mapping = {k[1]: _anchor(("kcsie-next", k[1]), clause_text_sha(v), clause_opening(v), openings, shas, by_sha)
               for k, v in t25.items()}
    rows, mapped, unmapped = [], [], 0
    for path in DATASETS:
        for line in path.read_text().splitlines():
            r = json.loads(line)
            if r.get("expected_doc") != "kcsie-2025" or r["kind"] not in ("answerable", "clause_lookup"):
                continue
            if r["kind"] == "clause_lookup":
                continue  # a look-up names a 2025 number, which the other edition does not have
            new_clauses = [mapping.get(c) for c in r["expected_clauses"]]
            if not all(new_clauses):
                unmapped += 1
                continue
            rows.append(r)
            mapped.append({**r, "expected_doc": "kcsie-next", "expected_clauses": new_clauses})
    files = {}
    for name, data in (("2025", rows), ("2024 as the new edition", mapped)):
        f = tmp / f"{len(files)}.jsonl"
        f.write_text("".join(json.dumps(r) + "\n" for r in data))
        files[name] = f
    moved = sum(1 for k, v in mapping.items() if v and v != k)
    print(f"2025 paragraphs: {len(mapping)}; in the other edition: {sum(1 for v in mapping.values() if v)} "
          f"({moved} under another number); eval questions on KCSIE: {len(rows)} mapped, {unmapped} whose paragraph "
          "is not in the other edition")
    for name, settings in builds.items():
        outcome = run([files[name]], Assistant(settings).warm(), with_baselines=False, progress=lambda m: None)
        m = outcome["metrics"]["all"]
        print(f"{name}: cite@1 {m['cite_at_1']}  cite@3 {m['cite_at_3']}  must-mention {m['must_mention']}  "
              f"false refusals {m['false_refusal']}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
