"""Time from launching the app to its first answer, and per-question latency in the app's process.

Uses Streamlit's AppTest (the app's own script, in this process): numbers, not a test.
Run: python benchmarks/app_latency.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "can i use my phone on the school trip to take pics", "my sons phone got took off him",
    "am I ok to scroll insta at lunch", "what does 6.3.2 say", "what colour is the school jumper",
    "a pupil showed me messages from an adult asking to meet them", "can parents film the nativity",
]


def main() -> None:
    t0 = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    t1 = time.perf_counter()
    at.chat_input[0].set_value(QUESTIONS[0]).run()
    t2 = time.perf_counter()
    per_question = []
    for q in QUESTIONS[1:] * 3:
        s = time.perf_counter()
        at.chat_input[0].set_value(q).run()
        per_question.append((time.perf_counter() - s) * 1000)
    print(f"launch_to_page_s: {t1 - t0:.2f}")
    print(f"launch_to_first_answer_s: {t2 - t0:.2f}")
    print(f"question_in_app_p50_ms: {statistics.median(per_question):.0f}  (includes re-rendering the whole chat)")
    print(f"question_in_app_max_ms: {max(per_question):.0f}")


if __name__ == "__main__":
    main()
