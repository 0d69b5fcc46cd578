"""About: the documents held, their editions, review dates, sources and licences, and the documents
the policy links to that we do not hold."""
from __future__ import annotations

import streamlit as st

from rag.config import get_settings
from ui import ICON, assistant_or_explain, escape_md

st.set_page_config(page_title="About · Policy Assistant", page_icon=ICON, layout="centered")


def main() -> None:
    st.title("About Policy Assistant")
    st.markdown(
        "Policy Assistant answers questions about the school's Mobile Technology and Social Media Policy and the "
        "DfE guidance it links to. Every answer quotes the document it comes from, with the clause and page. It runs "
        "on this computer: questions are not sent anywhere."
    )
    st.header("What is stored")
    days = get_settings().feedback_retention_days
    st.markdown(
        "- **Nothing, unless you rate an answer.** Questions and answers are not logged.\n"
        "- **A rating** (thumbs up or down) saves the rating, the clauses the answer cited, who you said you are "
        "(staff, parent ...) and the time, in a file on the school's computer.\n"
        "- **Your question and the answer** are saved with a rating only if you tick *Include my question with my "
        "rating*. They are never saved for an answer about a safeguarding concern.\n"
        f"- **For {days} days**: older ratings are deleted automatically."
    )
    assistant = assistant_or_explain()
    if assistant is None:
        return
    st.header("Documents it answers from")
    for d in assistant.docs.values():
        if not d.held:
            continue
        st.subheader(d.title)
        rows = [f"**Publisher:** {escape_md(d.publisher)}", f"**Edition:** {escape_md(d.edition)}"]
        if d.review_due:
            rows.append(f"**Review due:** {escape_md(d.review_due)}")
        rows.append(f"**Licence:** {escape_md(d.licence)}")
        if d.attribution:
            rows.append(f"_{escape_md(d.attribution)}_")
        if d.source:
            rows.append(f"**Source:** {d.source}")
        st.markdown("  \n".join(rows))
        st.info(assistant.currency_note(d), icon=":material/event:")
    st.header("Named by the policy but not held")
    st.markdown("The policy refers to these editions. We could not obtain them, so answers quote the later editions above and say so.")
    for d in assistant.docs.values():
        if d.held:
            continue
        st.markdown(f"- **{escape_md(d.title)}** ({escape_md(d.edition)}). {escape_md(d.note)} [Publication page]({d.source})")


main()
