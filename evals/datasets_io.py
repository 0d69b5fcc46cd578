"""Read eval datasets and their config (thresholds live in config.toml beside the datasets)."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

# not_specific: a follow-up about a circumstance the documents say nothing particular about; the answer
# cites the clause that still applies and says that nothing more specific was found.
KINDS = {"answerable", "clause_lookup", "out_of_scope", "escalation", "not_specific"}
REQUIRED = ("id", "question", "kind", "expected_clauses", "must_mention")


class DatasetError(ValueError):
    pass


def load_rows(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise DatasetError(f"{path}:{n}: not JSON ({e})") from None
        missing = [k for k in REQUIRED if k not in row]
        if missing:
            raise DatasetError(f"{path}:{n}: missing {', '.join(missing)}")
        if row["kind"] not in KINDS:
            raise DatasetError(f"{path}:{n}: kind '{row['kind']}' is not one of {', '.join(sorted(KINDS))}")
        history = row.get("history", [])
        if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
            raise DatasetError(f"{path}:{n}: history must be a list of the earlier questions")
        row["expected_clauses"] = [str(c) for c in row["expected_clauses"]]
        row["_dataset"] = path.stem
        rows.append(row)
    return rows


def load_thresholds(paths: list[Path]) -> dict[str, float]:
    """The strictest threshold from the config.toml beside each dataset."""
    merged: dict[str, float] = {}
    for folder in {p.resolve().parent for p in paths}:
        cfg = folder / "config.toml"
        if cfg.is_file():
            for k, v in tomllib.loads(cfg.read_text()).get("thresholds", {}).items():
                if k not in merged:
                    merged[k] = float(v)
                else:
                    merged[k] = min(merged[k], v) if k.endswith("_max") else max(merged[k], v)
    return merged
