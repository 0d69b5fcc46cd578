"""Thumbs up/down on answers, kept in a local SQLite file (path in settings).

Stored: the rating, the clauses cited, the audience chosen and the time. The question and the answer
only when the person ticks "include my question", and never for an answer that raised a safeguarding
concern (a disclosure must not sit in a ratings file). Nothing else about the person. Ratings older
than the retention period (settings: feedback_retention_days, default 90) are deleted whenever a new
one is saved. Thumbs-down questions are the candidates for new example questions.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from rag.answer import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    audience TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    refused INTEGER NOT NULL,
    escalation INTEGER NOT NULL,
    rating INTEGER NOT NULL  -- 1 thumbs up, 0 thumbs down
)
"""


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    created: str
    audience: str | None
    question: str
    answer: str
    citations: list[str]
    refused: bool
    escalation: bool
    rating: int


class FeedbackStore:
    def __init__(self, path: Path, retention_days: int = 90):
        self.path = path
        self.retention_days = retention_days
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(self, ans: Answer, rating: int, audience: str | None = None, include_question: bool = False) -> int:
        cites = json.dumps([f"{c.doc_title} § {c.clause}" for c in ans.citations])
        keep = include_question and not ans.escalation
        question, answer = (ans.question, ans.answer) if keep else ("", "")
        with self._connect() as db:
            self._prune(db)
            cur = db.execute(
                "INSERT INTO feedback (created, audience, question, answer, citations, refused, escalation, rating) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (time.strftime("%Y-%m-%dT%H:%M:%S"), audience, question, answer, cites,
                 int(ans.refused), int(ans.escalation), int(bool(rating))),
            )
            return int(cur.lastrowid)

    def _prune(self, db: sqlite3.Connection) -> None:
        cutoff = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() - self.retention_days * 86400))
        db.execute("DELETE FROM feedback WHERE created < ?", (cutoff,))

    def rows(self) -> list[FeedbackRow]:
        with self._connect() as db:
            got = db.execute("SELECT id, created, audience, question, answer, citations, refused, escalation, rating "
                             "FROM feedback ORDER BY id").fetchall()
        return [FeedbackRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), bool(r[6]), bool(r[7]), r[8]) for r in got]

    def to_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["id", "created", "audience", "rating", "question", "cited", "refused", "escalation", "answer"])
        for r in self.rows():
            w.writerow([r.id, r.created, r.audience or "", "up" if r.rating else "down", r.question,
                        "; ".join(r.citations), r.refused, r.escalation, r.answer])
        return out.getvalue()

    def candidates(self) -> list[FeedbackRow]:
        """Thumbs-down questions: ones the assistant did not answer well, to teach it the community's words."""
        return [r for r in self.rows() if r.rating == 0 and r.question]
