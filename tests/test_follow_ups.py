"""Follow-ups: answered about their new subject in the old context, and honest when the documents have
nothing on the new setting. Phrasings here appear in no eval set (the multi-turn set is evals/multiturn/)."""
import pytest

from rag.follow_up import is_follow_up, new_setting


def clauses(ans):
    return [c.clause for c in ans.citations]


@pytest.mark.parametrize("message", [
    "and can parents do that too",
    "how long for?",
    "what if she says no",
    "does that apply on trips as well",
    "ok so who do i tell then",
    "in the changing rooms?",
])
def test_elliptical_messages_are_read_as_follow_ups(message):
    assert is_follow_up(message)


@pytest.mark.parametrize("message", [
    "who is the designated safeguarding lead at this school?",
    "can staff use their own laptops to write school reports at home",
    "is it ok for year 6 to have instagram accounts",
])
def test_questions_of_their_own_are_not(message):
    assert not is_follow_up(message)


@pytest.mark.parametrize("message,setting", [
    ("what about at the swimming gala?", "at the swimming gala"),
    ("does that go for breakfast club as well", "breakfast club"),
    ("what if its on the residential", "on the residential"),
])
def test_a_follow_up_that_moves_the_rule_to_a_new_setting_names_it(message, setting):
    assert new_setting(message) == setting


def test_a_follow_up_is_answered_about_its_new_subject(assistant):
    ans = assistant.ask("and can I put them on the school twitter after?", audience="staff",
                        history=["can I take photos of my class on my own phone at sports day"])
    assert not ans.refused
    assert any(c.startswith("6.9") for c in clauses(ans)[:3]), clauses(ans)


def test_a_new_setting_the_documents_never_mention_is_said_plainly(assistant):
    ans = assistant.ask("what about at the swimming gala?", audience="parent",
                        history=["can parents take photos at the school play"])
    assert not ans.refused
    assert "nothing specific about “swimming gala”" in ans.answer
    assert "6.1.4" in clauses(ans)  # what applies in general: no phones in changing rooms and pools


def test_a_follow_up_with_no_subject_of_its_own_keeps_the_previous_one(assistant):
    ans = assistant.ask("how long can they keep it for", audience="parent",
                        history=["my daughter has had her phone confiscated"])
    assert not ans.refused and "6.3.4" in clauses(ans)[:3]
    assert "don't say how long" in ans.answer


def test_a_follow_up_is_not_screened_as_a_concern_for_its_idiom(assistant):
    ans = assistant.ask("how long do we hang onto those", audience="staff",
                        history=["should we keep notes on worries about staff behaviour"])
    assert not ans.escalation


@pytest.mark.parametrize("history,message", [
    ("can i message parents from my own phone", "and where do i claim mileage for the trip"),
    ("when does my son get his confiscated phone back", "ok and whats for lunch today"),
    ("who is the DSL", "and when is parents evening"),
    ("what happens if a pupil is caught filming in class", "and how do i book a music lesson for her"),
    ("are phones allowed in the exam hall", "and when do results come out"),
])
def test_an_off_topic_follow_up_is_still_refused(assistant, history, message):
    assert assistant.ask(message, history=[history]).refused
