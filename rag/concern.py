"""Does a message report a child who may be at risk? A linear classifier over its embedding.

The patterns in rag/safety.py catch the words people use when they name a concern; people often
don't ("one of my yr5s said her mum's boyfriend 'does stuff' and then said forget it"). Nearness to
the single most similar concern example could not tell those apart from rule questions with this
packaged embedding model (blind concern messages scored 0.40-0.67, rule and school-life questions up to 0.67),
so a logistic regression learns the direction that does, from the index's own examples:
  positive  situations that need the safeguarding route (corpus/questions/concerns.toml)
  negative  every clause's example questions (how people ask about rules, definitions, procedures)
            and the "not covered" topics (school life), less any example question the patterns
            themselves flag as a concern ("a stranger is messaging my child asking for pics").
Trained when the index is loaded (~0.1 s on ~3,000 vectors), so it always matches the index.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ConcernClassifier:
    coef: np.ndarray
    intercept: float
    positives: int = 0
    negatives: int = 0

    @classmethod
    def fit(cls, positives: np.ndarray, negatives: np.ndarray, c: float = 3.0) -> "ConcernClassifier":
        from sklearn.linear_model import LogisticRegression

        if len(positives) == 0 or len(negatives) == 0:
            return cls(np.zeros(positives.shape[1] if positives.ndim == 2 else 1, np.float32), -10.0)
        x = np.vstack([positives, negatives])
        y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
        # Balanced: ~200 concern examples against ~3,000 questions. C=3 with the tuned embedding model
        # (C=1 with the packaged one): same recall on held-out messages as C=1, fewer false alarms
        # (benchmarks/escalation.py).
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, y)
        return cls(model.coef_[0].astype(np.float32), float(model.intercept_[0]), len(positives), len(negatives))

    def probability(self, vector) -> float:
        # Multiply-and-sum rather than a BLAS call, as in rag.retrieve.Vectors (threads fight torch's).
        z = float((self.coef * np.asarray(vector, dtype=np.float32)).sum()) + self.intercept
        return float(1.0 / (1.0 + np.exp(-z)))
