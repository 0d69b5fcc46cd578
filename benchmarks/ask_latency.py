"""Warm `ask` latency (extractive) and start-up cost, printed as numbers. Not a test.

Run: python benchmarks/ask_latency.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = [
    "can i use my phone on the school trip to take pics", "my sons phone got took off him", "am I ok to scroll insta at lunch",
    "whats 5.8", "what colour is the school jumper", "a pupil showed me messages from an adult asking to meet",
    "can parents film the nativity", "what does KCSIE say about filtering and monitoring", "who is the DSL",
    "can i friend parents on facebook",
]


def main() -> None:
    t0 = time.perf_counter()
    from rag.assistant import Assistant

    a = Assistant()
    t1 = time.perf_counter()
    a.warm()
    t2 = time.perf_counter()
    first = a.ask(QUESTIONS[0]).latency_ms
    lat = [a.ask(q, audience="staff").latency_ms for _ in range(5) for q in QUESTIONS]
    lat.sort()
    print(f"import_and_open_s: {t1 - t0:.2f}")
    print(f"warm_up_s: {t2 - t1:.2f}")
    print(f"first_question_ms: {first:.1f}")
    print(f"warm_ask_p50_ms: {statistics.median(lat):.1f}")
    print(f"warm_ask_p95_ms: {lat[int(0.95 * len(lat)) - 1]:.1f}")
    print(f"warm_ask_max_ms: {lat[-1]:.1f}")


if __name__ == "__main__":
    main()
