"""The measured constants (rag/tuned.toml), typed and checked once at import.

Modules take their values from here, so a tuning benchmark changes one file and a reader finds every
tuned number in one place. A missing or mistyped value fails at import with the field named.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

PATH = Path(__file__).with_name("tuned.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Retrieval(_Section):
    dense_c: float
    dense_q: float
    bm25_c: float
    bm25_q: float
    dense_s: float
    guidance_prior: float = Field(gt=0, le=1)
    guidance_prior_when_asked: float = Field(gt=0, le=1)
    unnamed_doc_prior: float = Field(gt=0, le=1)
    audience_bonus: float
    cold_dense_offset: float | None
    cold_bm25: float
    definition_bonus: float
    named_section_bonus: float
    definite_answer_bonus: float
    candidates: int = Field(gt=0)


class AnswerTuning(_Section):
    relevance_threshold: float = Field(ge=0, le=1)
    keyword_relief: float
    follow_up_relief: float
    support_ratio: float = Field(gt=0, le=1)
    escalation_support: float
    direct_answer: float
    answered_as_asked: float
    negative_margin_in_scope: float


class Screening(_Section):
    urgent_probability: float = Field(gt=0, le=1)
    concern_probability: float = Field(gt=0, le=1)
    personal_data_probability: float = Field(gt=0, le=1)
    rival_margin: float


class FollowUp(_Section):
    context_weight: float
    stands_alone: float


class Tuned(_Section):
    retrieval: Retrieval
    answer: AnswerTuning
    screening: Screening
    follow_up: FollowUp


def load(path: Path = PATH) -> Tuned:
    return Tuned.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))


TUNED = load()
