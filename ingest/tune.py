"""Fine-tune the packaged embedding model on the corpus's own example questions, at ingest.

Why: all-MiniLM-L6-v2 matches on topic words, so "when is sports day" lands on "do parents at sports
day need a DBS check". Training it on the FAQ (each example question paired with its clause's text,
the other clauses in the batch as negatives) teaches it this school's vocabulary and which
differences matter. Measured on questions it never saw (the eval datasets and the blind held-out
sets in evals/dev/): cite@1, cite@3, refusal and false refusals improved on both (README,
"Measured"; benchmarks/tune_model.py).

The tuned model belongs to the corpus it was trained on: it is saved under <index>/models/<key>,
where the key hashes the base model, the training pairs and the recipe below, so an unchanged
corpus reuses it and any change to a clause or an example question trains a new one (and every
text is embedded again with it). `tune_model = false` in the settings keeps the packaged model.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.documents import Clause, ExampleQuestion
from rag.embeddings import MODEL_ID, base_model_path


@dataclass(frozen=True)
class Recipe:
    """How the model is tuned; chosen on held-out questions (benchmarks/tune_model.py compares)."""

    epochs: int = 2
    learning_rate: float = 2e-5
    batch_size: int = 32
    # Trained on, and then embedding, a clause's first 128 tokens (heading path and opening): half
    # the time of the packaged 256, and measured slightly better than embedding whole clauses.
    max_seq_length: int = 128
    seed: int = 0


RECIPE = Recipe()

Progress = Callable[[str], None]


def training_pairs(clauses: list[Clause], questions: list[ExampleQuestion]) -> list[tuple[str, str]]:
    """(example question, the text embedded for its clause), in a fixed order."""
    first_part: dict[str, Clause] = {}
    for c in clauses:
        first_part.setdefault(c.key, c)
    pairs = {(q.question, first_part[q.key].embedding_text()) for q in questions
             if q.kind == "example" and q.key in first_part}
    return sorted(pairs)


def model_key(pairs: list[tuple[str, str]], recipe: Recipe) -> str:
    h = hashlib.sha256(f"{MODEL_ID}\x1e{json.dumps(asdict(recipe), sort_keys=True)}".encode())
    for q, c in pairs:
        h.update(f"\x1e{q}\x1f{c}".encode())
    return h.hexdigest()[:16]


def tuned_model_id(key: str) -> str:
    return f"{MODEL_ID} tuned:{key}"


def tune(pairs: list[tuple[str, str]], out_dir: Path, recipe: Recipe, progress: Progress = print) -> Path:
    """Train on the pairs and save a sentence-transformers folder at out_dir (reused if complete)."""
    if (out_dir / "tuned.json").is_file():
        return out_dir
    import torch
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
        losses,
    )
    from sentence_transformers.sentence_transformer.training_args import BatchSamplers
    from transformers import TrainerCallback
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # ingest prints its own progress lines

    random.seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    total = -(-len(pairs) // recipe.batch_size) * recipe.epochs
    progress(f"tuning the embedding model on {len(pairs):,} example questions "
             f"({recipe.epochs} epochs, {total} steps; minutes on a laptop CPU) ...")
    started = time.monotonic()

    class Report(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step % 25 == 0 or state.global_step == state.max_steps:
                rate = state.global_step / max(time.monotonic() - started, 1e-6)
                left = (state.max_steps - state.global_step) / max(rate, 1e-6)
                progress(f"  step {state.global_step}/{state.max_steps} (about {left:.0f}s left)")

    model = SentenceTransformer(str(base_model_path()), device="cpu")
    model.max_seq_length = recipe.max_seq_length
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    args = SentenceTransformerTrainingArguments(
        output_dir=str(tmp / "trainer"),
        num_train_epochs=recipe.epochs,
        per_device_train_batch_size=recipe.batch_size,
        learning_rate=recipe.learning_rate,
        warmup_steps=10,
        seed=recipe.seed,
        data_seed=recipe.seed,
        # Two questions for one clause in a batch would each count the other's clause as wrong.
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        logging_strategy="no",
        use_cpu=True,
        dataloader_num_workers=0,
    )
    data = Dataset.from_dict({"anchor": [q for q, _ in pairs], "positive": [c for _, c in pairs]})
    # The trainer's model card draws a progress bar of its own ("Computing widget examples") while it
    # is set up; ingest prints its own progress lines. Errors still raise.
    with contextlib.redirect_stderr(io.StringIO()):
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=data,
                                             loss=losses.MultipleNegativesRankingLoss(model), callbacks=[Report()])
    trainer.train()
    shutil.rmtree(tmp / "trainer", ignore_errors=True)
    model.save(str(tmp))
    (tmp / "tuned.json").write_text(json.dumps({"base": MODEL_ID, "recipe": asdict(recipe), "pairs": len(pairs),
                                                "seconds": round(time.monotonic() - started, 1)}))
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    progress(f"  tuned in {time.monotonic() - started:.0f}s")
    return out_dir
