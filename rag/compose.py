"""Stage: composition. Every answer the extractive composer writes, from the stages' findings: an answer
with its supporting passages, a look-up, "not covered", another policy named, and a concern's routes with
the passages that speak to it. The words are the documents' own (rag/answer.py quotes them).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.answer import (
    SUPPORT_QUOTE_CHARS,
    Answer,
    Citation,
    best_span,
    compose_extractive,
    content_terms,
    leads_for,
    missing_fact,
)
from rag.documents import DocumentInfo
from rag.follow_up import unmentioned
from rag.other_policies import NamedPolicy
from rag.retrieve import Hit, Retriever
from rag.routes import Routes
from rag.tuned import TUNED

NOT_COVERED = "The policy and guidance I hold don't cover this."
ASK_OFFICE = "Please ask the school office, who can tell you the school's position or point you to the right policy."
# Further clauses are cited when their fused score is within this fraction of the best one's (0.7 rather
# than 0.8: cite@3 0.948 -> 0.955 on the eval datasets, nothing else moved on them or on evals/dev).
SUPPORT_RATIO = TUNED.answer.support_ratio
MAX_CITATIONS = 3
# An escalation answer quotes the clauses nearest the concern down to this relevance.
ESCALATION_SUPPORT = TUNED.answer.escalation_support
# A concern put as a question the documents answer almost word for word ("should I look at the
# image?", "can I promise not to tell?") gets that answer as its first source, ahead of the routes;
# a concern about a member of staff always leads with the LADO route.
DIRECT_ANSWER = TUNED.answer.direct_answer


@dataclass
class Composer:
    retriever: Retriever
    documents: dict[str, DocumentInfo]
    routes: Routes
    cite: Callable[..., Citation]  # (hit, document, terms, score, limit) -> a citation with its edition note

    def not_specific(self, own: str, previous: str, cites: list[Citation]) -> str:
        """For a follow-up that adds a circumstance no cited passage mentions ("does that go for after
        school club too?"): say so before quoting what applies in general."""
        missing = unmentioned(own, previous, [self.hit(c).text for c in cites])
        return f"_I found nothing specific about “{missing}”. What applies in general:_\n\n" if missing else ""

    def hit(self, c: Citation) -> Hit:
        return self.retriever.clause(c.doc_id, c.clause)  # type: ignore[return-value]

    def supporting(self, relevant: list[Hit], terms: set[str]) -> list[Citation]:
        top = relevant[0]
        chosen = [top]
        for h in relevant[1:]:
            if len(chosen) >= MAX_CITATIONS:
                break
            if h.score >= SUPPORT_RATIO * top.score:
                chosen.append(h)
        return [self.cite(h, self.documents[h.doc_id], terms, limit=None if i == 0 else SUPPORT_QUOTE_CHARS)
                for i, h in enumerate(chosen)]

    def named_policy(self, question: str, named: NamedPolicy, prefix: str) -> Answer:
        hits = [self.retriever.clause(*k.split("#", 1)) for k in named.clauses[:2]]
        terms = set(content_terms(named.name)) | {"polici"}
        cites = [self.cite(h, self.documents[h.doc_id], terms, 1.0, limit=SUPPORT_QUOTE_CHARS) for h in hits if h]
        where = ", ".join(f"§ {c.clause}" for c in cites)
        text = (f"The policy refers to the school's **{named.name} policy** ({where}), which I don't hold, so I can't "
                f"tell you what it says. {ASK_OFFICE}\n\n")
        return Answer(question, prefix + text + compose_extractive(cites, best_span(hits[0].text, terms)), cites,
                      kind="other_policy")

    def written(self, question: str, composed, model: str, prefix: str) -> Answer:
        """A model's answer that passed the grounding guard (rag/llm.py): its sentences, labelled as the
        model's, then each cited clause quoted, as for an extractive answer. `written` keeps the model's text
        apart: the app shows it as plain text, never as markdown."""
        text = " ".join(composed.sentences)
        quotes = "\n\n".join(f"> {c.quote}\n\n— [{i}] {c.label()}" for i, c in enumerate(composed.used, 1))
        notes = list(dict.fromkeys(c.note for c in composed.used if c.note))
        body = "\n\n".join([f"Written by {model} from the sources below: {text}", quotes, *(f"_{n}_" for n in notes)])
        return Answer(question, prefix + body, composed.used, kind="answer", backend=model, written_by=model,
                      written=text, guard=composed.report)

    def not_covered(self, question: str, hits: list[Hit], prefix: str, why: str = "") -> Answer:
        nearest = hits[:2]
        text = f"{why or NOT_COVERED} {ASK_OFFICE}"
        if nearest:
            labels = ", ".join(f"{self.documents[h.doc_id].short_title} § {h.clause}" for h in nearest)
            text += f"\n\n_The closest passages ({labels}) do not answer it._"
        cites = [self.cite(h, self.documents[h.doc_id], set(), h.relevance) for h in nearest]
        return Answer(question, prefix + text, cites, refused=True, kind="not_covered")

    def lookup(self, question: str, lookup, prefix: str) -> Answer:
        if lookup.hits:
            h = lookup.hits[0]
            cite = self.cite(h, self.documents[h.doc_id], set(), 1.0)
            cite.quote = h.text if len(h.text) <= 2500 else cite.quote
            # A section ("section 6.3": its clauses) or the same paragraph number in two documents.
            more = [self.cite(o, self.documents[o.doc_id], set(), 0.9, limit=SUPPORT_QUOTE_CHARS) for o in lookup.hits[1:3]]
            intro = ""
            if h.clause != lookup.number:
                listed = ", ".join(o.clause for o in lookup.hits)
                intro = f"Section {lookup.number} of the {self.documents[h.doc_id].short_title} has clauses {listed}.\n\n"
            elif more:
                intro = "".join(f"{c.doc_title} also has a paragraph {c.clause}, quoted second.\n\n" for c in more)
            text = intro + compose_extractive([cite, *more], best_span(h.text, set()))
            return Answer(question, prefix + text, [cite, *more], kind="lookup")
        doc_title = self.documents[lookup.doc_id].short_title if lookup.doc_id in self.documents else "the documents"
        near = ", ".join(h.clause for h in lookup.nearest)
        text = f"There is no clause {lookup.number} in the {doc_title}."
        if near:
            text += f" The nearest clauses are {near}."
        cites = [self.cite(h, self.documents[h.doc_id], set(), 0.0) for h in lookup.nearest]
        for c in cites:
            text += f"\n\n> {c.quote}\n\n— {c.label()}"
        return Answer(question, prefix + text, cites, refused=True, kind="no_such_clause")

    def escalation(self, question, text, screen_, hits, terms, prefix) -> Answer:
        about_staff, level = screen_.about_staff, screen_.level
        routes, route_cites, steps = self.routes.compose(about_staff, text, level)
        all_route_keys = {h.key for _, h in self.routes.hits(about_staff, text)}
        score = {h.key: h.score for h in hits}
        for c in route_cites:
            c.score = round(score.get(f"{c.doc_id}#{c.clause}", 0.0), 3)
        # Sources: the first route (rag/routes.py), then the passage that speaks to this situation, then
        # the other routes and passages. The passage comes first when it answers the question as asked
        # (DIRECT_ANSWER: "should I open the image?").
        # A concern is in scope whatever its words, so those passages need only be near the question
        # (ESCALATION_SUPPORT), not as near as an ordinary answer's.
        others = [h for h in hits if h.key not in all_route_keys and h.relevance >= ESCALATION_SUPPORT]
        extra_cites = self.supporting(others, terms) if others else []
        if others and others[0].relevance >= DIRECT_ANSWER and not about_staff:
            merged = extra_cites[:1] + route_cites + extra_cites[1:]
        else:
            merged = route_cites[:1] + extra_cites[:1] + route_cites[1:] + extra_cites[1:]
        body = ""
        if extra_cites:
            leads = leads_for(extra_cites, [self.hit(c).text for c in extra_cites], terms, text)
            body = ("\n\n**What the documents say:**\n\n" + missing_fact(text, leads)
                    + compose_extractive(extra_cites, leads))
        return Answer(question, prefix + routes + body, merged, escalation=True, kind="escalation", routes=routes,
                      escalation_level=level, route_steps=steps)
