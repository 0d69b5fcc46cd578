"""Concurrent askers on one engine, as Streamlit sessions share it: threads in one process.

Prints throughput, p50/p95/p99 latency, errors, whether every answer matched the sequential one, and peak RSS.
Run: python benchmarks/load.py [--threads 16] [--per-thread 50]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "can i use my phone on the school trip to take pics", "my sons phone got took off him, when do we get it back",
    "am I ok to scroll insta at lunch", "what does 6.3.2 say", "what colour is the school jumper",
    "a pupil showed me messages from an adult asking to meet them", "can parents film the nativity",
    "who is the DSL", "what training should governors have", "can we share information without consent",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--per-thread", type=int, default=50)
    args = ap.parse_args()
    from rag.assistant import Assistant

    assistant = Assistant().warm()
    expected = {q: assistant.ask(q).to_json() for q in QUESTIONS}
    sequential = []
    for q in QUESTIONS * 3:
        t = time.perf_counter()
        assistant.ask(q)
        sequential.append((time.perf_counter() - t) * 1000)

    latencies: list[float] = []
    errors: list[str] = []
    mismatches = 0
    lock = threading.Lock()
    start_gate = threading.Barrier(args.threads)

    def worker(n: int) -> None:
        nonlocal mismatches
        start_gate.wait()
        for i in range(args.per_thread):
            q = QUESTIONS[(n + i) % len(QUESTIONS)]
            t = time.perf_counter()
            try:
                got = assistant.ask(q).to_json()
            except Exception as e:  # counted, not raised: the benchmark reports errors
                with lock:
                    errors.append(f"{type(e).__name__}: {e}")
                continue
            ms = (time.perf_counter() - t) * 1000
            same = {k: v for k, v in got.items() if k != "latency_ms"} == {k: v for k, v in expected[q].items() if k != "latency_ms"}
            with lock:
                latencies.append(ms)
                mismatches += not same

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    print(f"sequential p50/p95 ms: {statistics.median(sequential):.0f} / {statistics.quantiles(sequential, n=20)[-1]:.0f}")
    print(f"concurrent askers: {args.threads} x {args.per_thread}")
    print(f"throughput answers/s: {len(latencies) / wall:.1f}")
    print(f"latency p50/p95/p99 ms: {q[49]:.0f} / {q[94]:.0f} / {q[98]:.0f}")
    print(f"errors: {len(errors)}  answers differing from the sequential ones: {mismatches}")
    print(f"peak RSS MB: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
