"""What ingest makes of the real corpus: clause numbers, bullets, headings, pages, no page furniture.

Read from the live index (`.index/`, built from `corpus/`), i.e. exactly the records the
assistant quotes and cites.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.clauses import parse
from ingest.loaders import load
from rag.config import PROJECT_ROOT
from rag.store import Index

POLICY = "meopham-policy-2020"
KCSIE = "kcsie-2025"
WT = "working-together-2023"
KCSIE_TXT = PROJECT_ROOT / "corpus/guidance/kcsie-2025.txt"
WT_PDF = PROJECT_ROOT / "corpus/guidance/working-together-to-safeguard-children-2023.pdf"
PART_ONE_PDF = Path(__file__).parents[2] / "shared/corpus/guidance/kcsie-2025-part-one.pdf"

LAST_PART_FIVE_PARAGRAPH = 562  # KCSIE 2025, page 143; Annex A (page 144) restarts its own numbering


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def records(settings_live):
    return Index.open(settings_live).clauses


@pytest.fixture(scope="module")
def policy(records):
    """Clause number -> record, for the policy (whose clauses are never split)."""
    recs = [c for c in records if c.doc_id == POLICY]
    return {c.clause: c for c in recs}


def part0(records, doc_id: str) -> dict[str, object]:
    return {c.clause: c for c in records if c.doc_id == doc_id and c.numbered and c.part == 0}


def whole_text(records, doc_id: str, clause: str) -> str:
    return "\n".join(c.text for c in records if c.doc_id == doc_id and c.clause == clause)


@pytest.fixture(scope="module")
def kcsie_pages() -> list[str]:
    """The text edition's pages: page N is the Nth form-feed-separated chunk."""
    return KCSIE_TXT.read_text(encoding="utf-8").split("\f")


# ------------------------------------------------------------------ the policy


def _expected_policy_numbers() -> list[str]:
    spans = [("1", 1, 7), ("2", 2, 3), ("3", 1, 1), ("4", 1, 5), ("5", 1, 8), ("6.1", 1, 6), ("6.2", 1, 7),
             ("6.3", 1, 4), ("6.4", 1, 4), ("6.5", 1, 5), ("6.6", 1, 8), ("6.7", 1, 18), ("6.8", 1, 7), ("6.9", 1, 15)]
    return [f"{prefix}.{n}" for prefix, lo, hi in spans for n in range(lo, hi + 1)]


def test_every_policy_clause_is_one_record_with_its_number(records):
    expected = _expected_policy_numbers()
    assert len(expected) == 97 and "2.1" not in expected  # the policy has no clause 2.1
    got = [c.clause for c in sorted(records, key=lambda c: c.seq) if c.doc_id == POLICY and c.numbered]
    assert got == expected
    assert all(c.part == 0 for c in records if c.doc_id == POLICY), "a policy clause was split into parts"


def test_bullets_stay_with_their_clause(policy):
    t = policy["6.3.4"].text
    assert "held in a secure place and released to parents/ carers" in t
    assert "handed over to the police" in t
    t = policy["6.9.15"].text
    assert "Sign our AUP" in t
    assert "Not engage with any private/direct messaging" in t
    assert policy["6.2.2"].text.splitlines() == [
        "Staff will be advised to:",
        "- keep mobile phones and personal devices in a safe and secure place during lesson time.",
        "- keep mobile phones and personal devices switched off or switched to 'silent' mode during lesson times.",
        "- ensure that Bluetooth or other forms of communication, such as 'airdrop', are hidden or disabled during lesson times.",
        "- not use personal devices during teaching periods unless written permission has been given by the Head Teacher such as in emergency circumstances.",
        "- ensure that any content brought onto site via mobile phones and personal devices are compatible with their professional role and expectations.",
    ]
    assert policy["6.2.4"].text.splitlines() == [
        "Staff will only use school provided equipment (not personal devices):",
        "- to take photos or videos of learners in line with our image use policy.",
        "- to work directly with learners during lessons/educational activities.",
        "- to communicate with parents and carers.",
    ]
    # ... and never leak into the next clause
    assert "handed over to the police" not in policy["6.4.1"].text
    assert "Sign our AUP" not in "".join(c.text for k, c in policy.items() if k != "6.9.15")


def test_markdown_is_cleaned(policy):
    t = policy["1.2"].text
    assert "Keeping Children Safe in Education' 2020" in t
    assert "](#)" not in t and "[" not in t
    assert "**" not in policy["Key Details"].text
    assert "*Code of Conduct" not in policy["6.7.2"].text
    key = policy["Key Details"]
    assert not key.numbered
    for name in ["Michele Sowden-Mehta", "Paul Hale", "Katherine Heasmen", "Jo Brown", "Karen Jackson", "Helena Gula",
                 "September 2021"]:
        assert name in key.text, name


def test_policy_heading_paths(policy):
    assert policy["6.2.4"].heading_path[-1] == "6.2 Staff use of personal devices and mobile phones"
    assert "Reputation" in policy["6.7.6"].heading_path
    assert "Reputation" not in policy["6.7.5"].heading_path
    assert policy["6.7.13"].heading_path[-1] == "Communicating with learners and parents/carers"


# ------------------------------------------------------------------ KCSIE 2025 (text edition)


def _page_of_paragraph(pages: list[str], n: int) -> int:
    """Independently: the first page (after the contents) with a line starting 'n.'."""
    pat = re.compile(rf"(?m)^\s{{0,6}}{n}\.\s+\S")
    return next(i for i, page in enumerate(pages, 1) if i > 3 and pat.search(page))


@pytest.mark.parametrize(
    "number,page,page_end",
    [
        ("12", 9, 9),
        ("140", 40, 40),
        ("145", 41, 41),
        ("172", 48, 48),
        ("17", 9, 10),  # starts in the last lines of page 9, ends on page 10
        ("157", 43, 44),
    ],
)
def test_kcsie_paragraph_pages(records, kcsie_pages, number, page, page_end):
    rec = part0(records, KCSIE)[number]
    assert _page_of_paragraph(kcsie_pages, int(number)) == page  # the test's own reading of the file
    assert (rec.page, rec.page_end) == (page, page_end)
    first_words = " ".join(rec.text.split()[:6])
    assert first_words in squash(kcsie_pages[page - 1])


def test_kcsie_paragraphs_are_all_there_once(records):
    nums = [int(c.clause) for c in records if c.doc_id == KCSIE and c.numbered and c.part == 0]
    dupes = [n for n, k in Counter(nums).items() if k > 1]
    assert not dupes
    assert sorted(nums) == list(range(1, LAST_PART_FIVE_PARAGRAPH + 1))


def test_kcsie_pages_match_the_file_for_every_paragraph(records, kcsie_pages):
    """Every paragraph's page is the page where 'N.' starts a line in the text edition."""
    recs = part0(records, KCSIE)
    wrong = []
    for n in range(1, LAST_PART_FIVE_PARAGRAPH + 1):
        page = recs[str(n)].page
        pat = re.compile(rf"(?m)^\s{{0,6}}{n}\.\s+" + re.escape(recs[str(n)].text.split()[0]))
        if not pat.search(kcsie_pages[page - 1]):
            wrong.append((n, page))
    assert not wrong


def test_kcsie_heading_at_top_of_page_starts_its_section(records):
    """A heading printed as the first line of a page heads the paragraphs below it.

    e.g. page 40 opens with 'Filtering and monitoring' over paragraph 140; page 31 with
    'The designated safeguarding lead' over 102; page 142 with 'Working with parents and carers'.
    """
    recs = part0(records, KCSIE)
    wrong = {}
    for number, heading in [("140", "Filtering and monitoring"), ("102", "The designated safeguarding lead"),
                            ("551", "Working with parents and carers"), ("19", "Abuse, neglect and exploitation")]:
        if recs[number].heading_path[-1] != heading:
            wrong[number] = (heading, recs[number].heading_path[-1])
    # ... and the heading is not glued to the end of the paragraph before it
    leaked = [(c.clause, c.part, c.text[-70:]) for c in records if c.doc_id == KCSIE and c.numbered
              and c.text.rstrip().endswith(("Filtering and monitoring", "Abuse, neglect and exploitation",
                                            "Boarding schools, residential special schools, residential colleges and children’s homes"))]
    assert not wrong and not leaked, f"wrong heading (expected, got): {wrong}; heading text inside paragraphs: {leaked}"


def _overlap(a: str, b: str) -> int:
    """Length of the longest end of a that b starts with."""
    return max((n for n in range(1, min(len(a), len(b)) + 1) if a.endswith(b[:n])), default=0)


def test_long_kcsie_paragraphs_split_with_overlap(records):
    recs = [c for c in records if c.doc_id == KCSIE]
    split = sorted({c.clause for c in recs if c.numbered and c.part > 0}, key=int)
    assert len(split) >= 10, "long KCSIE paragraphs are not split"
    # A worked example: paragraph 143 (pages 40-41), its second part opening with the first's last sentence.
    p143 = [c for c in recs if c.clause == "143"]
    assert [c.part for c in p143] == [0, 1]
    a, b = p143
    assert (a.page, a.page_end, a.heading_path) == (b.page, b.page_end, b.heading_path) and (a.page, a.page_end) == (40, 41)
    assert _overlap(a.text, b.text) >= 100
    assert a.text.startswith("Governing bodies and proprietors should review the standards")
    assert b.text.rstrip().endswith("in education.")
    # All of them: parts in order under one number/page/heading; nearly all consecutive parts overlap.
    pairs, no_overlap = 0, []
    for a, b in zip(recs, recs[1:]):
        if b.part == 0 or not b.numbered:
            continue
        assert (b.clause, b.part, b.page, b.heading_path) == (a.clause, a.part + 1, a.page, a.heading_path)
        pairs += 1
        if _overlap(a.text, b.text) < 12:
            no_overlap.append((a.clause, a.part))
    # A part need not repeat a previous last "sentence" longer than half a part (a long bullet list).
    assert pairs >= 30
    assert len(no_overlap) <= 0.15 * pairs, no_overlap


def test_headings_are_cited_as_printed(records):
    """Heading text is single-spaced (no layout padding like 'Part two<22 spaces>The management ...')."""
    padded = sorted({(c.doc_id, h) for c in records for h in c.heading_path if "  " in h})
    assert not padded, padded


# ------------------------------------------------------------------ KCSIE Part one (official PDF) vs the text edition


@pytest.fixture(scope="module")
def part_one():
    if not PART_ONE_PDF.is_file():
        pytest.skip(f"{PART_ONE_PDF} not present (shared/ is beside the project in CI)")
    return parse("kcsie-2025-part-one", load(PART_ONE_PDF), "paragraphs")


def test_part_one_pdf_agrees_with_text_edition(records, part_one):
    """Same paragraphs, same words; each PDF paragraph on the PDF page where it is printed.

    The standalone Part one PDF is paginated on its own (paragraph 12 is on its page 6, page 9
    of the full edition), so its page numbers are checked against the PDF itself, not the
    text edition's.
    """
    from pypdf import PdfReader

    txt = [c for c in records if c.doc_id == KCSIE and c.numbered]
    part_one_numbers = sorted({int(c.clause) for c in txt if c.heading_path and c.heading_path[0].startswith("Part one")})
    assert part_one_numbers == list(range(1, 75))
    pdf_numbers = [int(c.clause) for c in part_one if c.numbered and c.part == 0]
    assert pdf_numbers == part_one_numbers

    def words(recs, n):
        return re.sub(r"[^a-z0-9]+", " ", " ".join(c.text for c in recs if c.clause == str(n)).lower()).split()

    differ = [n for n in part_one_numbers if words(txt, n)[:12] != words(part_one, n)[:12]]
    assert len(differ) <= 0.05 * len(part_one_numbers), f"paragraphs whose opening words differ: {differ}"

    pages = [squash(p.extract_text() or "") for p in PdfReader(str(PART_ONE_PDF)).pages]
    wrong_page = []
    for c in part_one:
        if c.numbered and c.part == 0:
            opening = r"\s*".join(map(re.escape, " ".join(c.text.split()[:4])))
            if not re.search(rf"(?:^|\s){c.clause}\.\s*{opening}", pages[c.page - 1]):
                wrong_page.append((c.clause, c.page))
    assert len(wrong_page) <= 0.05 * len(part_one_numbers), f"paragraphs not on the cited PDF page: {wrong_page}"


def test_part_one_pdf_colophon_is_dropped(part_one):
    """The last page (Crown copyright, licence, 'About this publication') is not content.

    pypdf extracts it as '© C' / 'rown copyright 2025', so a literal '© Crown copyright'
    match does not see it.
    """
    leaked = [(c.clause, c.page) for c in part_one if "rown copyright" in c.text or "About this publication" in c.text]
    assert not leaked


def test_part_one_pdf_has_no_contents_lines(part_one):
    """The Annex's own table of contents (page 21, below prose) is not indexed as text."""
    leaked = [(c.clause, c.page, m) for c in part_one for m in re.findall(r"\S[^.]{3,80}?\s*\.{5,}\s*\d{1,3}", c.text)]
    assert not leaked, leaked[:5]


# ------------------------------------------------------------------ Working Together 2023 (PDF)


@pytest.mark.parametrize(
    "sentence,clause,page",
    [
        ("It applies, in its entirety, to all education providers, and childcare settings.", "4", 9),
        ("The funding should be transparent to children and families in the area, and the individual "
         "contributions of safeguarding partners and relevant agencies should be clearly set out in reporting", "100", 39),
        ("The processes that should be followed by all those involved when responding to, investigating, "
         "and reviewing child deaths is set out in the Child Death Review Statutory and Operational guidance", "392", 151),
    ],
)
def test_working_together_sentence_in_right_clause_and_page(records, sentence, clause, page):
    from pypdf import PdfReader

    hits = [c for c in records if c.doc_id == WT and sentence in squash(c.text)]
    assert [(c.clause, c.page) for c in hits] == [(clause, page)]
    printed = squash(PdfReader(str(WT_PDF)).pages[page - 1].extract_text())
    assert f"{clause}. {sentence[:40]}" in printed  # the PDF itself prints it there


def test_working_together_paragraphs_are_all_there_once(records):
    nums = [int(c.clause) for c in records if c.doc_id == WT and c.numbered and c.part == 0]
    assert sorted(nums) == list(range(1, max(nums) + 1)) and max(nums) == 403


# ------------------------------------------------------------------ page furniture


CONTENTS_ENTRY = re.compile(r"^\s*(\S.*?\S)(?:\s{3,}|\s*\.{4,}\s*)(\d{1,3})\s*$")


@functools.lru_cache(maxsize=None)
def _raw_pages(doc_id: str) -> list[str]:
    """The source's own pages: the text edition split at form feeds, or pypdf's text of each PDF page."""
    if doc_id == KCSIE:
        return KCSIE_TXT.read_text(encoding="utf-8").split("\f")
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(str(WT_PDF)).pages]


@pytest.mark.parametrize("doc_id", [POLICY, KCSIE, WT])
def test_no_record_is_page_furniture(records, doc_id):
    recs = [c for c in records if c.doc_id == doc_id]
    assert recs
    for c in recs:
        t = c.text.strip()
        assert t, c
        assert not re.fullmatch(r"[\d\s.]+", t), f"a bare number as a record: {c}"
        assert t.lower() not in {"contents", "table of contents"}, c
        for line in t.splitlines():
            assert not re.search(r"\.{5,}\s*\d+$", line), f"a contents line in {c.clause}: {line}"
        assert "© Crown copyright" not in t and "rown copyright" not in t, c.clause
    if doc_id == POLICY:
        return
    # The printed page number is never left on the end of a paragraph (a footnote marker written
    # on the same line, like KCSIE 80's '... arrangements. 26', is the document's own text).
    raw = _raw_pages(doc_id)
    for c in recs:
        tail = c.text.split()
        pages = range(c.page, (c.page_end or c.page) + 1)
        if tail and tail[-1] in {str(p) for p in pages}:
            end = " ".join(tail[-3:])
            same_line = any(squash(ln).endswith(end) for p in pages for ln in raw[p - 1].splitlines())
            assert same_line, f"{doc_id} {c.clause} ends with its page number: ...{c.text[-60:]!r}"


@pytest.mark.parametrize("doc_id", [KCSIE, WT])
def test_no_contents_entries_in_records(records, doc_id):
    """Lines of a table of contents ('County lines      151') never end up in a record.

    KCSIE's Annex B prints its own table of contents on page 149, below prose.
    """
    entries = set()
    for page in _raw_pages(doc_id):
        for line in page.splitlines():
            m = CONTENTS_ENTRY.match(line)
            if m and not re.match(r"^\s{0,6}\d{1,3}\.\s", line):
                entries.add(f"{squash(m.group(1))} {m.group(2)}")
    assert entries  # the contents pages themselves
    leaked = {}
    for c in records:
        if c.doc_id == doc_id:
            text = squash(re.sub(r"\s*\.{4,}\s*", " ", c.text))
            found = sorted(e for e in entries if e in text)
            if found:
                leaked[(c.clause, c.page)] = found
    assert not leaked, leaked


@pytest.mark.parametrize("path", [KCSIE_TXT, WT_PDF], ids=["kcsie", "working-together"])
def test_loaded_guidance_drops_page_numbers(path):
    doc = load(path)
    assert doc.contents, f"{path.name}: contents pages not recognised"
    kept = [p.number for p in doc.pages if str(p.number) in {ln.strip() for ln in p.lines}]
    assert not kept, f"{path.name}: printed page number kept on pages {kept}"
    assert "Crown copyright" not in squash(" ".join(ln for p in doc.pages for ln in p.lines))


@pytest.mark.parametrize(
    "path,footnote",
    [
        (KCSIE_TXT, "Detailed information on statutory assessments can be found"),  # footnote 7, page 9
        (KCSIE_TXT, "The Prevent duty Departmental advice for schools and childcare providers"),  # 41, page 40
        (KCSIE_TXT, "Public Health England: has now been replaced by the UK Health Security Agency"),  # 40, page 38
        (WT_PDF, "Children Act 2004 Section 16G"),  # footnote 37, page 39
    ],
    ids=["kcsie-fn7", "kcsie-fn41", "kcsie-fn40", "wt-fn37"],
)
def test_footnotes_are_not_paragraph_text(records, path, footnote):
    """A footnote at the foot of a page is not part of the paragraph it interrupts."""
    doc_id = KCSIE if path == KCSIE_TXT else WT
    assert footnote in squash(" ".join(_raw_pages(doc_id)))
    inside = [(c.clause, c.part, c.page) for c in records if c.doc_id == doc_id and footnote in squash(c.text)]
    assert not inside, f"footnote text inside {inside}"


@pytest.mark.parametrize(
    "clause,box_text,footnote",
    [
        # page 12's box "Children have said that they need: • vigilance ..." belongs to 13 ("...: "), on page 11
        ("13", "vigilance: to have adults notice when things are troubling them", "6 Equality Act 2010"),
        # page 23's box defining the safeguarding partners belongs to 37 ("defined in legislation as follows:")
        ("37", "an integrated care board for an area any part of which falls", "Children Act 2004 Section 16E"),
    ],
    ids=["wt-13", "wt-37"],
)
def test_text_boxes_after_footnotes_join_the_paragraph_that_introduces_them(records, clause, box_text, footnote):
    """Working Together prints some lists in boxes that the PDF stores after the page's footnotes. They are
    the answer to "what do children say they need?", so they are kept, with the paragraph that announces
    them, and the footnotes before them are still dropped."""
    text = squash(" ".join(c.text for c in records if c.doc_id == WT and c.clause == clause))
    assert box_text in text
    assert not [c.clause for c in records if c.doc_id == WT and footnote in squash(c.text) and c.clause != "Appendix A: Glossary"]
