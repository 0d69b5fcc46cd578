"""Files -> pages of text. Page numbers kept; page furniture dropped.

Dropped here, because every parser would otherwise index it as content: the page
number printed on each page, lines repeated on many pages (running headers and
footers), contents pages, footnotes at the foot of a page and the Crown-copyright
colophon page. Contents pages are returned separately: the parsers use them to
recognise headings.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError


@dataclass
class Page:
    number: int | None  # printed page number (1-based position); None for unpaged text
    lines: list[str]


@dataclass
class LoadedDocument:
    path: Path
    pages: list[Page]
    contents: list[str] = field(default_factory=list)  # lines of the table-of-contents pages
    paged: bool = True


TOC_LINE = re.compile(r"^\s*\S.*?[\s.]+\d{1,3}\s*$")
FOOTNOTE_START = re.compile(r"^\s{0,3}\d{1,3}(?:\s+\S|\s*$)")
PARAGRAPH_START = re.compile(r"^\s{0,6}\d{1,3}\.\s")


def load(path: Path) -> LoadedDocument:
    if not path.is_file():
        raise IngestError(path, "file not found")
    if path.stat().st_size == 0:
        raise IngestError(path, "empty file")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raw = _pdf_pages(path)
    elif suffix in {".md", ".txt"}:
        text = _read_text(path)
        if "\f" not in text:
            if not text.strip():
                raise IngestError(path, "empty file (no text)")
            return LoadedDocument(path, [Page(None, text.splitlines())], paged=False)
        raw = text.split("\f")
        if raw and not raw[-1].strip():
            raw = raw[:-1]  # a trailing form feed ends the last page
    else:
        raise IngestError(path, f"unsupported file type '{path.suffix}'")
    return clean_pages(path, raw)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(path, "not UTF-8 text") from None


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Some PDFs are "encrypted" with an empty user password and open fine.
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise IngestError(path, "encrypted PDF (password protected); save an unprotected copy and re-ingest")
        pages = [p.extract_text() or "" for p in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise IngestError(path, f"corrupt or unreadable PDF ({type(e).__name__}: {e})") from None
    except Exception as e:  # pypdf raises assorted errors on damaged files
        raise IngestError(path, f"corrupt or unreadable PDF ({type(e).__name__}: {e})") from None
    if not pages:
        raise IngestError(path, "PDF has no pages")
    chars = sum(len(p.strip()) for p in pages)
    if chars < 40 * len(pages):
        raise IngestError(path, "PDF has no extractable text (a scanned image?); run OCR on it and re-ingest")
    return pages


def clean_pages(path: Path, raw_pages: list[str]) -> LoadedDocument:
    pages = [Page(i + 1, [ln.rstrip() for ln in text.splitlines()]) for i, text in enumerate(raw_pages)]
    for page in pages:
        _drop_page_number(page)
    _drop_running_lines(pages)
    contents: list[str] = []
    kept: list[Page] = []
    boxes: list[tuple[int, list[str]]] = []
    for page in pages:
        if _is_contents_page(page):
            contents.extend(page.lines)
            continue
        if _is_colophon(page):
            continue
        box = _box_after_footnotes(_drop_footnotes(page))
        _drop_contents_runs(page)
        kept.append(page)
        if box:
            boxes.append((len(kept) - 1, box))
    for at, box in boxes:
        _place_box(kept, at, box)
    if not any(ln.strip() for p in kept for ln in p.lines):
        raise IngestError(path, "no text found")
    return LoadedDocument(path, kept, contents)


def _drop_page_number(page: Page) -> None:
    """The printed page number sits among the first or last two non-blank lines."""
    idx = [i for i, ln in enumerate(page.lines) if ln.strip()]
    for i in idx[:2] + idx[-2:]:
        if page.lines[i].strip() == str(page.number):
            page.lines[i] = ""
            return


def _norm_running(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def _drop_running_lines(pages: list[Page]) -> None:
    if len(pages) < 6:
        return
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_norm_running(ln) for ln in page.lines if ln.strip()})
    threshold = max(4, int(0.3 * len(pages)))
    # A bare number ("#") is a footnote marker or a list number, not a running header.
    running = {k for k, n in counts.items() if n >= threshold and len(k) < 120 and k.strip("# ")}
    for page in pages:
        page.lines = ["" if ln.strip() and _norm_running(ln) in running else ln for ln in page.lines]


def _is_contents_page(page: Page) -> bool:
    lines = [ln for ln in page.lines if ln.strip()]
    if len(lines) < 5:
        return False
    toc = sum(1 for ln in lines if TOC_LINE.match(ln) and not PARAGRAPH_START.match(ln))
    has_title = any(ln.strip().lower() in {"contents", "table of contents"} for ln in lines[:3])
    return toc / len(lines) >= (0.5 if has_title else 0.75)


def _is_colophon(page: Page) -> bool:
    # pypdf may split words across lines ("© C" / "rown copyright"): compare without white space.
    flat = re.sub(r"\s+", "", "".join(page.lines))
    return "©Crowncopyright" in flat and "OpenGovernmentLicence" in flat and len(flat) < 2500


# A contents entry: a title, then dot leaders or a run of spaces, then a page number.
CONTENTS_ENTRY = re.compile(r"^\s*\S.*?(?:\s{3,}|\s*\.{3,}\s*|\s\.\s)\d{1,3}\s*$")


def _drop_contents_runs(page: Page) -> None:
    """A contents list on a page that also has prose (an annex's own table of contents)."""
    lines = page.lines
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    run: list[int] = []
    runs: list[list[int]] = []
    for i in idx:
        if CONTENTS_ENTRY.match(lines[i]) and not PARAGRAPH_START.match(lines[i]):
            run.append(i)
        else:
            if len(run) >= 3:
                runs.append(run)
            run = []
    if len(run) >= 3:
        runs.append(run)
    for r in runs:
        first = r[0]
        # The list's own title ("Table of contents") goes with it.
        before = [i for i in idx if i < first]
        if before and lines[before[-1]].strip().lower() in {"contents", "table of contents"}:
            lines[before[-1]] = ""
        for i in range(r[0], r[-1] + 1):
            # Wrapped entries between numbered ones belong to the list too.
            lines[i] = ""


def _drop_footnotes(page: Page) -> list[str]:
    """Footnotes: after a blank line near the foot of the page, lines starting with their number.
    Returns the lines dropped."""
    lines = page.lines
    n = len(lines)
    for i in range(1, n):
        if not lines[i - 1].strip() and FOOTNOTE_START.match(lines[i]) and not PARAGRAPH_START.match(lines[i]):
            # Only the lower part of a page: a numbered list line mid-page is not a footnote.
            rest = [ln for ln in lines[i:] if ln.strip()]
            if i >= n * 0.4 and all(not PARAGRAPH_START.match(ln) for ln in rest):
                page.lines = lines[:i]
                return lines[i:]
        # A footnote printed above its own number: a gap, a line of text, then the bare number.
        if (i >= 2 and i >= n * 0.4 and not lines[i - 1].strip() and not lines[i - 2].strip() and lines[i].strip()
                and any(re.fullmatch(r"\s*\d{1,3}\s*", ln) for ln in lines[i + 1 : i + 3])
                and not any(PARAGRAPH_START.match(ln) for ln in lines[i:])):
            page.lines = lines[:i]
            return lines[i:]
    return []


# Footnotes run the full page width (about 130 characters a line in these PDFs); body text and the boxes
# beside it are narrower.
BODY_WIDTH = 100


def _box_after_footnotes(dropped: list[str]) -> list[str]:
    """A text box the PDF stores after the page's footnotes ("Children have said that they need: • vigilance
    ..."; "Safeguarding partners ... (a) the local authority"): the trailing run of body-width lines that
    starts after a footnote's last (short) line. Diagram labels (a few words a line) are not text."""
    # Footnotes set under a bare number (KCSIE's text edition) wrap at body width: a box cannot be told
    # from them there, and that edition has none.
    if any(re.fullmatch(r"\s*\d{1,3}\s*", ln) for ln in dropped):
        return []
    run: list[str] = []
    for ln in reversed(dropped):
        if FOOTNOTE_START.match(ln) or len(ln) > BODY_WIDTH:
            break
        run.insert(0, ln)
    # The run's first line may end the footnote above it: a wrapped footnote's last line is short.
    before = dropped[: len(dropped) - len(run)]
    last = next((ln for ln in reversed(before) if ln.strip()), "")
    if run and last and not FOOTNOTE_START.match(last):
        run = run[1:]
    elif run and last and FOOTNOTE_START.match(last) and len(last) > BODY_WIDTH:
        run = run[1:]
    text = [ln for ln in run if ln.strip()]
    if len(text) < 2 or sum(len(ln.strip()) for ln in text) / len(text) < 25:
        return []
    return run


def _place_box(pages: list[Page], at: int, box: list[str]) -> None:
    """Put a box after the paragraph that introduces it: the last numbered paragraph on this page or the
    one before that ends with a colon and is followed straight away by the next numbered paragraph
    ("... are defined in legislation as follows:" then "38."). Otherwise it ends the paragraph it interrupts."""
    for p in (at, at - 1):
        if p < 0:
            continue
        following = [(q, i) for q in range(p, len(pages)) for i, ln in enumerate(pages[q].lines) if ln.strip()]
        lines = [(q, i) for q, i in following if q == p]
        for n in range(len(lines) - 1, -1, -1):
            q, i = lines[n]
            nxt = following[n + 1] if n + 1 < len(following) else None
            if (pages[q].lines[i].rstrip().endswith(":") and nxt is not None
                    and PARAGRAPH_START.match(pages[nxt[0]].lines[nxt[1]])):
                pages[q].lines[i + 1 : i + 1] = box
                return
    # A sentence running on to the next page is not cut by the box: it goes where that paragraph ends.
    last = next((ln for ln in reversed(pages[at].lines) if ln.strip()), "")
    if last and not last.rstrip().endswith((".", ":", ";", "!", "?")):
        for q in range(at + 1, min(at + 3, len(pages))):
            for i, ln in enumerate(pages[q].lines):
                if PARAGRAPH_START.match(ln):
                    pages[q].lines[i:i] = box
                    return
    pages[at].lines.extend(box)
