"""Browse the documents: the policy as a tree of clauses, the guidance by part, a search box,
and every clause on its own page with a shareable address (?doc=...&clause=...)."""
from __future__ import annotations

from collections import OrderedDict

import streamlit as st

from ui import assistant_or_explain, clause_link, escape_md

st.set_page_config(page_title="Browse the documents · Policy Assistant", page_icon=":material/menu_book:", layout="centered")


def show_clause(assistant, doc_id: str, clause: str) -> None:
    doc = assistant.docs.get(doc_id)
    hit = assistant.retriever.clause(doc_id, clause)
    if doc is None or hit is None:
        st.error(f"There is no clause {clause!r} in {doc.short_title if doc else 'that document'}.")
        return
    first = hit.parts[0]
    st.subheader(f"{doc.short_title} § {clause}")
    if first.heading:
        st.caption(escape_md(first.heading))
    pages = f"p. {first.page}" + (f"–{hit.parts[-1].page_end}" if hit.parts[-1].page_end not in (None, first.page) else "") if first.page else ""
    st.caption(" · ".join(x for x in [escape_md(doc.title), escape_md(doc.edition), pages] if x))
    st.markdown(escape_md(hit.text))
    from rag.answer import currency_note

    st.info(currency_note(doc), icon=":material/event:")
    examples = [q.question for q in assistant.index.questions if q.doc_id == doc_id and q.clause == clause]
    if examples:
        with st.expander(f"Example questions this clause answers ({len(examples)})"):
            st.markdown("\n".join(f"- {escape_md(q)}" for q in examples))
    st.markdown(f"Shareable link: `{clause_link(doc_id, clause)}`")
    if doc.source:
        st.markdown(f"[Public copy of the document]({doc.source})")
    if st.button("← All clauses"):
        st.query_params.clear()
        st.rerun()


def clause_line(doc_id: str, clause: str, text: str) -> str:
    snippet = text.replace("\n", " ")
    snippet = snippet if len(snippet) <= 160 else snippet[:157] + "…"
    return f"[**§ {escape_md(clause)}**]({clause_link(doc_id, clause)}) {escape_md(snippet)}"


def main() -> None:
    assistant = assistant_or_explain()
    if assistant is None:
        return
    params = st.query_params
    if params.get("doc") and params.get("clause"):
        show_clause(assistant, params["doc"], params["clause"])
        return
    st.title("Browse the documents")
    held = [d for d in assistant.docs.values() if d.held]
    doc = st.selectbox("Document", held, format_func=lambda d: f"{d.short_title} ({d.edition})")
    query = st.text_input("Search this document", placeholder="e.g. confiscate, photos, filtering")
    records = [c for c in assistant.index.clauses if c.doc_id == doc.id and c.part == 0]
    if query:
        words = query.lower().split()
        texts = {c.clause: assistant.retriever.clause(doc.id, c.clause).text for c in records}
        found = [c for c in records if all(w in (texts[c.clause] + " " + c.clause).lower() for w in words)]
        st.caption(f"{len(found)} clauses contain “{escape_md(query)}”")
        for c in found[:100]:
            st.markdown(clause_line(doc.id, c.clause, texts[c.clause]))
        return
    groups: OrderedDict[str, list] = OrderedDict()
    for c in records:
        top = c.heading_path[0] if c.heading_path else (c.clause if not c.numbered else "Other")
        groups.setdefault(top, []).append(c)
    for top, items in groups.items():
        with st.expander(f"{top} ({len(items)})", expanded=doc.kind == "policy" and len(groups) <= 8):
            current_sub = None
            for c in items:
                sub = " › ".join(c.heading_path[1:])
                if sub and sub != current_sub:
                    st.markdown(f"**{escape_md(sub)}**")
                    current_sub = sub
                st.markdown(clause_line(doc.id, c.clause, assistant.retriever.clause(doc.id, c.clause).text))


main()
