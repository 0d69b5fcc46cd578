"""Typed settings, one place: defaults < settings file < environment.

The settings file is `policy-assistant.toml` in the project folder (or the path in
POLICY_ASSISTANT_CONFIG). Every command also takes --index/--corpus, applied on top.
"""
from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _config_file() -> Path:
    # The one environment read outside Settings: where Settings itself lives.
    return Path(os.environ.get("POLICY_ASSISTANT_CONFIG", PROJECT_ROOT / "policy-assistant.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    index_dir: Path = Field(
        default=PROJECT_ROOT / ".index",
        validation_alias=AliasChoices("POLICY_ASSISTANT_INDEX", "index_dir"),
    )
    corpus_dir: Path = Field(
        default=PROJECT_ROOT / "corpus",
        validation_alias=AliasChoices("POLICY_ASSISTANT_CORPUS", "corpus_dir"),
    )
    # A trust serving several schools from one Chroma server gives each school a name: its collections on
    # the server are prefixed with it, so one school's ingest or questions never touch another's.
    school: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$",
                               validation_alias=AliasChoices("POLICY_ASSISTANT_SCHOOL", "school"))
    chroma_host: str | None = Field(default=None, validation_alias=AliasChoices("CHROMA_HOST", "chroma_host"))
    chroma_port: int = Field(default=8000, validation_alias=AliasChoices("CHROMA_PORT", "chroma_port"))
    llm: str = Field(default="extractive", validation_alias=AliasChoices("POLICY_ASSISTANT_LLM", "llm"))
    openai_base_url: str | None = Field(default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "openai_base_url"))
    openai_api_key: str | None = Field(default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key"))
    ollama_host: str | None = Field(default=None, validation_alias=AliasChoices("OLLAMA_HOST", "ollama_host"))
    # A model-written answer: at most this many tokens, within this many seconds (no retry), else the
    # extractive answer is shown (rag/llm.py).
    llm_max_tokens: int = Field(default=200, ge=16, validation_alias=AliasChoices("POLICY_ASSISTANT_LLM_MAX_TOKENS", "llm_max_tokens"))
    llm_timeout_s: float = Field(default=20.0, gt=0, validation_alias=AliasChoices("POLICY_ASSISTANT_LLM_TIMEOUT", "llm_timeout_s"))
    feedback_db: Path = Field(
        default=PROJECT_ROOT / ".data" / "feedback.sqlite",
        validation_alias=AliasChoices("POLICY_ASSISTANT_FEEDBACK_DB", "feedback_db"),
    )
    # Ratings older than this many days are deleted when a new one is saved.
    feedback_retention_days: int = Field(default=90, ge=1, validation_alias=AliasChoices(
        "POLICY_ASSISTANT_FEEDBACK_RETENTION_DAYS", "feedback_retention_days"))
    # Seconds a second ingest waits for a running one before refusing.
    ingest_lock_wait_s: float = Field(default=120.0, validation_alias=AliasChoices("POLICY_ASSISTANT_INGEST_WAIT", "ingest_lock_wait_s"))
    # Long paragraphs are split into parts of about this many characters, with overlap.
    max_chunk_chars: int = 1200
    # Ingest tunes the embedding model on the example questions (ingest/tune.py; a few minutes of CPU
    # whenever a clause or an example question changes). False keeps the packaged model.
    # The date answers are judged against ("is this edition still in force?"); unset: the real date. Tests set it.
    today: dt.date | None = Field(default=None, validation_alias=AliasChoices("POLICY_ASSISTANT_TODAY", "today"))
    tune_model: bool = Field(default=True, validation_alias=AliasChoices("POLICY_ASSISTANT_TUNE_MODEL", "tune_model"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_config_file()))

    def with_overrides(self, **overrides: Any) -> "Settings":
        """Command-line flags (None means 'not given')."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return self.model_copy(update=given) if given else self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
