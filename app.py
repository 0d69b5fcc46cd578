"""Streamlit entry: the chat page. UI only; every answer comes from rag.Assistant.ask()."""
from __future__ import annotations

import streamlit as st

from rag.safety import MAX_CHARS
from ui import (ICON, announce, assistant_or_explain, contacts_sidebar, page_style, scroll_to_latest_answer, show_answer,
                stream_answer)

AUDIENCES = {"Staff": "staff", "Parent or carer": "parent", "Pupil": "learner", "Visitor or volunteer": "visitor", "Governor": "governor"}
EXAMPLES = {
    "staff": ["Can I use my own phone to take photos on the school trip?", "Am I allowed on social media at break?",
              "A parent sent me a friend request. What do I do?"],
    "parent": ["My son's phone was taken off him. When do we get it back?", "Can my child bring a phone to school?",
               "Can I use my phone when I'm in school helping out?"],
}


AUDIENCE_BY_VALUE = {v: k for k, v in AUDIENCES.items()}


def choose_audience() -> str | None:
    """"I am a ..." in the main area, where a phone shows it without opening the sidebar. Nothing is
    chosen until the user chooses (answers are then for anyone); the choice is kept for the session
    and in the address (?audience=parent), so a shared or reloaded link keeps it."""
    if "audience_label" not in st.session_state:
        st.session_state.audience_label = AUDIENCE_BY_VALUE.get(st.query_params.get("audience", ""))
    label = st.radio("I am a ...", list(AUDIENCES), index=None, horizontal=True, key="audience_label")
    audience = AUDIENCES.get(label) if label else None
    if audience and st.query_params.get("audience") != audience:
        st.query_params["audience"] = audience
    return audience


def spoken(ans) -> str:
    """What the live region says about a new answer: "act now" for a concern, then the answer as plain text."""
    import re

    first = ("Act now. Tell a Designated Safeguarding Lead today. " if ans.escalation else "") + ans.answer[len(ans.routes):]
    return "Answer: " + re.sub(r"[*_>#\[\]]", "", first).strip()[:300]


def chat_page() -> None:
    page_style()
    assistant = assistant_or_explain()
    if assistant is None:
        return
    with st.sidebar:
        contacts_sidebar(assistant)
    st.title("Policy Assistant")
    st.caption("Answers from the school's Mobile Technology and Social Media Policy and the DfE guidance it links to, "
               "with the clause for every answer.")
    if assistant.llm_notice:  # a model is configured but cannot be used: said once, at the top
        st.info(assistant.llm_notice, icon=":material/info:")
    audience = choose_audience()
    history = st.session_state.setdefault("history", [])
    # Read by screen readers when it changes: the newest answer's first line.
    live = st.empty()
    notes_seen: set[str] = set()  # a document's currency note is shown once per conversation
    for i, turn in enumerate(history):
        with st.chat_message("user"):
            st.text(turn["question"])
        with st.chat_message("assistant"):
            show_answer(turn["answer"], key=str(i), audience=turn["audience"], notes_seen=notes_seen)
    # chat_input is pinned to the bottom wherever it is called; reading it first lets the
    # start-up examples disappear as soon as a question is asked.
    typed = st.chat_input("Ask about phones, photos, social media, safeguarding ...", max_chars=MAX_CHARS)
    clicked = None
    if not history and not typed:
        st.write("Try one of these:")
        examples = (EXAMPLES["parent" if audience in ("parent", "learner", "visitor") else "staff"] if audience
                    else [EXAMPLES["parent"][0], EXAMPLES["staff"][0]])
        for q in examples:
            if st.button(q, use_container_width=True):
                clicked = q
    question = typed or clicked
    if question:
        with st.chat_message("user"):
            st.text(question)
        asked = [t["question"] for t in history]
        with st.chat_message("assistant"):
            if assistant.backend == "extractive":
                ans = assistant.ask(question, audience=audience, history=asked)
            else:
                ans = stream_answer(assistant, question, audience, asked)
            history.append({"question": question, "answer": ans, "audience": audience})
            show_answer(ans, key=str(len(history) - 1), audience=audience, notes_seen=notes_seen)
        scroll_to_latest_answer(len(history))
    if history:
        with live.container():
            announce(spoken(history[-1]["answer"]))
    if history:
        # A callback runs before the next script run, so the cleared conversation is never drawn again.
        st.button("New chat", help="Clear this conversation and start again", on_click=history.clear)



# The pages, with titles people understand (not file names) and stable addresses for shared links.
st.set_page_config(page_title="Policy Assistant", page_icon=ICON, layout="centered")
# Navigation along the top: on a phone it is a menu that closes once a page is chosen, not a sidebar
# left open over the page.
st.navigation([
    st.Page(chat_page, title="Ask a question", icon=":material/chat:", default=True),
    st.Page("pages/1_Browse.py", title="Browse the documents", icon=":material/menu_book:", url_path="Browse"),
    st.Page("pages/2_About.py", title="About", icon=":material/info:", url_path="About"),
], position="top").run()
