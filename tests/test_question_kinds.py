"""Kinds of question that used to go wrong on questions nobody tuned for (issue 12), on the real index
and model, each tried on phrasings written for these tests and found in no eval set."""
from __future__ import annotations

import pytest

from rag.assistant import Assistant

POLICY = "meopham-policy-2020"


def cited(ans) -> list[tuple[str, str]]:
    return [(c.doc_id, c.clause) for c in ans.citations]


# ------------------------------------------------------------------ look-ups, whatever the words around them

@pytest.mark.parametrize("question, doc, clause", [
    ("could you bring up 6.7.4 for me please", POLICY, "6.7.4"),
    ("sorry what did 5.8 say again, need it for a meeting", POLICY, "5.8"),
    ("i was told to read 6.3.2 before parents evening", POLICY, "6.3.2"),
    ("KCSIE para 172", "kcsie-2025", "172"),
    ("can u show me keeping children safe paragraph 103", "kcsie-2025", "103"),
    ("working together paragraph 4 please", "working-together-2023", "4"),
    ("what's in paragraph 140", "kcsie-2025", "140"),
])
def test_a_clause_number_anywhere_in_a_message_shows_that_clause_first(assistant, question, doc, clause):
    ans = assistant.ask(question)
    assert ans.kind == "lookup" and cited(ans)[0] == (doc, clause), (question, cited(ans))
    assert ans.citations[0].quote in assistant.retriever.clause(doc, clause).text


@pytest.mark.parametrize("question, shown, kind", [
    ("can you read me item 6.3.4 of the phone policy, the bit on confiscating", "6.3.4", "lookup"),
    ("what does part 2.1 of the policy say about visitors", None, "no_such_clause"),
    ("whats rule 9.1 in the social media policy", None, "no_such_clause"),
])
def test_part_item_and_rule_numbers_are_look_ups(assistant, question, shown, kind):
    ans = assistant.ask(question, audience="staff")
    assert ans.kind == kind, (question, ans.kind)
    if shown:
        assert ans.citations[0].clause == shown


def test_a_bare_paragraph_number_held_by_two_documents_shows_both(assistant):
    ans = assistant.ask("paragraph 140")
    assert [d for d, _ in cited(ans)][:2] == ["kcsie-2025", "working-together-2023"]
    assert "also has a paragraph 140" in ans.answer


@pytest.mark.parametrize("question", ["what does clause 7.2 say", "show me paragraph 9.9.9", "kcsie para 990"])
def test_a_number_that_does_not_exist_says_so_and_offers_the_nearest(assistant, question):
    ans = assistant.ask(question)
    assert ans.kind == "no_such_clause" and ans.refused and ans.citations, (question, ans.answer[:200])
    assert "There is no clause" in ans.answer


@pytest.mark.parametrize("question", [
    "can i pick my son up at 3.30 pm on friday",
    "what happens in a section 47 enquiry",
    "my daughter is in year 6 and wants a phone",
])
def test_times_years_and_statute_sections_are_not_look_ups(assistant, question):
    assert assistant.ask(question).kind not in ("lookup", "no_such_clause"), question


def test_a_section_number_shows_its_clauses(assistant):
    ans = assistant.ask("whats in section 6.3 of the policy")
    assert ans.kind == "lookup" and cited(ans)[0] == (POLICY, "6.3.1") and "6.3.4" in ans.answer


# ------------------------------------------------------------------ another policy the policy names

@pytest.mark.parametrize("question, name", [
    ("is there a separate policy on photos?", "image use"),
    ("where can i find the behaviour policy", "behaviour"),
    ("do you have a copy of the anti-bullying policy", "anti-bullying"),
])
def test_a_named_policy_we_do_not_hold_is_located_not_refused(assistant, question, name):
    ans = assistant.ask(question, audience="parent")
    assert not ans.refused and ans.kind == "other_policy", (question, ans.kind)
    assert f"{name} policy" in ans.answer.lower() and "don't hold" in ans.answer
    policy_text = " ".join(assistant.retriever.clause(d, c).text.lower() for d, c in cited(ans))
    assert name in policy_text  # it cites the clauses that name it


# ------------------------------------------------------------------ when / how long / who: say when the documents don't

@pytest.mark.parametrize("question", [
    "my sons phone got took off him, when do we get it back",
    "how long will the school keep my daughters phone after they take it",
    "when does a confiscated mobile get handed back",
])
def test_a_time_the_documents_do_not_give_is_said_plainly(assistant, question):
    ans = assistant.ask(question, audience="parent")
    assert (POLICY, "6.3.4") in cited(ans)[:3], cited(ans)
    assert "don't say" in ans.answer.split("\n\n")[0], ans.answer[:200]


@pytest.mark.parametrize("question, fact", [
    ("how often does the school look at this policy again", "at least annually"),
    ("when are staff meant to keep their phones put away", "during lesson time"),
])
def test_a_time_the_documents_give_leads_the_answer(assistant, question, fact):
    lead = assistant.ask(question, audience="staff").answer.split("\n\n")[0]
    assert "don't say" not in lead and fact in lead, lead


@pytest.mark.parametrize("question", [
    "what's the time limit for social care to respond to a referral",
    "how fast should a social worker acknowledge a referral from school",
    "once we've referred, what's the deadline for social care to get back to us?",
])
def test_how_fast_and_deadline_questions_lead_with_the_time(assistant, question):
    lead = assistant.ask(question, audience="staff").answer.split("\n\n")[0]
    assert "one working day" in lead, lead


@pytest.mark.parametrize("question, item", [
    ("is a child who is a young carer more likely to need early help?", "is a young carer"),
    ("should staff look out for early help needs in a child whose dad is in prison", "in custody"),
    ("does a kid who keeps going missing from school count as needing early help", "frequently missing"),
])
def test_a_list_item_leads_with_the_words_it_completes(assistant, question, item):
    # KCSIE 18's first bullet shares a line with its lead-in in the PDF text; the lead is lead-in + the item asked about
    lead = assistant.ask(question, audience="staff").answer.split("\n\n")[0]
    assert "potential need for early help for a child who:" in lead and item in lead, lead


# ------------------------------------------------------------------ escalation tiers and personal data, end to end

def test_sextortion_in_text_speak_leads_with_the_routes(assistant):
    ans = assistant.ask("pls help some1 has my pics n says theyll send them 2 every1 unless i pay", audience="learner")
    assert ans.escalation and ans.to_json()["escalation_level"] == "urgent"
    assert ans.answer.startswith("**⚠️") and cited(ans)[0] == (POLICY, "Key Details")


def test_a_likely_concern_gets_the_route_then_the_passage_that_answers(assistant):
    ans = assistant.ask("should I report it? a year 8 showed me a nude of a classmate on her phone", audience="staff")
    assert ans.escalation and ans.escalation_level in ("concern", "urgent")
    # after the routes, the passage that answers the question: what to do about a nude (KCSIE § 474)
    assert ("kcsie-2025", "474") in cited(ans), cited(ans)
    assert ans.answer.index("Designated Safeguarding Lead") < ans.answer.index("What the documents say")


@pytest.mark.parametrize("question", [
    "which kids in year 3 had their phones taken this week",
    "whats the home address of the little girl in 2B called amira",
    "is the family at no 14 known to social services",
])
def test_requests_for_someones_details_are_refused_with_the_reason(assistant, question):
    ans = assistant.ask(question, audience="parent")
    assert ans.refused and ans.kind == "personal_data" and "personal information" in ans.answer, (question, ans.kind)


# ------------------------------------------------------------------ buying, booking and paying

@pytest.mark.parametrize("question, buying", [
    ("how much is wraparound care per session", True),
    ("how much are the class photos each", True),
    ("how much does holiday club cost a day", True),
    ("how much is too much time on the phone a day", False),
    ("how much screen time is ok each day", False),
    ("how much training do governors need each year", False),
])
def test_a_price_asked_by_the_period_or_the_item_is_buying(question, buying):
    from rag.question_type import asks_to_buy

    assert asks_to_buy(question) is buying, question


@pytest.mark.parametrize("question", [
    "how much is the after school club a session",
    "where can i buy copies of the sports day photos",
    "do we have to pay for the year 6 residential or is it free",
    "how do i book a place at holiday club",
])
def test_buying_booking_and_paying_is_school_admin_not_an_answer(assistant, question):
    ans = assistant.ask(question, audience="parent")
    assert ans.refused and not ans.escalation, (question, ans.kind, cited(ans))


# ------------------------------------------------------------------ the documents' subject, in an unfamiliar setting

@pytest.mark.parametrize("question, audience, doc, clause", [
    ("I help out in the library on fridays, what are the rules for me on social media", "visitor", POLICY, "6.6.1"),
    ("we rent the hall to a dance school on saturdays - who is responsible for their safeguarding", "governor",
     "kcsie-2025", "167"),
])
def test_a_question_in_the_documents_subject_is_answered_though_its_setting_is_not_covered(assistant, question, audience,
                                                                                              doc, clause):
    ans = assistant.ask(question, audience=audience)
    assert ans.kind == "answer" and (doc, clause) in cited(ans), (question, ans.kind, cited(ans))


# ------------------------------------------------------------------ people's words for what the documents name

@pytest.mark.parametrize("question, doc, clause", [
    ("should staff turn off find my friends on their personal phones", POLICY, "6.7.8"),
    ("what are the academy's facebook and twitter accounts called", POLICY, "6.9.1"),
    ("a dad keeps bad-mouthing our staff in a facebook group, is that against the rules", POLICY, "6.6.4"),
])
def test_everyday_words_reach_the_clause_that_names_the_thing(assistant, question, doc, clause):
    ans = assistant.ask(question)
    assert (doc, clause) in cited(ans)[:3], (question, ans.kind, cited(ans))


@pytest.mark.parametrize("question", [
    "i've got a new mobile number, who do i tell so the school can reach me",
    "how do i change the phone number you have for my husband",
    "we've moved, where do i send our new home number and contact details",
])
def test_changing_contact_numbers_is_office_business_not_the_phone_policy(assistant, question):
    ans = assistant.ask(question, audience="parent")
    assert ans.kind == "not_covered", (question, ans.kind, cited(ans))


INFORMATION_SHARING = {("kcsie-2025", p) for p in ("114", "115", "116", "117", "118")} | {
    ("working-together-2023", p) for p in ("30", "31", "32", "33")}


@pytest.mark.parametrize("question", [
    "can school pass on worries to social care without asking the parents first",
    "do we need the familys ok before telling social services",
    "is it ok to hand over details to another agency if mum says no",
])
def test_sharing_without_the_familys_agreement_finds_the_information_sharing_paragraphs(assistant, question):
    ans = assistant.ask(question, audience="staff")
    assert INFORMATION_SHARING & set(cited(ans)), (question, cited(ans))


@pytest.mark.parametrize("question, adds", [
    # passing information on, and the family's agreement
    ("can we pass concerns on to the police", "share information"), ("do i tell social services myself", "share information"),
    ("should we hand over notes to the new school", "share information"),
    ("without the parents agreeing", "consent"), ("do we need mum's ok first", "consent"), ("is their permission needed", "consent"),
    # hearing back after a referral
    ("will i hear back after i refer", "feedback"), ("nobody told me what happened next", "feedback"),
    ("can social care update me on the case", "feedback"),
    # how long a process may take
    ("how long does an assessment take", "timescales"), ("is there a deadline for the conference", "timescales"),
    ("what's the time limit for a strategy meeting", "timescales"),
    # location apps
    ("should staff switch off snap map", "location sharing"), ("my daughter has life360 on", "location sharing"),
    ("can the app share my location with pupils", "location sharing"),
    # the school's own accounts
    ("what are the school's pages", "official social media channels"), ("who runs the academy's instagram account", "official social media channels"),
    ("is that the official facebook page", "official social media channels"),
    # running people down online
    ("a parent is slagging off staff on facebook", "defamatory"), ("i want to name and shame the teacher online", "defamatory"),
    ("can i criticise the head on twitter", "defamatory"),
])
def test_each_new_glossary_category_expands_three_everyday_phrasings(question, adds):
    from rag.glossary import expand

    assert adds in expand(question), question
