"""Browse the documents: one search across every document (matches highlighted), each document as
sections folded by default, and every clause on its own page with a full shareable address
(?doc=...&clause=...) and a copy button. Clause links stay in the same tab."""
from __future__ import annotations

import re
from collections import OrderedDict
from html import escape
from urllib.parse import urlencode, urlsplit

import streamlit as st

from ui import BROWSE_PAGE, ICON, assistant_or_explain, escape_md, page_style

st.set_page_config(page_title="Browse the documents · Policy Assistant", page_icon=ICON, layout="centered")

SNIPPET_CHARS = 220
MAX_HITS_PER_DOC = 25


def share_url(doc_id: str, clause: str) -> str:
    """The full address of a clause page, as the reader's browser reached this server."""
    here = urlsplit(st.context.url or "")
    base = f"{here.scheme}://{here.netloc}" if here.netloc else ""
    return f"{base}/Browse?" + urlencode({"doc": doc_id, "clause": clause})


def show_clause(assistant, doc_id: str, clause: str) -> None:
    doc = assistant.docs.get(doc_id)
    hit = assistant.retriever.clause(doc_id, clause)
    if doc is None or hit is None:
        # Shown as plain text: the address is whatever someone put in a link.
        st.error("There is no such clause in " + (doc.short_title if doc else "the documents held") + ".")
        st.text(f"Asked for: {clause[:80]}")
        return
    first = hit.parts[0]
    st.title(f"{doc.short_title} § {clause}")
    if first.heading:
        st.caption(escape_md(first.heading))
    pages = f"p. {first.page}" + (f"–{hit.parts[-1].page_end}" if hit.parts[-1].page_end not in (None, first.page) else "") if first.page else ""
    st.caption(" · ".join(x for x in [escape_md(doc.title), escape_md(doc.edition), pages] if x))
    st.markdown(escape_md(hit.text))
    st.info(assistant.currency_note(doc), icon=":material/event:")
    examples = [q.question for q in assistant.index.questions if q.doc_id == doc_id and q.clause == clause]
    if examples:
        with st.expander(f"Example questions this clause answers ({len(examples)})"):
            st.markdown("\n".join(f"- {escape_md(q)}" for q in examples))
    st.markdown("**Shareable link** (copy with the button on the right):")
    st.code(share_url(doc_id, clause), language=None)
    if doc.source:
        st.markdown(f"[Public copy of the document]({doc.source})")
    st.page_link(BROWSE_PAGE, label="All documents and search", icon=":material/arrow_back:")


def snippet(text: str, words: list[str]) -> str:
    """About SNIPPET_CHARS of the text centred on the first match, as HTML with every match marked."""
    flat = " ".join(text.split())
    low = flat.lower()
    at = min((i for w in words if (i := low.find(w)) >= 0), default=0)
    start = max(0, at - SNIPPET_CHARS // 2)
    if start:
        start = flat.find(" ", start) + 1 or start
    end = min(len(flat), start + SNIPPET_CHARS)
    piece = flat[start:end]
    marked = escape(piece)
    for w in sorted(set(words), key=len, reverse=True):
        marked = re.sub(f"({re.escape(escape(w))})", r"<mark>\1</mark>", marked, flags=re.I)
    return ("… " if start else "") + marked + (" …" if end < len(flat) else "")


def search_all(assistant, query: str) -> None:
    """Every clause of every held document that contains all the words, grouped by document."""
    words = [w for w in query.lower().split() if w]
    held = [d for d in assistant.docs.values() if d.held]
    results = []
    for doc in held:
        found = []
        for c in assistant.index.clauses:
            if c.doc_id != doc.id or c.part != 0:
                continue
            text = assistant.retriever.clause(doc.id, c.clause).text
            if all(w in (text + " " + c.clause).lower() for w in words):
                found.append((c.clause, text))
        results.append((doc, found))
    st.markdown(f"#### {sum(len(f) for _, f in results)} clauses contain “{escape_md(query)}”")
    st.caption(" · ".join(f"{escape_md(d.short_title)}: {len(f)}" for d, f in results))
    for doc, found in results:
        if not found:
            continue
        st.markdown(f"##### {escape_md(doc.short_title)} ({len(found)})")
        for clause, text in found[:MAX_HITS_PER_DOC]:
            st.page_link(BROWSE_PAGE, label=f"{doc.short_title} § {clause}", query_params={"doc": doc.id, "clause": clause})
            st.markdown(f'<div class="pa-snippet">{snippet(text, words)}</div>', unsafe_allow_html=True)
        if len(found) > MAX_HITS_PER_DOC:
            st.caption(f"… and {len(found) - MAX_HITS_PER_DOC} more in {escape_md(doc.short_title)}: add a word to narrow the search.")


def browse_tree(assistant) -> None:
    held = [d for d in assistant.docs.values() if d.held]
    doc = st.selectbox("Document", held, format_func=lambda d: f"{d.short_title} ({d.edition})")
    records = [c for c in assistant.index.clauses if c.doc_id == doc.id and c.part == 0]
    groups: OrderedDict[str, list] = OrderedDict()
    for c in records:
        top = c.heading_path[0] if c.heading_path else (c.clause if not c.numbered else "Other")
        groups.setdefault(top, []).append(c)
    # Folded by default: a phone shows the list of sections, not a 12,000-px page.
    for top, items in groups.items():
        with st.expander(f"{top} ({len(items)})"):
            current_sub = None
            for c in items:
                sub = " › ".join(c.heading_path[1:])
                if sub and sub != current_sub:
                    st.markdown(f"**{escape_md(sub)}**")
                    current_sub = sub
                text = " ".join(assistant.retriever.clause(doc.id, c.clause).text.split())
                short = text if len(text) <= 110 else text[:107].rsplit(" ", 1)[0] + " …"
                st.page_link(BROWSE_PAGE, label=f"§ {escape_md(c.clause)} {escape_md(short)}",
                             query_params={"doc": doc.id, "clause": c.clause})


def main() -> None:
    page_style()
    assistant = assistant_or_explain()
    if assistant is None:
        return
    params = st.query_params
    if params.get("doc") and params.get("clause"):
        show_clause(assistant, params["doc"], params["clause"])
        return
    st.title("Browse the documents")
    query = st.text_input("Search all documents", placeholder="e.g. LADO, confiscate, filtering")
    if query.strip():
        search_all(assistant, query.strip())
        return
    browse_tree(assistant)


main()
