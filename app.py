"""Streamlit entry: the chat page. UI only; every answer comes from rag.Assistant.ask()."""
from __future__ import annotations

import streamlit as st

from rag.answer import Answer
from rag.assistant import Assistant
from rag.config import get_settings
from rag.store import IndexMissing

AUDIENCES = {"Staff": "staff", "Parent or carer": "parent", "Pupil": "learner", "Visitor or volunteer": "visitor", "Governor": "governor"}
EXAMPLES = {
    "staff": ["Can I use my own phone to take photos on the school trip?", "Am I allowed on social media at break?",
              "A parent sent me a friend request. What do I do?"],
    "parent": ["My son's phone was taken off him. When do we get it back?", "Can my child bring a phone to school?",
               "Can I use my phone when I'm in school helping out?"],
}


@st.cache_resource(show_spinner="Loading the policy and the search model ...")
def load_assistant() -> Assistant:
    return Assistant(get_settings()).warm()


def show_answer(ans: Answer) -> None:
    # Document and user text are shown as text, never as HTML.
    if ans.escalation:
        st.error(ans.routes or ans.answer, icon="🚨")
    body = ans.answer[len(ans.routes):].strip() if ans.escalation and ans.routes else ans.answer
    if ans.refused and ans.kind in ("not_covered", "no_such_clause"):
        st.warning(body, icon="ℹ️")
    elif body:
        st.markdown(body)
    if ans.citations:
        st.caption("Sources")
        for i, c in enumerate(ans.citations, 1):
            page = f", p. {c.page}" if c.page else ""
            with st.expander(f"[{i}] {c.doc_title} § {c.clause}{page}"):
                st.text(c.quote)
                st.caption(f"{c.heading}" if c.heading else "")
                st.caption(f"Edition: {c.edition}. {c.note}")
                if c.source:
                    st.markdown(f"[Public copy]({c.source})")


def main() -> None:
    st.set_page_config(page_title="Policy Assistant", page_icon="📱", layout="centered")
    try:
        assistant = load_assistant()
    except IndexMissing:
        st.error("The policy has not been indexed yet. Run `policy-assistant ingest` (or `make app`), then reload.")
        return
    with st.sidebar:
        label = st.radio("I am a ...", list(AUDIENCES), key="audience_label")
        st.subheader("Who to contact")
        kd = assistant.retriever.clause(assistant.policy_id, "Key Details")
        if kd:
            names, governor = assistant._dsl_lines(kd.text)
            st.markdown("**Designated Safeguarding Leads**")
            for n in names:
                st.text(n)
            if governor:
                st.text(governor)
        st.caption("If a child is in immediate danger, call 999 (policy § 5.8).")
    audience = AUDIENCES[label]
    st.title("Policy Assistant")
    st.caption("Answers from the school's Mobile Technology and Social Media Policy and the DfE guidance it links to, with the clause for every answer.")
    history = st.session_state.setdefault("history", [])
    for turn in history:
        with st.chat_message("user"):
            st.text(turn["question"])
        with st.chat_message("assistant"):
            show_answer(turn["answer"])
    # chat_input is pinned to the bottom wherever it is called; reading it first lets the
    # start-up examples disappear as soon as a question is asked.
    typed = st.chat_input("Ask about phones, photos, social media, safeguarding ...")
    clicked = None
    if not history and not typed:
        st.write("Try one of these:")
        for q in EXAMPLES["parent" if audience in ("parent", "learner", "visitor") else "staff"]:
            if st.button(q, use_container_width=True):
                clicked = q
    question = typed or clicked
    if question:
        with st.chat_message("user"):
            st.text(question)
        ans = assistant.ask(question, audience=audience, history=[t["question"] for t in history])
        with st.chat_message("assistant"):
            show_answer(ans)
        history.append({"question": question, "answer": ans})


main()
