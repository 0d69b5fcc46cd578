#!/usr/bin/env python3
"""Validate the Policy Assistant evaluation datasets (evals/datasets/*.jsonl).

Standalone, standard library only. For every row it checks:

* the line is valid JSON and an object, with the required fields and types;
* ids are unique (across all files);
* ``kind`` and ``audience`` are in the allowed sets, ``expected_doc`` is a known document;
* every expected clause exists in its document;
* every ``must_mention`` phrase (2-5 words) occurs, case-insensitively and with whitespace
  normalised, in the text of at least one of the row's expected clauses;
* kind-specific rules (out_of_scope and nonexistent clause lookups have no clauses and no
  must_mention; a clause lookup names a clause that is in expected_clauses, or, when marked
  "nonexistent", one that really does not exist);
* coverage of the policy: every section 1-6 and every subsection 6.1-6.9 is the target of at
  least two ``answerable`` rows.

The three source documents are parsed here with simple rules (deliberately independent of the
assistant's own ingestion code):

* policy (markdown): a clause is a line ``- N.N[.N] text`` plus the following bullet lines
  (``- text``) and link lines (``<http...>``) up to the next numbered clause or heading; the
  unnumbered block between the ``Key Details`` heading and ``Policy aims`` is clause ``Key Details``.
  Markdown is removed the way the assistant stores it (``[x](#)`` -> ``x``, ``**x**`` -> ``x``,
  ``\\(`` -> ``(``).
* KCSIE 2025 (text, form-feed separated pages): numbered paragraphs are lines matching
  ``^\\s{0,4}N\\.\\s``, accepted only in sequence (1, 2, 3, ...) so list items and footnotes are
  not mistaken for paragraphs; parsing stops at the Annex A heading (Annex A restarts numbering).
* Working Together 2023 (PDF): the same rule on text extracted with pypdf. If pypdf cannot be
  imported, the script tries /tmp/pdfvenv/bin/python (or $PYPDF_PYTHON) to extract the text; if
  that is unavailable too, Working Together rows are only checked structurally, with a warning.

Usage:
    python3 evals/validate_datasets.py [--corpus DIR] [--datasets DIR] [-q]

Exit status 0 if every row passes, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATASETS = HERE / "datasets"

POLICY_DOC = "meopham-policy-2020"
KCSIE_DOC = "kcsie-2025"
WT_DOC = "working-together-2023"

DOC_FILES = {
    POLICY_DOC: "policy/meopham-mobile-technology-and-social-media-policy-2020.md",
    KCSIE_DOC: "guidance/kcsie-2025.txt",
    WT_DOC: "guidance/working-together-to-safeguard-children-2023.pdf",
}

REQUIRED_FIELDS = {
    "id": str,
    "audience": str,
    "question": str,
    "kind": str,
    "expected_clauses": list,
    "expected_doc": str,
    "must_mention": list,
}
OPTIONAL_FIELDS = {"notes": str}
KINDS = {"answerable", "clause_lookup", "out_of_scope", "escalation"}
AUDIENCES = {"staff", "parent", "learner", "visitor", "governor"}
MIN_WORDS, MAX_WORDS = 2, 5
MAX_MUST_MENTION = 2

# Sections and subsections of the policy that answerable rows must each cover at least twice.
POLICY_COVERAGE_TARGETS = ["1", "2", "3", "4", "5", "6"] + [f"6.{i}" for i in range(1, 10)]
MIN_COVERAGE = 2

CLAUSE_REF_RE = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2}){1,2})(?![\d]|\.\d)")


def norm(text: str) -> str:
    """Case-fold and collapse whitespace (the matching rule for must_mention)."""
    return re.sub(r"\s+", " ", text).strip().lower()


# --------------------------------------------------------------------------------------------
# Document parsing
# --------------------------------------------------------------------------------------------

def strip_markdown(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](#) -> text
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)  # <url> -> url
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)  # **bold**
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)  # *italic*
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!'\"])", r"\1", text)  # \( -> (
    return text


POLICY_CLAUSE_RE = re.compile(r"^\s*-\s+(\d+(?:\.\d+)+)\s+(.*)$")
POLICY_BULLET_RE = re.compile(r"^\s*-\s+(.*)$")


def parse_policy(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    clauses: dict[str, list[str]] = {}
    duplicates = []

    # Key Details block: after the "Key Details" heading, up to "Policy aims".
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == "Key Details")
        end = next(i for i, l in enumerate(lines) if i > start and l.strip() == "Policy aims")
        clauses["Key Details"] = [l.strip() for l in lines[start + 1:end] if l.strip()]
    except StopIteration:
        raise SystemExit(f"error: could not find the Key Details block in {path}")

    current: str | None = None
    for line in lines:
        if not line.strip():
            continue  # blank lines do not end a clause
        m = POLICY_CLAUSE_RE.match(line)
        if m:
            current = m.group(1)
            if current in clauses:
                duplicates.append(current)
            clauses[current] = [m.group(2).strip()]
            continue
        if current is None:
            continue
        b = POLICY_BULLET_RE.match(line)
        if b:
            clauses[current].append(b.group(1).strip())
        elif line.strip().startswith("<http"):
            clauses[current].append(line.strip())
        else:
            current = None  # a heading (numbered or not) ends the clause
    if duplicates:
        raise SystemExit(f"error: duplicate clause ids in policy: {duplicates}")
    return {cid: strip_markdown(" ".join(parts)) for cid, parts in clauses.items()}


NUMBERED_PARA_RE = re.compile(r"^\s{0,4}(\d{1,3})\.\s+\S")


def parse_numbered_paragraphs(text: str, stop_re: re.Pattern | None = None) -> dict[str, str]:
    """Paragraphs 'N. text', accepted only in sequence 1, 2, 3, ...; text runs to the next one."""
    lines = text.replace("\f", "\n").splitlines()
    starts: list[tuple[int, int]] = []  # (number, line index)
    expected = 1
    end = len(lines)
    for i, line in enumerate(lines):
        if starts and stop_re is not None and stop_re.match(line):
            end = i
            break
        m = NUMBERED_PARA_RE.match(line)
        if m and int(m.group(1)) == expected:
            starts.append((expected, i))
            expected += 1
    paras = {}
    for k, (num, i) in enumerate(starts):
        j = starts[k + 1][1] if k + 1 < len(starts) else end
        body = "\n".join(lines[i:j])
        body = re.sub(r"^\s{0,4}\d{1,3}\.\s+", "", body, count=1)
        paras[str(num)] = re.sub(r"\s+", " ", body).strip()
    return paras


def parse_kcsie(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return parse_numbered_paragraphs(text, stop_re=re.compile(r"^Annex A:"))


_PDF_SNIPPET = (
    "import sys\n"
    "from pypdf import PdfReader\n"
    "r = PdfReader(sys.argv[1])\n"
    "sys.stdout.write('\\n\\f'.join((p.extract_text() or '') for p in r.pages))\n"
)


def extract_pdf_text(path: Path) -> tuple[str | None, str]:
    """Return (text, how) using pypdf in-process, or a python that has it, or (None, reason)."""
    try:
        from pypdf import PdfReader  # type: ignore
    except ImportError:
        PdfReader = None
    if PdfReader is not None:
        reader = PdfReader(str(path))
        return "\n\f".join((p.extract_text() or "") for p in reader.pages), "pypdf"
    candidates = [os.environ.get("PYPDF_PYTHON"), "/tmp/pdfvenv/bin/python"]
    for py in candidates:
        if not py or not Path(py).exists():
            continue
        try:
            out = subprocess.run([py, "-c", _PDF_SNIPPET, str(path)], capture_output=True,
                                 text=True, encoding="utf-8", timeout=300)
        except (OSError, subprocess.SubprocessError) as exc:  # pragma: no cover
            continue
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout, f"pypdf via {py}"
    return None, "pypdf is not installed (set PYPDF_PYTHON to a python that has it)"


def parse_working_together(path: Path) -> tuple[dict[str, str] | None, str]:
    text, how = extract_pdf_text(path)
    if text is None:
        return None, how
    return parse_numbered_paragraphs(text), how


def find_corpus(cli: str | None) -> Path:
    candidates = []
    if cli:
        candidates.append(Path(cli))
    if os.environ.get("POLICY_CORPUS_DIR"):
        candidates.append(Path(os.environ["POLICY_CORPUS_DIR"]))
    candidates += [HERE.parent / "corpus", Path("/work/shared/corpus")]
    for c in candidates:
        if (c / DOC_FILES[POLICY_DOC]).is_file() and (c / DOC_FILES[KCSIE_DOC]).is_file():
            return c
    raise SystemExit("error: corpus not found; pass --corpus DIR (the folder holding policy/ "
                     "and guidance/) or set POLICY_CORPUS_DIR. Tried: "
                     + ", ".join(str(c) for c in candidates))


# --------------------------------------------------------------------------------------------
# Row checks
# --------------------------------------------------------------------------------------------

def is_nonexistent_lookup(row: dict) -> bool:
    return row.get("kind") == "clause_lookup" and "nonexistent" in str(row.get("notes", "")).lower()


def check_row(row, where, docs, errors, warnings):
    n_before = len(errors)

    def err(msg):
        errors.append(f"{where}: {msg}")

    if not isinstance(row, dict):
        err("row is not a JSON object")
        return False
    for field, typ in REQUIRED_FIELDS.items():
        if field not in row:
            err(f"missing field '{field}'")
        elif not isinstance(row[field], typ):
            err(f"field '{field}' should be {typ.__name__}, got {type(row[field]).__name__}")
    for field, typ in OPTIONAL_FIELDS.items():
        if field in row and not isinstance(row[field], typ):
            err(f"field '{field}' should be {typ.__name__}")
    extra = set(row) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
    if extra:
        warnings.append(f"{where}: unknown field(s) {sorted(extra)}")
    if len(errors) > n_before:  # missing or mistyped fields: nothing more can be checked
        return False

    if not row["id"].strip():
        err("empty id")
    if not row["question"].strip():
        err("empty question")
    if row["kind"] not in KINDS:
        err(f"kind '{row['kind']}' not in {sorted(KINDS)}")
    if row["audience"] not in AUDIENCES:
        err(f"audience '{row['audience']}' not in {sorted(AUDIENCES)}")
    doc = row["expected_doc"]
    if doc not in DOC_FILES:
        err(f"expected_doc '{doc}' not in {sorted(DOC_FILES)}")
        return False
    clauses = row["expected_clauses"]
    mentions = row["must_mention"]
    if not all(isinstance(c, str) and c for c in clauses):
        err("expected_clauses must be non-empty strings")
        return False
    if len(set(clauses)) != len(clauses):
        err(f"duplicate entries in expected_clauses {clauses}")
    if not all(isinstance(p, str) and p.strip() for p in mentions):
        err("must_mention entries must be non-empty strings")
        return False

    kind = row["kind"]
    empty_expected = kind == "out_of_scope" or is_nonexistent_lookup(row)
    if empty_expected:
        if clauses:
            err(f"{kind} row{' (nonexistent)' if kind == 'clause_lookup' else ''} must have "
                f"expected_clauses [] (has {clauses})")
        if mentions:
            err("must_mention must be [] for out_of_scope rows and nonexistent lookups")
    else:
        if not clauses:
            err(f"{kind} row needs at least one expected clause")
        if not 1 <= len(mentions) <= MAX_MUST_MENTION:
            err(f"must_mention should have 1-{MAX_MUST_MENTION} phrases (has {len(mentions)})")
    for p in mentions:
        n = len(p.split())
        if not MIN_WORDS <= n <= MAX_WORDS:
            err(f"must_mention phrase '{p}' has {n} words (want {MIN_WORDS}-{MAX_WORDS})")
        if re.search(r"[\u2018\u2019\u201c\u201d]", p):
            warnings.append(f"{where}: must_mention '{p}' contains curly quotes")

    doc_clauses = docs.get(doc)
    if doc_clauses is None:  # document unavailable (warned once already)
        return True
    for c in clauses:
        if c not in doc_clauses:
            err(f"expected clause '{c}' does not exist in {doc}")
    texts = [norm(doc_clauses[c]) for c in clauses if c in doc_clauses]
    for p in mentions:
        if texts and not any(norm(p) in t for t in texts):
            err(f"must_mention '{p}' not found in any of {clauses} ({doc})")

    if kind == "clause_lookup":
        refs = CLAUSE_REF_RE.findall(row["question"])
        if is_nonexistent_lookup(row):
            if not refs:
                refs = re.findall(r"\b(\d{1,2})\b", row["question"])
            if not refs:
                err("nonexistent lookup names no clause number")
            for r in refs:
                if r in doc_clauses:
                    err(f"lookup marked nonexistent but clause '{r}' exists in {doc}")
        elif refs and not any(r in clauses for r in refs):
            err(f"lookup names {refs} but expected_clauses is {clauses}")
    return True


def coverage(rows_by_file) -> dict[str, int]:
    counts = {t: 0 for t in POLICY_COVERAGE_TARGETS}
    for rows in rows_by_file.values():
        for row in rows:
            if row.get("kind") != "answerable" or row.get("expected_doc") != POLICY_DOC:
                continue
            hit = set()
            for c in row.get("expected_clauses", []):
                parts = c.split(".")
                if parts[0].isdigit():
                    hit.add(parts[0])
                    if len(parts) >= 3:
                        hit.add(".".join(parts[:2]))
            for t in hit:
                if t in counts:
                    counts[t] += 1
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="folder holding policy/ and guidance/ (default: "
                    "$POLICY_CORPUS_DIR, <repo>/corpus, /work/shared/corpus)")
    ap.add_argument("--datasets", default=str(DEFAULT_DATASETS), help="folder of *.jsonl files")
    ap.add_argument("-q", "--quiet", action="store_true", help="only print problems")
    args = ap.parse_args(argv)

    corpus = find_corpus(args.corpus)
    errors: list[str] = []
    warnings: list[str] = []

    docs: dict[str, dict[str, str] | None] = {
        POLICY_DOC: parse_policy(corpus / DOC_FILES[POLICY_DOC]),
        KCSIE_DOC: parse_kcsie(corpus / DOC_FILES[KCSIE_DOC]),
    }
    wt_path = corpus / DOC_FILES[WT_DOC]
    if wt_path.is_file():
        wt, how = parse_working_together(wt_path)
    else:
        wt, how = None, f"{wt_path} not found"
    docs[WT_DOC] = wt
    if wt is None:
        warnings.append(f"Working Together checks skipped: {how}")

    # Sanity checks on the parses, so a parsing regression cannot silently pass rows.
    pol = docs[POLICY_DOC]
    for must in ("Key Details", "1.1", "2.2", "5.8", "6.3.4", "6.9.15"):
        if must not in pol:
            errors.append(f"policy parse: clause {must} missing")
    if "2.1" in pol:
        errors.append("policy parse: found a clause 2.1, which the policy does not have")
    for name, parsed, last in ((KCSIE_DOC, docs[KCSIE_DOC], 562), (WT_DOC, wt, 403)):
        if parsed is None:
            continue
        if str(last) not in parsed or str(last + 1) in parsed:
            warnings.append(f"{name} parse: expected paragraphs 1-{last}, got 1-{len(parsed)}")
    if not args.quiet:
        print(f"corpus: {corpus}")
        print(f"parsed: {POLICY_DOC} {len(pol)} clauses; {KCSIE_DOC} {len(docs[KCSIE_DOC])} "
              f"paragraphs; {WT_DOC} " + (f"{len(wt)} paragraphs ({how})" if wt else "skipped"))

    datasets = Path(args.datasets)
    files = sorted(datasets.glob("*.jsonl"))
    if not files:
        errors.append(f"no .jsonl files in {datasets}")
    seen_ids: dict[str, str] = {}
    rows_by_file: dict[str, list[dict]] = {}
    for f in files:
        rows = []
        seen_questions: dict[str, str] = {}
        with f.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                where = f"{f.name}:{lineno}"
                if not line.strip():
                    errors.append(f"{where}: blank line")
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    errors.append(f"{where}: invalid JSON ({exc})")
                    continue
                if isinstance(row, dict) and isinstance(row.get("id"), str):
                    where = f"{f.name}:{lineno} [{row['id']}]"
                    if row["id"] in seen_ids:
                        errors.append(f"{where}: duplicate id (also {seen_ids[row['id']]})")
                    else:
                        seen_ids[row["id"]] = where
                if check_row(row, where, docs, errors, warnings):
                    rows.append(row)
                    q = norm(row["question"])
                    if q in seen_questions:
                        warnings.append(f"{where}: same question as {seen_questions[q]}")
                    seen_questions.setdefault(q, where)
        rows_by_file[f.name] = rows

    cov = coverage(rows_by_file)
    if any(r.get("expected_doc") == POLICY_DOC for rows in rows_by_file.values() for r in rows):
        low = {t: n for t, n in cov.items() if n < MIN_COVERAGE}
        if low:
            errors.append(f"policy coverage: sections with fewer than {MIN_COVERAGE} answerable "
                          f"rows: {low}")

    if not args.quiet:
        for name, rows in rows_by_file.items():
            kinds = Counter(r.get("kind") for r in rows)
            docs_c = Counter(r.get("expected_doc") for r in rows)
            print(f"{name}: {len(rows)} rows; kinds " + ", ".join(
                f"{k}={kinds[k]}" for k in sorted(kinds)) + "; docs " + ", ".join(
                f"{d}={docs_c[d]}" for d in sorted(docs_c)))
        print("policy answerable coverage: " + ", ".join(f"{t}={n}" for t, n in cov.items()))
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if errors:
        print(f"FAILED: {len(errors)} error(s)", file=sys.stderr)
        return 1
    if not args.quiet:
        print("OK: all rows pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
