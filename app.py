"""Streamlit entry: the chat page. UI only; every answer comes from rag.Assistant.ask()."""
from __future__ import annotations

import streamlit as st

from ui import assistant_or_explain, contacts_sidebar, show_answer

AUDIENCES = {"Staff": "staff", "Parent or carer": "parent", "Pupil": "learner", "Visitor or volunteer": "visitor", "Governor": "governor"}
EXAMPLES = {
    "staff": ["Can I use my own phone to take photos on the school trip?", "Am I allowed on social media at break?",
              "A parent sent me a friend request. What do I do?"],
    "parent": ["My son's phone was taken off him. When do we get it back?", "Can my child bring a phone to school?",
               "Can I use my phone when I'm in school helping out?"],
}


def chat_page() -> None:
    assistant = assistant_or_explain()
    if assistant is None:
        return
    with st.sidebar:
        label = st.radio("I am a ...", list(AUDIENCES), key="audience_label")
        contacts_sidebar(assistant)
    audience = AUDIENCES[label]
    st.title("Policy Assistant")
    st.caption("Answers from the school's Mobile Technology and Social Media Policy and the DfE guidance it links to, "
               "with the clause for every answer.")
    history = st.session_state.setdefault("history", [])
    for i, turn in enumerate(history):
        with st.chat_message("user"):
            st.text(turn["question"])
        with st.chat_message("assistant"):
            show_answer(turn["answer"], key=str(i), audience=turn["audience"])
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
        history.append({"question": question, "answer": ans, "audience": audience})
        with st.chat_message("assistant"):
            show_answer(ans, key=str(len(history) - 1), audience=audience)



# The pages, with titles people understand (not file names) and stable addresses for shared links.
st.set_page_config(page_title="Policy Assistant", page_icon=":material/policy:", layout="centered")
st.navigation([
    st.Page(chat_page, title="Ask a question", icon=":material/chat:", default=True),
    st.Page("pages/1_Browse.py", title="Browse the documents", icon=":material/menu_book:", url_path="Browse"),
    st.Page("pages/2_About.py", title="About", icon=":material/info:", url_path="About"),
]).run()
