"""Currency by date: an edition of annual statutory guidance is replaced on its next re-issue date, and
answers quoting it then say so (rag/currency.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from rag.assistant import Assistant
from rag.currency import currency_note, standing

QUESTION = "what training should staff get on filtering and monitoring"


def test_kcsie_2025_is_in_force_until_1_september_2026_then_replaced_by_a_not_held_edition(assistant):
    docs = assistant.docs
    kcsie = docs["kcsie-2025"]
    assert standing(kcsie, docs, dt.date(2026, 8, 31)).in_force
    s = standing(kcsie, docs, dt.date(2026, 12, 2))
    assert not s.in_force and s.replaced_on == dt.date(2026, 9, 1) and s.replaced_by.id == "kcsie-2026"
    assert not s.replaced_by.held


def test_an_edition_nobody_listed_a_successor_for_is_replaced_on_its_next_reissue_date(assistant):
    later = replace(assistant.docs["kcsie-2025"], id="kcsie-2027", short_title="KCSIE 2027", in_force_from="2027-09-01")
    docs = {"kcsie-2027": later}
    assert standing(later, docs, dt.date(2028, 8, 31)).in_force
    note = currency_note(later, docs, dt.date(2028, 9, 1))
    assert "replaced on 1 September 2028 by a newer edition not held here" in note and later.source in note


def _answer_on(assistant, day: dt.date):
    settings = assistant.settings.model_copy(update={"today": day})
    return Assistant(settings, index=assistant.index).ask(QUESTION, audience="staff")


def test_a_kcsie_answer_today_says_2025_was_replaced_and_by_what(assistant):
    ans = _answer_on(assistant, dt.date(2026, 12, 2))
    assert any(c.doc_id == "kcsie-2025" for c in ans.citations)
    assert "KCSIE 2025 (September 2025), which was replaced on 1 September 2026 by KCSIE 2026, which is not held here" in ans.answer
    assert "gov.uk/government/publications/keeping-children-safe-in-education" in ans.answer


def test_a_kcsie_answer_in_october_2025_does_not_say_replaced(assistant):
    ans = _answer_on(assistant, dt.date(2025, 10, 15))
    assert any(c.doc_id == "kcsie-2025" for c in ans.citations)
    assert "replaced" not in ans.answer


def test_the_policys_review_overdue_note_stays(assistant):
    note = currency_note(assistant.docs["meopham-policy-2020"], assistant.docs, dt.date(2026, 12, 2))
    assert "its review was due September 2021" in note


def test_a_question_naming_a_document_not_held_says_so_first_then_answers(assistant):
    for question, name in (("what does the DfE searching, screening and confiscation guidance say about a pupil's phone",
                            "Searching, Screening and Confiscation 2018"),
                           ("does KCSIE 2026 change anything about filtering?", "KCSIE 2026"),
                           ("what did kcsie 2020 say about staff using mobile phones", "KCSIE 2020")):
        ans = assistant.ask(question, audience="staff")
        first = ans.answer.split("\n\n")[0]
        assert f"I don't hold {name}" in first and "gov.uk" in first, first
        assert ans.citations and not ans.refused, question
