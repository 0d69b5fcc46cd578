"""Shared Streamlit pieces for app.py and pages/: the engine (loaded once), answers, contacts.

Text from users and documents is shown as text, never interpreted as HTML or markdown links.
"""
from __future__ import annotations

import re
import threading
import time
from pathlib import Path

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


# One engine per index build, shared by every session: after a re-ingest the next question is answered
# from the new build (and its model); the previous engine is dropped. Held here rather than in
# st.cache_resource because `policy-assistant serve` warms it when the server starts, before any session
# (and so any script-run context) exists.
_engine_lock = threading.Lock()
_engine: dict[str, Assistant] = {}


def load_assistant(build: str) -> Assistant:
    """The engine for the build at this path, loaded once."""
    with _engine_lock:
        if build not in _engine:
            engine = Assistant(get_settings()).warm()
            _engine.clear()
            _engine[build] = engine
        return _engine[build]


def engine_ready() -> bool:
    from rag.store import current_build

    build = current_build(get_settings().index_dir)
    return build is not None and str(build) in _engine


def warm_in_background() -> threading.Thread:
    """Start loading the engine now (server start), so that the first visitor does not wait for it."""
    from rag.store import IndexMissing

    def run() -> None:
        try:
            current_assistant()
        except IndexMissing:
            pass  # the page explains how to build the index

    thread = threading.Thread(target=run, name="warm-engine", daemon=True)
    thread.start()
    return thread


def current_assistant() -> Assistant:
    from rag.store import IndexMissing, current_build

    build = current_build(get_settings().index_dir)
    if build is None:
        raise IndexMissing("no index")
    return load_assistant(str(build))  # the build's path: another index folder may hold a build of the same name


REFRESH_S = 5  # how often a page waiting for the first index looks again
# An ingest started by `make app` takes a few seconds to import its libraries before it holds the lock:
# a fresh log counts as building too.
LOG_FRESH_S = 120


@st.fragment(run_every=REFRESH_S)
def _carry_on_when_built() -> None:
    """Looks for the first build every few seconds, and reloads the page when it is there."""
    from rag.store import current_build

    if current_build(get_settings().index_dir) is not None:
        st.rerun()


def index_being_built() -> bool:
    from ingest.index import ingest_running

    index_dir = get_settings().index_dir
    log = index_dir / "ingest.log"
    return ingest_running(index_dir) or (log.is_file() and time.time() - log.stat().st_mtime < LOG_FRESH_S)


def assistant_or_explain() -> Assistant | None:
    """The engine, or None after telling the user how to build the index."""
    from rag.store import IndexMissing

    try:
        if engine_ready():
            return current_assistant()
        with st.spinner("Loading the policy and the search model (about 10 seconds, once after the server starts) ..."):
            return current_assistant()
    except IndexMissing:
        if index_being_built():
            # The first start of `make app`: the server is up while the index is built (about 2 minutes).
            st.info("Setting up: the documents are being indexed for the first time (about 2 minutes). "
                    "This page carries on by itself when they are ready.")
            _carry_on_when_built()
            return None
        st.error("The documents have not been indexed yet. Run `policy-assistant ingest` (or `make app`), then reload.")
        return None
    except Exception as e:  # a damaged index or a Chroma server that is down: a notice, never a traceback
        st.error(f"The document index could not be opened ({type(e).__name__}). "
                 "Ask whoever runs this app to run `policy-assistant check`, then reload.")
        return None


@st.cache_resource
def load_feedback() -> FeedbackStore:
    settings = get_settings()
    return FeedbackStore(settings.feedback_db, settings.feedback_retention_days)


def clause_link(doc_id: str, clause: str) -> str:
    from urllib.parse import urlencode

    return "/Browse?" + urlencode({"doc": doc_id, "clause": clause})


BROWSE_PAGE = "pages/1_Browse.py"
# The favicon, from this project: a ":material/...:" page icon is fetched from fonts.gstatic.com, and the
# app must load nothing from outside its own server.
ICON = str(Path(__file__).resolve().parent / "docs" / "icon.png")

# WCAG 2.2 AA on Streamlit's default theme: its captions, quotes and expander labels are #828180 on
# white (3.9:1); links show no focus ring; feedback thumbs are smaller than 44 px. Written by hand: no
# Streamlit setting covers these.
STYLE = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, .stMarkdown blockquote,
[data-testid="stExpander"] summary, [data-testid="stWidgetLabel"] p { color: #3d3d3d !important; }
.stMarkdown blockquote { border-left-color: #6b6b6b; opacity: 1 !important; }
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stChatMessage"] { scroll-margin-top: 4.5rem; }  /* below the fixed navigation bar */
[data-testid="stAlert"] a { color: #0b3d91 !important; }  /* a link in a notice (a currency note's page): AA contrast on its tint */
a:focus-visible, button:focus-visible, summary:focus-visible, input:focus-visible, textarea:focus-visible,
[role="radio"]:focus-visible, [tabindex]:focus-visible { outline: 3px solid #0b57d0 !important; outline-offset: 2px; }
[data-testid="stFeedback"] button, [data-testid="stBaseButton-elementToolbar"] { min-width: 44px; min-height: 44px; }
.pa-sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
.pa-badge { display: inline-block; font-size: 0.8rem; padding: 0 0.4rem; border-radius: 0.5rem; background: #eef1f5;
  color: #1f2937; border: 1px solid #c5cbd3; }
</style>
"""


def page_style() -> None:
    st.html(STYLE)


def announce(text: str) -> None:
    """A polite live region, always present at the same place, so a screen reader reads each new answer."""
    from html import escape

    st.html(f'<div class="pa-sr-only" role="status" aria-live="polite">{escape(text)}</div>')


SCROLL_SCRIPT = """<script>(function () {
  // Streamlit keeps scrolling the chat to the bottom while it draws the answer (its sources, its rating,
  // the chat box), and on a busy machine that drawing can go on for seconds. Keep bringing the answer's
  // start back whenever it has drifted, for up to ten seconds, and stop as soon as the reader scrolls,
  // types or clicks: after that the page is theirs.
  var doc = window.parent.document, started = Date.now(), stop = false;
  ["wheel", "touchmove", "keydown", "mousedown"].forEach(function (e) {
    doc.addEventListener(e, function () { stop = true; }, {once: true, passive: true});
  });
  function go() {
    if (stop) { return; }
    var m = doc.querySelectorAll('[data-testid="stChatMessage"]');
    if (m.length) {
      var last = m[m.length - 1], margin = parseFloat(getComputedStyle(last).scrollMarginTop) || 0;
      if (Math.abs(last.getBoundingClientRect().top - margin) > 4) { last.scrollIntoView({block: "start"}); }
    }
    if (Date.now() - started < 10000) { setTimeout(go, 150); }
  }
  go();
})();</script>"""


def scroll_to_latest_answer(n: int) -> None:
    """Bring the start of the newest answer into view (its banner or lead line), not the bottom of the page."""
    st.html(SCROLL_SCRIPT + f"<!-- answer {n} -->", unsafe_allow_javascript=True)


_LABEL = re.compile(r"\[([^\[\]]+ § [^\[\]]+?)\]")


def split_body(body: str) -> tuple[str, list[str]]:
    """(the lead: everything before the first quote, the notes after the last source line). The quotes and
    "— [source]" lines are shown once, in the source list."""
    paras = body.split("\n\n")
    lead: list[str] = []
    for para in paras:
        if para.lstrip().startswith((">", "— [")):
            break
        lead.append(para)
    notes = [p for p in paras[len(lead):] if p.startswith("_") and p.endswith("_")]
    return "\n\n".join(lead).strip(), notes


def short_labels(text: str, ans: Answer) -> str:
    """Inline "[Mobile Technology and Social Media Policy § 6.2.4]" as "[Policy § 6.2.4]"."""
    by_label = {c.label()[1:-1]: c.short_label() for c in ans.citations}
    by_label.update({c.label()[1:-1].split(", p. ")[0]: c.short_label() for c in ans.citations})
    return _LABEL.sub(lambda m: f"[{by_label.get(m.group(1), m.group(1))}]", text)


def audience_framing(ans: Answer, audience: str | None) -> str:
    """A few plain words that say whom the lead line is about, for the reader who chose who they are: the
    policy's section headings say whose rules a clause is (learners', staff, visitors')."""
    if not ans.citations or ans.refused or not audience:
        return ""
    heading = ans.citations[0].heading.lower()
    if "learners" in heading:
        return {"parent": "About your child:", "learner": "About you:", "staff": "About pupils:"}.get(audience, "")
    if "staff" in heading:
        return {"staff": "What is expected of you:", "parent": "What staff must do:", "learner": "What staff must do:"}.get(audience, "")
    if "visitors" in heading:
        return {"visitor": "What is expected of you:", "parent": "For visitors, including parents:"}.get(audience, "")
    return ""


def safeguarding_banner(ans: Answer) -> None:
    """Act now, then 999 if a child is in danger, then the DSL team as a list, then the LADO line for a
    concern about staff; the policy's own words for each step are folded underneath."""
    urgent = ans.escalation_level != "concern"
    lines = ["### Act now" if urgent else "### This may be a safeguarding matter"]
    for step in ans.route_steps:
        if step.role == "police" and urgent:
            lines.append(f"**If a child is in immediate danger, call 999.** [{step.citation.short_label()}]")
        elif step.role == "dsl_team":
            lines.append(f"**Tell a Designated Safeguarding Lead (DSL) today:** [{step.citation.short_label()}]")
            lines.append("\n".join(f"- {escape_md(n)}" for n in step.names))
        elif step.role == "lado":
            # The policy's own words (allegations "will be discussed with the LADO"), not a procedure of our own.
            lines.append(f"**Allegations about a member of staff are discussed with the LADO** (Local Authority "
                         f"Designated Officer). [{step.citation.short_label()}]")
        elif step.role == "staff_illegal_content":
            lines.append(f"**Illegal content on a staff device: the police and the LADO are contacted.** "
                         f"[{step.citation.short_label()}]")
    body = "\n\n".join(lines)
    (st.error if urgent else st.warning)(body, icon=":material/emergency:" if urgent else ":material/shield:")
    with st.expander("The policy's words for these steps"):
        st.markdown(escape_md(ans.routes.replace("**", "")) if ans.routes else "")


def show_sources(ans: Answer, key: str) -> None:
    heading = "Closest passages (they do not answer this)" if ans.refused and not ans.escalation else "Sources"
    st.markdown(f"#### {heading}")
    assistant = current_assistant()
    for i, c in enumerate(ans.citations, 1):
        section = c.heading.split(" › ")[-1] if c.heading else ""
        badge = f'<span class="pa-badge">{escape_md(c.edition)}</span>' if c.edition else ""
        title = f"**[{i}] {escape_md(c.short_label())}**" + (f" · {escape_md(section)}" if section else "")
        st.markdown(f"{title} {badge}", unsafe_allow_html=True)
        quote = c.quote if len(c.quote) <= 240 else c.quote[:237].rsplit(" ", 1)[0] + " …"
        st.markdown("> " + escape_md(quote).replace("  \n", "  \n> "))
        with st.expander(f"Whole {c.short_label()}, page and links"):
            hit = assistant.retriever.clause(c.doc_id, c.clause)
            st.markdown(escape_md(hit.text if hit else c.quote))
            st.caption(" · ".join(x for x in [escape_md(c.doc_title), escape_md(c.edition),
                                               f"p. {c.page}" if c.page else ""] if x))
            st.page_link(BROWSE_PAGE, label=f"Open {c.short_label()} in the document browser",
                         query_params={"doc": c.doc_id, "clause": c.clause}, icon=":material/menu_book:")
            if c.source:
                st.markdown(f"[Public copy of the document]({c.source})")


def show_answer(ans: Answer, key: str, audience: str | None = None, notes_seen: set[str] | None = None) -> None:
    """One answer: the banner (if any), the lead line in plain words, each source once with a short quote,
    the currency notes the conversation has not shown yet, and the rating."""
    if ans.escalation:
        safeguarding_banner(ans)
    body = ans.answer[len(ans.routes):].strip() if ans.escalation and ans.routes else ans.answer
    body = body.replace("**What the documents say:**", "").strip()
    lead, notes = split_body(body)
    if ans.refused:
        st.warning(lead or body, icon=":material/help:")
    elif ans.written_by:
        # A model's words: labelled as such, and shown as plain text (its markdown and HTML inert), with the
        # quotes it was checked against under it.
        st.caption(f"Written by {ans.written_by} from the sources below")
        st.markdown(escape_md(ans.written))
    elif lead:
        if ans.escalation:
            st.markdown("#### What the documents say")
        framing = audience_framing(ans, audience)
        st.markdown((f"{framing} " if framing else "") + short_labels(lead, ans))
    if ans.citations:
        show_sources(ans, key)
    seen = notes_seen if notes_seen is not None else set()
    for note in notes:
        if note not in seen:
            st.caption(note.strip("_"))
            seen.add(note)
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


def stream_answer(assistant: Assistant, question: str, audience: str | None, history: list[str]) -> Answer:
    """Ask with a model configured: each sentence appears as soon as the grounding guard has passed it
    (st.write_stream), then the whole answer is drawn as any other. The engine runs in a worker thread that
    never touches Streamlit; sentences reach this thread through a queue."""
    import queue

    done = object()
    sentences: queue.Queue = queue.Queue()
    result: dict[str, Answer] = {}

    def work() -> None:
        try:
            result["answer"] = assistant.ask(question, audience=audience, history=history, on_sentence=sentences.put)
        finally:
            sentences.put(done)

    threading.Thread(target=work, daemon=True).start()

    def stream():
        while (item := sentences.get()) is not done:
            yield escape_md(item) + " "

    shown = st.empty()
    with shown.container():
        st.write_stream(stream())
    shown.empty()
    return result["answer"]


def contacts_sidebar(assistant: Assistant) -> None:
    st.subheader("Who to contact")
    school = assistant.school
    if school.dsl_team:
        st.markdown("**Designated Safeguarding Leads**")
        st.markdown("  \n".join(escape_md(n) for n in school.dsl_team))
        if school.named_governor:
            st.markdown(escape_md(school.named_governor))
    police = assistant.retriever.clause(assistant.policy_id, school.route("police") or "")
    if police:
        st.caption(f"Policy § {police.clause}: {police.text}")
