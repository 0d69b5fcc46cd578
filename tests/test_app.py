"""The Streamlit app, driven headlessly with streamlit.testing.v1.AppTest, on the real index."""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from rag.config import PROJECT_ROOT, get_settings
from rag.feedback import FeedbackStore

APP = str(PROJECT_ROOT / "app.py")
ABOUT = str(PROJECT_ROOT / "pages" / "2_About.py")


@pytest.fixture
def feedback_db(tmp_path, monkeypatch):
    """A fresh feedback file for this test; settings and cached resources re-read."""
    path = tmp_path / "feedback.sqlite"
    monkeypatch.setenv("POLICY_ASSISTANT_FEEDBACK_DB", str(path))
    get_settings.cache_clear()
    st.cache_resource.clear()
    yield path
    monkeypatch.delenv("POLICY_ASSISTANT_FEEDBACK_DB")
    get_settings.cache_clear()
    st.cache_resource.clear()


def ask(question: str, audience_label: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    if audience_label:
        at.radio[0].set_value(audience_label).run()
    at.chat_input[0].set_value(question).run()
    assert not at.exception
    return at


def test_a_question_gets_an_answer_with_its_citations(feedback_db):
    at = ask("can i use my phone on the school trip to take pics")
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assistant = at.chat_message[1]
    assert "school provided equipment" in assistant.markdown[0].value
    assert any("§ 6.2.4" in e.label for e in at.expander)
    assert not at.button or all("Try" not in b.label for b in at.button)  # examples gone once asked


def test_escalation_shows_the_safeguarding_banner_first(feedback_db):
    at = ask("a pupil showed me messages from an adult asking to meet them", "Staff")
    reply = at.chat_message[1]
    assert at.error, "no safeguarding banner"
    banner = at.error[0].value
    assert "999" in banner and "Michele Sowden-Mehta" in banner
    # The banner is the first thing in the reply, above the clauses.
    kinds = [type(el).__name__ for el in reply if type(el).__name__ != "ChatMessage"]
    assert kinds[0] == "Error", kinds


def test_a_question_the_documents_do_not_cover_looks_different(feedback_db):
    at = ask("what colour is the school jumper", "Parent or carer")
    assert at.warning and "don't cover" in at.warning[0].value and "school office" in at.warning[0].value
    assert not at.error
    captions = [c.value for c in at.caption]
    assert "Sources" not in captions  # the nearest passages are not presented as the answer's sources


def test_a_rating_without_the_tick_stores_no_question_text(feedback_db):
    at = ask("can my child bring her mobile to school", "Parent or carer")
    at.feedback[0].set_value(1).run()
    rows = FeedbackStore(feedback_db).rows()
    assert len(rows) == 1 and rows[0].rating == 1
    assert rows[0].question == "" and rows[0].answer == ""  # nothing the person typed
    assert rows[0].citations and rows[0].audience == "parent"


def test_a_safeguarding_answer_never_stores_its_question(feedback_db):
    at = ask("my daughter told me a man online keeps asking her for photos", "Parent or carer")
    assert not at.checkbox  # no offer to include it
    at.feedback[0].set_value(0).run()
    rows = FeedbackStore(feedback_db).rows()
    assert len(rows) == 1 and rows[0].question == "" and rows[0].escalation


def test_feedback_is_stored_in_sqlite_and_read_back(feedback_db):
    at = ask("can my child bring her mobile to school", "Parent or carer")
    at.checkbox[0].check().run()
    at.feedback[0].set_value(0).run()
    rows = FeedbackStore(feedback_db).rows()
    assert len(rows) == 1
    assert rows[0].question == "can my child bring her mobile to school" and rows[0].rating == 0
    assert rows[0].audience == "parent" and rows[0].citations
    # It survives a restart: a new store on the same file sees it, and it is a candidate question.
    assert FeedbackStore(feedback_db).candidates()[0].question == rows[0].question


def test_a_script_tag_in_a_question_is_shown_as_text(feedback_db):
    q = "<script>alert('x')</script> ![img](http://example.com/x.png) can i use my phone in class"
    at = ask(q)
    assert at.chat_message[0].text[0].value == q  # rendered as plain text, not HTML or markdown
    assert all("<script>" not in m.value for m in at.markdown)


def browse() -> AppTest:
    """The Browse page as the app serves it (inside its navigation, so its same-tab links resolve)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/1_Browse.py")
    return at


def test_browse_opens_a_clause_by_query_parameter():
    at = browse()
    at.query_params["doc"] = "meopham-policy-2020"
    at.query_params["clause"] = "6.3.4"
    at.run()
    assert not at.exception
    assert "§ 6.3.4" in at.title[0].value
    body = " ".join(m.value for m in at.markdown)
    assert "released to parents/ carers" in body
    assert any("Example questions" in e.label for e in at.expander)


def test_browse_lists_the_policy_folded_and_searches_every_document():
    at = browse().run()
    assert not at.exception
    assert any("6 Mobile Technology" in e.label for e in at.expander)
    at.text_input[0].set_value("confiscated").run()
    counts = at.caption[0].value  # per document: "Mobile Technology and Social Media Policy: 3 · KCSIE 2025: 5 · ..."
    assert counts.count(":") == 3, counts
    assert any("<mark>confiscated</mark>" in m.value.lower() for m in at.markdown)


def test_about_lists_editions_and_documents_not_held():
    at = AppTest.from_file(ABOUT, default_timeout=180).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(i.value for i in at.info)
    assert "Open Government Licence v3.0" in text and "September 2021" in text
    assert "Keeping children safe in education 2020" in text and "Searching, screening and confiscation" in text


def test_a_follow_up_is_answered_in_the_context_of_the_previous_turn(feedback_db):
    at = ask("can staff use their phones in class?", "Staff")
    at.chat_input[0].set_value("what about visitors?").run()
    assert [m.name for m in at.chat_message] == ["user", "assistant"] * 2
    labels = [e.label for e in at.chat_message[3].expander]
    assert any("§ 6.4" in label for label in labels[:3]), labels


def test_an_example_question_is_asked_with_one_click(feedback_db):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.radio[0].set_value("Parent or carer").run()
    example = next(b for b in at.button if "phone was taken off him" in b.label)
    example.click().run()
    assert not at.exception
    assert at.chat_message[0].text[0].value == example.label
    assert any("§ 6.3.4" in e.label for e in at.expander)


def test_a_question_that_may_be_a_safeguarding_matter_shows_the_first_route_above_its_answer(feedback_db):
    at = ask("is it illegal that my 12 year old was sent a dick pic?", "Parent or carer")
    assert at.warning and "may be a safeguarding matter" in at.warning[0].value
    assert "Designated Safeguarding Lead" in at.warning[0].value
    assert not at.error  # the red "act now" banner is for concerns that are not questions about what to do


def test_the_audience_is_asked_up_front_not_defaulted_and_kept_in_the_address(feedback_db):
    at = AppTest.from_file(APP, default_timeout=180).run()
    choice = at.radio[0]
    assert choice.label == "I am a ..." and choice.value is None  # in the main area, nothing chosen for them
    choice.set_value("Parent or carer").run()
    assert at.query_params["audience"] in ("parent", ["parent"])
    assert any("phone was taken off him" in b.label for b in at.button)  # a parent's examples
    shared = AppTest.from_file(APP, default_timeout=180)
    shared.query_params["audience"] = "governor"
    shared.run()
    assert shared.radio[0].value == "Governor"


def test_new_chat_clears_the_conversation(feedback_db):
    at = ask("can staff use their phones in class?", "Staff")
    assert len(at.chat_message) == 2
    next(b for b in at.button if b.label == "New chat").click().run()
    assert not at.chat_message
    assert any("Try" in m.value for m in at.markdown)
