"""The `policy-assistant` command: ingest | ask | chat | eval | serve."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rag.config import Settings, get_settings


def _settings(args: argparse.Namespace) -> Settings:
    return get_settings().with_overrides(
        index_dir=Path(args.index) if getattr(args, "index", None) else None,
        corpus_dir=Path(args.corpus) if getattr(args, "corpus", None) else None,
    )


def _err(msg: str) -> None:
    print(f"policy-assistant: {msg}", file=sys.stderr)


def cmd_ingest(args: argparse.Namespace) -> int:
    from ingest.errors import IngestError
    from ingest.index import IngestBusy, run_ingest

    settings = _settings(args)
    quiet = args.quiet

    def progress(msg: str) -> None:
        if not quiet:
            print(msg, flush=True)

    try:
        s = run_ingest(settings, progress)
    except IngestError as e:
        _err(f"ingest failed: {e}\n  the live index is unchanged.")
        return 2
    except IngestBusy as e:
        _err(str(e))
        return 3
    for w in s.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if s.noop:
        print(f"nothing changed: {s.documents} documents, {s.clauses} clauses, {s.questions} example questions already indexed ({s.seconds:.1f}s)")
    else:
        changed = ", ".join(s.changed_documents) or "none (questions or metadata only)"
        print(
            f"ingested {s.documents} documents: {s.clauses} clauses, {s.questions} example questions; "
            f"embedded {s.embedded}, reused {s.skipped}, removed {s.removed}; parsed: {changed}; "
            f"{s.seconds:.1f}s -> {settings.index_dir} (build {s.build})"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="policy-assistant",
        description="Answers questions about the school's Mobile Technology and Social Media Policy and the DfE guidance it links to, citing clause, document and page. Works offline.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", metavar="DIR", help="index folder (default: .index/ or POLICY_ASSISTANT_INDEX)")
    common.add_argument("--corpus", metavar="DIR", help="corpus folder (default: corpus/ or POLICY_ASSISTANT_CORPUS)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ing = sub.add_parser("ingest", parents=[common], help="build or update the index from the corpus (does nothing if nothing changed)")
    ing.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    ing.set_defaults(func=cmd_ingest)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
