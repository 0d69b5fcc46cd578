"""Feedback: stored locally, exported as CSV, thumbs-down questions offered as example-question candidates."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from rag.answer import Answer, Citation
from rag.config import PROJECT_ROOT
from rag.feedback import FeedbackStore


def _answer(q: str) -> Answer:
    c = Citation("meopham-policy-2020", "Mobile Technology and Social Media Policy", "6.3.2", None, "quote", 0.8)
    return Answer(q, "answer text", [c])


def test_export_lists_ratings_as_csv_and_thumbs_down_as_candidates(tmp_path):
    db = tmp_path / "fb.sqlite"
    store = FeedbackStore(db)
    store.record(_answer("can my lad bring his phone on sports day"), 0, "parent", include_question=True)
    store.record(_answer("can my child bring a phone"), 1, "parent", include_question=True)
    env = {**os.environ, "POLICY_ASSISTANT_FEEDBACK_DB": str(db)}
    out = subprocess.run([sys.executable, str(PROJECT_ROOT / "cli.py"), "feedback", "--csv"], env=env,
                         capture_output=True, text=True, check=True)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["rating"] for r in rows] == ["down", "up"]
    assert rows[0]["question"] == "can my lad bring his phone on sports day" and "§ 6.3.2" in rows[0]["cited"]
    assert "can my lad bring his phone on sports day" in out.stderr and "candidates" in out.stderr
    assert "can my child bring a phone'" not in out.stderr  # thumbs up is not a candidate


def test_nothing_but_the_exchange_and_rating_is_stored(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    store.record(_answer("q"), 1, "staff")
    import sqlite3

    cols = [r[1] for r in sqlite3.connect(tmp_path / "fb.sqlite").execute("PRAGMA table_info(feedback)")]
    assert cols == ["id", "created", "audience", "question", "answer", "citations", "refused", "escalation", "rating"]


def test_ratings_older_than_the_retention_period_are_deleted(tmp_path):
    import sqlite3

    db = tmp_path / "fb.sqlite"
    store = FeedbackStore(db, retention_days=90)
    store.record(_answer("old"), 1, "staff")
    with sqlite3.connect(db) as con:
        con.execute("UPDATE feedback SET created = '2020-01-01T00:00:00'")
    store.record(_answer("new"), 1, "staff")
    assert len(store.rows()) == 1
