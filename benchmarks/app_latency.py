"""Server start to first answer, and per-question time in the app, in a real browser.

Starts `policy-assistant serve` (which loads the engine as the server starts) on a free port, opens the
page in Debian's headless Chromium with Playwright, and asks questions the way a person does: type, Enter,
wait for the answer to be drawn. Numbers, not a test.
Run: python benchmarks/app_latency.py
"""
from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
QUESTIONS = [
    "can i use my phone on the school trip to take pics", "my sons phone got took off him",
    "am I ok to scroll insta at lunch", "what does 6.3.2 say", "what colour is the school jumper",
    "a pupil showed me messages from an adult asking to meet them", "can parents film the nativity",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(page, question: str, answers_before: int) -> float:
    started = time.perf_counter()
    box = page.locator("textarea")
    box.fill(question)
    box.press("Enter")
    # the question and its answer: two more chat messages, the answer with its rating control drawn
    page.locator('[data-testid="stChatMessage"]').nth(answers_before * 2 + 1).locator(
        '[data-testid="stFeedback"], [data-testid="stAlert"]').first.wait_for(timeout=120_000)
    return time.perf_counter() - started


def main() -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    server = subprocess.Popen([str(Path(sys.executable).with_name("policy-assistant")), "serve", "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        t_health = time.perf_counter()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url, wait_until="domcontentloaded")
            page.locator("textarea").wait_for(timeout=120_000)
            t_page = time.perf_counter()
            first = ask(page, QUESTIONS[0], 0)
            t_first = time.perf_counter()
            per_question = [ask(page, q, n) * 1000 for n, q in enumerate(QUESTIONS[1:], 1)]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"server_start_to_health_s: {t_health - t0:.2f}")
    print(f"server_start_to_page_ready_s: {t_page - t0:.2f}")
    print(f"server_start_to_first_answer_s: {t_first - t0:.2f}  (first question itself: {first:.2f} s)")
    print(f"question_in_app_p50_ms: {statistics.median(per_question):.0f}  (type, Enter, answer drawn; the chat grows)")
    print(f"question_in_app_max_ms: {max(per_question):.0f}")


if __name__ == "__main__":
    main()
