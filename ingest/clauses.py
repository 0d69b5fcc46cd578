"""Pages of text -> Clause records, numbered exactly as the document numbers them.

Two structures cover the corpus:
- outline: a policy written as numbered clauses ("- 6.2.4 Staff will ...") under
  numbered and unnumbered headings, bullets belonging to the clause above them,
  an unnumbered front block ("Key Details").
- paragraphs: DfE guidance with numbered paragraphs ("172. ...") under headings
  that the contents pages list; text under a heading with no number becomes a
  record named by its heading.
Written by hand: no maintained library parses these numbering conventions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.loaders import LoadedDocument, Page
from rag.documents import Clause

BULLET = re.compile(r"^\s*(?:[-*•●▪◦]|\d+\)|[a-z]\))\s+")


# ---------------------------------------------------------------- shared helpers

def clean_markdown(text: str) -> str:
    """The document's words as a reader sees them: links, emphasis and escapes removed."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)\*(\S.*?\S|\S)\*(?!\w)", r"\1", text)
    text = re.sub(r"\\([\\()\[\]*_#.\-!])", r"\1", text)
    return text


def squash(text: str) -> str:
    return " ".join(text.split())


def split_long(text: str, max_chars: int) -> list[str]:
    """Split a long paragraph at sentence ends, each part overlapping the last sentence of the one before."""
    if len(text) <= max_chars:
        return [text]
    sentences = re.split(r"(?<=[.;:!?])\s+(?=[A-Z•\-‘“(])", text)
    parts: list[str] = []
    current: list[str] = []
    for s in sentences:
        if current and len(" ".join(current)) + len(s) + 1 > max_chars:
            parts.append(" ".join(current))
            current = [current[-1]] if len(current[-1]) < max_chars // 2 else []
        current.append(s)
    if current:
        tail = " ".join(current)
        if not parts or tail != parts[-1]:
            parts.append(tail)
    return parts


@dataclass
class _Block:
    clause: str
    heading_path: tuple[str, ...]
    lines: list[str] = field(default_factory=list)
    page: int | None = None
    page_end: int | None = None
    numbered: bool = True

    def add(self, line: str, page: int | None) -> None:
        self.lines.append(line)
        if page is not None:
            self.page = self.page or page
            self.page_end = page


def _join_lines(lines: list[str]) -> str:
    """Lines -> text: wrapped lines joined with spaces, each bullet on its own line as '- '."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if BULLET.match(raw):
            out.append("- " + BULLET.sub("", raw).strip())
        elif out and out[-1].endswith("-") and not out[-1].endswith(" -") and line[:1].islower():
            out[-1] = out[-1] + line  # a word hyphenated across lines
        elif out:
            out[-1] = out[-1] + " " + line
        else:
            out.append(line)
    return "\n".join(squash(ln) for ln in out)


def _emit(doc_id: str, blocks: list[_Block], max_chars: int) -> list[Clause]:
    clauses: list[Clause] = []
    seq = 0
    for b in blocks:
        text = _join_lines(b.lines)
        if not text:
            continue
        for part, chunk in enumerate(split_long(text, max_chars)):
            clauses.append(
                Clause(doc_id, b.clause, chunk, b.heading_path, b.page, b.page_end, part, seq, b.numbered)
            )
            seq += 1
    return clauses


# ---------------------------------------------------------------- outline (the policy)

OUTLINE_NUM = re.compile(r"^\s*(?P<dash>[-*•]\s*)?(?P<num>\d+(?:\.\d+)*)\.?\s+(?P<rest>\S.*)$")


def _is_heading_text(text: str) -> bool:
    t = text.strip()
    return 0 < len(t) <= 80 and not re.search(r"[.;,:]$", t) and not t.startswith(("<", "http", "["))


def parse_outline(doc_id: str, loaded: LoadedDocument, max_chars: int = 1200) -> list[Clause]:
    lines = [ln for page in loaded.pages for ln in page.lines]
    blocks: list[_Block] = []
    # heading stack: (level, title)
    stack: list[tuple[float, str]] = []
    front: _Block | None = None
    current: _Block | None = None
    started = False
    deepest_numbered = 0

    def path() -> tuple[str, ...]:
        return tuple(t for _, t in stack)

    def set_heading(level: float, title: str) -> None:
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))

    def next_nonblank(i: int) -> str:
        for ln in lines[i + 1:]:
            if ln.strip():
                return ln
        return ""

    for i, raw in enumerate(lines):
        line = clean_markdown(raw).rstrip()
        if not line.strip():
            continue
        m = OUTLINE_NUM.match(line)
        if m and "." in m.group("num") or (m and not m.group("dash") and _is_heading_text(m.group("rest"))):
            num, rest, dashed = m.group("num"), m.group("rest").strip(), bool(m.group("dash"))
            level = num.count(".") + 1
            if not dashed and _is_heading_text(rest) and level <= 2:
                # "2. Policy scope", "6.1 Expectations": a numbered heading.
                started = True
                current = None
                set_heading(level, f"{num} {rest}")
                deepest_numbered = level
                continue
            if level >= 2 or dashed:
                started = True
                current = _Block(num, path())
                current.add(rest, None)
                blocks.append(current)
                continue
        if not started:
            if line.strip().lower() == "key details":
                front = _Block("Key Details", ("Key Details",), numbered=False)
                blocks.append(front)
            elif front is not None and not (_is_heading_text(line) and OUTLINE_NUM.match(clean_markdown(next_nonblank(i)))):
                # Each front-block line stands alone (a name, a date), never joined to the next.
                front.lines.append(line.strip() if line.strip().endswith(":") else "- " + line.strip())
            elif _is_heading_text(line) and next_nonblank(i) and not next_nonblank(i).lstrip().startswith("-"):
                continue  # title lines above Key Details
            else:
                # An unnumbered heading before any number ("Policy aims") starts the outline.
                started = True
        if not started:
            continue
        is_bullet = bool(BULLET.match(line))
        if not is_bullet and _is_heading_text(line) and not (current and current.lines and current.lines[-1].rstrip().endswith(":")):
            nxt = clean_markdown(next_nonblank(i))
            nm = OUTLINE_NUM.match(nxt)
            if nm and not nm.group("dash") and _is_heading_text(nm.group("rest")):
                # A group heading over numbered sections ("Use of Social Media" over 6.6-6.9).
                level = nm.group("num").count(".") + 1 - 0.5
            else:
                level = deepest_numbered + 1 if stack else 1
            set_heading(level, line.strip())
            current = None
            continue
        if current is None:
            # Text under an unnumbered heading: a record named by its heading.
            title = stack[-1][1] if stack else "Introduction"
            current = _Block(title, path(), numbered=False)
            blocks.append(current)
        current.add(line, None)
    return _emit(doc_id, blocks, max_chars)


# ---------------------------------------------------------------- paragraphs (DfE guidance)

PARA = re.compile(r"^\s{0,6}(?P<num>\d{1,3})\.\s+(?P<rest>\S.*)$")
LABEL = re.compile(r"^((?:part|chapter|section|annex|appendix)\s+[\w]+)\s*:", re.I)
TOC_ENTRY = re.compile(r"^\s*(?P<title>\S.*?)[\s.]*(?P<page>\d{1,3})\s*$")


@dataclass(frozen=True)
class _TocEntry:
    title: str
    page: int
    level: int


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def parse_contents(lines: list[str]) -> list[_TocEntry]:
    """Contents-page lines -> entries (title, page, level); a title wrapped over lines is joined.

    Parts, chapters, annexes and appendices are level 1; everything else level 2 (the parser puts a
    chapter's other headings one level down inside a "Section N").
    """
    entries: list[_TocEntry] = []
    pending = ""
    for raw in lines:
        if not raw.strip() or raw.strip().lower() in {"contents", "table of contents"}:
            continue
        m = TOC_ENTRY.match(raw)
        if not m:
            pending = f"{pending} {raw.strip()}".strip()
            continue
        title = f"{pending} {m.group('title').strip()}".strip()
        pending = ""
        level = 1 if re.match(r"(part|chapter|annex|appendix|summary|introduction)\b", title, re.I) else 2
        entries.append(_TocEntry(title, int(m.group("page")), level))
    return entries


def _heading_like(line: str, prev_blank: bool, next_line: str) -> bool:
    t = line.strip()
    if not prev_blank or not t or len(t) > 90 or len(t.split()) > 14:
        return False
    if BULLET.match(line) or PARA.match(line) or re.search(r"[.,;:]$", t):
        return False
    if not t[0].isupper() or t.isupper() and len(t) > 40:
        return False
    if line.startswith("    "):  # indented: a table cell or a continuation, not a heading
        return False
    nxt = next_line.strip()
    return bool(nxt) and (bool(PARA.match(next_line)) or nxt[0].isupper())


def parse_paragraphs(doc_id: str, loaded: LoadedDocument, max_chars: int = 1200) -> list[Clause]:
    toc = parse_contents(loaded.contents)
    by_norm: dict[str, list[_TocEntry]] = {}
    for e in toc:
        by_norm.setdefault(_norm(e.title), []).append(e)
    prefixes = {_norm(e.title) for e in toc}

    stack: list[tuple[int, str]] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    last_num = 0

    def set_heading(level: int, title: str) -> None:
        nonlocal current
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        current = None

    labels = {}
    for e in toc:
        lm = LABEL.match(e.title)
        if lm:
            labels[_norm(lm.group(1))] = e

    def near(e: _TocEntry, page: Page) -> bool:
        # Contents pages can be stale after a reissue (Working Together's are ~4 pages out).
        return page.number is None or abs(e.page - page.number) <= 8

    def continuation(e: _TocEntry, page: Page, i: int) -> int:
        """How many lines after i carry on a wrapped title (their words all belong to it)."""
        words = set(_norm(e.title).split()) | {"kcsie"}
        used = 0
        for j in range(i + 1, min(i + 4, len(page.lines))):
            ln = page.lines[j]
            if not ln.strip():
                if used:
                    break
                continue
            if PARA.match(ln) or not set(_norm(ln).split()) <= words:
                break
            used = j - i
        return used

    def toc_match(page: Page, i: int) -> tuple[_TocEntry, int] | None:
        line = page.lines[i]
        key = _norm(line)
        if not key:
            return None
        lm = LABEL.match(line.strip())
        if lm and _norm(lm.group(1)) in labels:
            e = labels[_norm(lm.group(1))]
            return e, 1 + continuation(e, page, i)
        for e in by_norm.get(key, []):
            if near(e, page):
                return e, 1
        if any(p.startswith(key + " ") for p in prefixes):
            for e in toc:
                if _norm(e.title).startswith(key + " ") and near(e, page):
                    used = continuation(e, page, i)
                    joined = _norm(" ".join(page.lines[i:i + used + 1]))
                    if used and joined == _norm(e.title):
                        return e, used + 1
        return None

    last_line = ""  # the previous page's last line: does the page start mid-sentence?
    for page in loaded.pages:
        lines = page.lines
        skip = 0
        for i, raw in enumerate(lines):
            if skip:
                skip -= 1
                continue
            if not raw.strip():
                continue
            hit = toc_match(page, i)
            if hit:
                entry, used = hit
                # Within a Section, the chapter's other headings sit one level down.
                level = entry.level
                if level == 2 and stack and re.match(r"section \d", stack[-1][1], re.I) and not re.match(r"section \d", entry.title, re.I):
                    level = 3
                set_heading(level, squash(entry.title))
                skip = used - 1
                continue
            m = PARA.match(raw)
            if m:
                n = int(m.group("num"))
                if last_num < n <= last_num + 3:
                    last_num = n
                    current = _Block(str(n), tuple(t for _, t in stack), numbered=True)
                    current.add(m.group("rest"), page.number)
                    blocks.append(current)
                    continue
            first_on_page = not any(ln.strip() for ln in lines[:i])
            if first_on_page:
                # A heading can open a page, but only after a page that ended a sentence.
                prev_blank = bool(re.search(r"[.:;!?)”’]\s*$", last_line)) or not last_line
            else:
                prev_blank = not lines[i - 1].strip()
            nxt = next((ln for ln in lines[i + 1:] if ln.strip()), "")
            if stack and _heading_like(raw, prev_blank, nxt):
                set_heading(4, squash(raw))
                continue
            # A heading wrapped over two lines ("Boarding schools, / residential special schools ...").
            if stack and prev_blank and i + 2 < len(lines) and lines[i + 1].strip():
                l1, l2 = raw.strip(), lines[i + 1].strip()
                after = next((ln for ln in lines[i + 2:] if ln.strip()), "")
                if (l1[:1].isupper() and len(l1) <= 90 and len(l2) <= 90 and not re.search(r"[.;:]$", l1)
                        and not re.search(r"[.,;:]$", l2) and not BULLET.match(raw) and not PARA.match(raw)
                        and not BULLET.match(lines[i + 1]) and not PARA.match(lines[i + 1]) and PARA.match(after)):
                    set_heading(4, squash(raw + " " + lines[i + 1]))
                    skip = 1
                    continue
            if not stack:
                continue  # the cover page, before the first heading
            if current is None:
                current = _Block(stack[-1][1], tuple(t for _, t in stack), numbered=False)
                blocks.append(current)
            current.add(raw, page.number)
        content = [ln for ln in lines if ln.strip()]
        if content:
            last_line = content[-1]
    return _emit(doc_id, blocks, max_chars)


def parse(doc_id: str, loaded: LoadedDocument, structure: str = "", max_chars: int = 1200) -> list[Clause]:
    structure = structure or ("paragraphs" if loaded.paged else "outline")
    if structure == "outline":
        # Policy clauses are short and must stay whole (bullets included): split only a runaway one.
        return parse_outline(doc_id, loaded, max(max_chars, 4000))
    if structure == "paragraphs":
        return parse_paragraphs(doc_id, loaded, max_chars)
    raise ValueError(f"unknown structure '{structure}' (use outline or paragraphs)")
