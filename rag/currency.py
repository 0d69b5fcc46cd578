"""Is a document still the edition in force today? Decided by dates, not by a status flag.

Each manifest entry may give `in_force_from` (YYYY-MM-DD), `in_force_until`, `replaces` (the id of the
edition it replaces) and `reissued_each` (MM-DD: statutory guidance re-issued every year on that day, as
KCSIE is for 1 September). A held edition is replaced:
  - when a later entry that `replaces` it is in force (the manifest may list the new edition as not held);
  - when its `in_force_until` has passed;
  - or, for guidance re-issued each year, on the first re-issue date after it came into force.
The school's own policy keeps its review-overdue note. "Today" comes from the settings, so tests can set it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from rag.documents import DocumentInfo


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _month(yyyy_mm: str) -> str:
    try:
        return dt.date.fromisoformat(yyyy_mm + "-01").strftime("%B %Y")
    except ValueError:
        return yyyy_mm


def _long(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


@dataclass(frozen=True)
class Standing:
    in_force: bool
    replaced_on: dt.date | None = None
    replaced_by: DocumentInfo | None = None  # the edition that replaced it, when the manifest lists it


def next_reissue(doc: DocumentInfo) -> dt.date | None:
    """The first re-issue date after the document came into force, for guidance re-issued each year."""
    start = _date(doc.in_force_from)
    if not start or not doc.reissued_each:
        return None
    try:
        month, day = (int(x) for x in doc.reissued_each.split("-"))
        candidate = dt.date(start.year, month, day)
    except ValueError:
        return None
    return candidate if candidate > start else candidate.replace(year=start.year + 1)


def standing(doc: DocumentInfo, documents: Mapping[str, DocumentInfo], today: dt.date) -> Standing:
    successors = sorted((d for d in documents.values() if d.replaces == doc.id and _date(d.in_force_from)),
                        key=lambda d: d.in_force_from)
    for s in successors:
        start = _date(s.in_force_from)
        if start and start <= today:
            return Standing(False, start, s)
    until = _date(doc.in_force_until)
    if until and until < today:
        return Standing(False, until + dt.timedelta(days=1), None)
    reissue = next_reissue(doc)
    if reissue and reissue <= today:
        return Standing(False, reissue, None)
    return Standing(True)


def currency_note(doc: DocumentInfo, documents: Mapping[str, DocumentInfo] | None = None,
                  today: dt.date | None = None) -> str:
    """One line on the document's edition and whether it is in force today, shown with every quote."""
    today = today or dt.date.today()
    if doc.kind == "policy":
        if doc.review_due and doc.review_due < today.strftime("%Y-%m"):
            return (f"The policy is dated {doc.edition}; its review was due {_month(doc.review_due)}. "
                    "Check with the school office that this is still the version in force.")
        return f"The policy is dated {doc.edition}."
    s = standing(doc, documents or {doc.id: doc}, today)
    if not s.in_force and s.replaced_on:
        if s.replaced_by is not None:
            held = "" if s.replaced_by.held else ", which is not held here"
            where = f": check {s.replaced_by.source}" if s.replaced_by.source else ""
            return (f"Quoted from {doc.short_title} ({doc.edition}), which was replaced on {_long(s.replaced_on)} by "
                    f"{s.replaced_by.short_title}{held}{where}. {doc.note}").strip()
        where = f": check {doc.source}" if doc.source else ""
        return (f"Quoted from {doc.short_title} ({doc.edition}), which was replaced on {_long(s.replaced_on)} by a newer "
                f"edition not held here{where}. {doc.note}").strip()
    return f"Quoted from {doc.short_title} ({doc.edition}). {doc.note}".strip()
