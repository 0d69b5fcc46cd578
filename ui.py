"""Shared Streamlit pieces for app.py and pages/: the engine (loaded once), answers, contacts.

Text from users and documents is shown as text, never interpreted as HTML or markdown links.
"""
from __future__ import annotations

import re

import streamlit as st

from rag.answer import Answer
from rag.assistant import Assistant
from rag.config import get_settings
from rag.feedback import FeedbackStore

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~])")


def escape_md(text: str) -> str:
    """Document or user text for st.markdown: markdown and HTML shown literally."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("<", "&lt;").replace("\n", "  \n")


# One engine per index build: after a re-ingest the next question is answered from the new build
# (and its model); the previous engine is dropped.
@st.cache_resource(show_spinner="Loading the policy and the search model ...", max_entries=1)
def load_assistant(build: str = "") -> Assistant:
    return Assistant(get_settings()).warm()


def current_assistant() -> Assistant:
    from rag.store import IndexMissing, current_build

    build = current_build(get_settings().index_dir)
    if build is None:
        raise IndexMissing("no index")
    return load_assistant(build.name)


def assistant_or_explain() -> Assistant | None:
    """The engine, or None after telling the user how to build the index."""
    from rag.store import IndexMissing

    try:
        return current_assistant()
    except IndexMissing:
        st.error("The documents have not been indexed yet. Run `policy-assistant ingest` (or `make app`), then reload.")
        return None


@st.cache_resource
def load_feedback() -> FeedbackStore:
    settings = get_settings()
    return FeedbackStore(settings.feedback_db, settings.feedback_retention_days)


def clause_link(doc_id: str, clause: str) -> str:
    from urllib.parse import urlencode

    return "/Browse?" + urlencode({"doc": doc_id, "clause": clause})


def show_answer(ans: Answer, key: str, audience: str | None = None) -> None:
    if ans.escalation:
        # The safeguarding routes come first, prominent, never under the clauses.
        # "Act now" as a red banner; "this may be a safeguarding matter" as an amber one above the answer.
        if ans.escalation_level == "concern":
            st.warning(ans.routes or ans.answer, icon=":material/shield:")
        else:
            st.error(ans.routes or ans.answer, icon=":material/emergency:")
    body = ans.answer[len(ans.routes):].strip() if ans.escalation and ans.routes else ans.answer
    if ans.refused:
        st.warning(body, icon=":material/help:")
    elif body:
        st.markdown(body)
    if ans.citations:
        # A refusal lists the nearest passages so the reader can check; they are not its sources.
        st.caption("Closest passages (they do not answer this)" if ans.refused and not ans.escalation else "Sources")
        for i, c in enumerate(ans.citations, 1):
            page = f", p. {c.page}" if c.page else ""
            with st.expander(f"[{i}] {c.doc_title} § {c.clause}{page}"):
                st.markdown(escape_md(c.quote))
                meta = [f"**{escape_md(c.doc_title)}**, {escape_md(c.edition)}"]
                if c.heading:
                    meta.append(escape_md(c.heading))
                st.caption(" · ".join(meta))
                if c.note:
                    st.info(c.note, icon=":material/event:")
                links = [f"[Open § {escape_md(c.clause)} in the document browser]({clause_link(c.doc_id, c.clause)})"]
                if c.source:
                    links.append(f"[Public copy]({c.source})")
                st.markdown(" · ".join(links))
    if ans.kind not in ("empty",):
        rating = st.feedback("thumbs", key=f"fb-{key}")
        # The question is stored with a rating only when asked for, and never for a safeguarding answer.
        include = (False if ans.escalation else
                   st.checkbox("Include my question with my rating", key=f"fb-q-{key}",
                               help="Helps the school improve answers. Without it, only the rating and the clauses cited are saved."))
        recorded = st.session_state.setdefault("feedback_recorded", {})
        if rating is not None and recorded.get(key) != rating:
            load_feedback().record(ans, rating, audience, include_question=include)
            recorded[key] = rating
            st.toast("Thanks — your rating was saved.")


def contacts_sidebar(assistant: Assistant) -> None:
    st.subheader("Who to contact")
    kd = assistant.retriever.clause(assistant.policy_id, "Key Details")
    if kd:
        names, governor = assistant.dsl_contacts(kd.text)
        st.markdown("**Designated Safeguarding Leads**")
        st.markdown("  \n".join(escape_md(n) for n in names))
        if governor:
            st.markdown(escape_md(governor))
    five_eight = assistant.retriever.clause(assistant.policy_id, "5.8")
    if five_eight:
        st.caption(f"Policy § 5.8: {five_eight.text}")
