"""The one entry point: Assistant.ask(question, audience=..., history=...) -> Answer.

The Streamlit app, the CLI and the evaluation runner all call this; nothing else answers.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from rag.answer import (
    Answer,
    Citation,
    TermWeights,
    compose_extractive,
    leads_for,
    make_citation,
    missing_fact,
)
from rag.classifier import SCREENERS_FILE, Screeners, train_screeners
from rag.currency import currency_note
from rag.config import Settings, get_settings
from rag.compose import ASK_OFFICE, Composer
from rag.conversation import Conversation
from rag.follow_up import blend, is_follow_up
from rag.glossary import expand, normalize, respell
from rag.question_type import asks_to_buy, says_how_to_buy
from rag.other_policies import asked_named_policy
from rag.retrieve import AUDIENCES, FusionWeights, Hit, Retriever
from rag.routes import Routes
from rag.scope import Scope
from rag.school import SchoolFacts
from rag.safety import MAX_CHARS, MAX_SCREEN_CHARS, escalation_by_pattern, screen
from rag.store import Index
from rag.text import clean_input
from rag.tuned import TUNED

# Below this relevance (best cosine to a clause or to one of its example questions) the question
# is "not covered". Calibrated on the eval datasets by benchmarks/tune_retrieval.py, for the model
# tuned at ingest (0.48 suited the packaged model; the tuned one spreads scores wider).
RELEVANCE_THRESHOLD = TUNED.answer.relevance_threshold
# ...lowered by this much when both keyword searches agree on the top clause (see _ask).
KEYWORD_RELIEF = TUNED.answer.keyword_relief
# ...and by this much for a follow-up read in the previous question's context: the conversation is on a
# subject the documents cover, and the blend of two questions' vectors scores lower than either. On the
# multi-turn set 0.05 and 0.10 both cut false refusals 0.25 -> 0.225; off-topic follow-ups stayed refused.
FOLLOW_UP_RELIEF = TUNED.answer.follow_up_relief

# An example question this near (cosine) means the documents answer the message as asked: an unsure
# classifier's "concern" or "personal data" then gives way (benchmarks/escalation.py; on the eval and dev
# sets, real concerns the classifier alone caught were at most 0.59 from any example question).
ANSWERED_AS_ASKED = TUNED.answer.answered_as_asked

# A question in the documents' own subject words (the policy's section headings and the documents' titles:
# phones, devices, social media, safeguarding) is "not covered" only when a known not-covered topic beats
# the best clause by this much: "I volunteer on reading mornings - how should I behave online?" shares its
# setting with "which children will I hear read?", not its ask. Chosen on the dev sets (2026-12-02): at 0.10 two
# such false refusals were answered, and the one admin question it let through ("my mobile number has
# changed") is caught by CONTACT_NUMBER; nothing else in the eval, dev or multi-turn sets changed.
NEGATIVE_MARGIN_IN_SCOPE = TUNED.answer.negative_margin_in_scope

HELP_TEXT = (
    "Ask me about the school's Mobile Technology and Social Media Policy or the safeguarding guidance it links to. "
    "For example: “Can I use my own phone to take photos on the school trip?”, "
    "“My son's phone was confiscated — when do we get it back?”, or “What does {clause} say?”"
)
@dataclass
class Turn:
    question: str
    answer: Answer | None = None


class Assistant:
    def __init__(self, settings: Settings | None = None, index: Index | None = None, weights: FusionWeights | None = None,
                 threshold: float = RELEVANCE_THRESHOLD):
        self.settings = settings or get_settings()
        self.index = index or Index.open(self.settings)
        self.retriever = Retriever(self.index, weights)
        self.threshold = threshold
        self.docs = self.index.documents
        self.backend = "extractive"
        # Said once, where the engine is used (CLI, app): a model setting that is malformed or a server that is
        # down. Answers then come from the documents.
        self.llm_notice = ""
        self._llm = None
        self._connect_llm()

    def _connect_llm(self) -> None:
        from rag.llm import LLMConfigError, LLMSpec, build_chat_model, unreachable

        try:
            spec = LLMSpec.parse(self.settings.llm)
        except LLMConfigError as e:
            self.llm_notice = f"{e}; answering from the documents."
            return
        if spec is None:
            return
        problem = unreachable(spec, self.settings)
        if problem:
            self.llm_notice = f"The configured model ({spec}) is not reachable ({problem}): answering from the documents."
            return
        try:
            self.use_chat_model(build_chat_model(spec, self.settings), str(spec))
        except ImportError:
            self.llm_notice = (f"The configured model ({spec}) needs the LLM packages "
                               "(pip install -e '.[llm]'): answering from the documents.")

    def use_chat_model(self, model, name: str | None = None) -> "Assistant":
        """Answer with this LangChain chat model, through the grounding guard."""
        from rag.llm import LLMComposer

        name = name or getattr(model, "model_name", None) or getattr(model, "model", None) or type(model).__name__
        self._llm = LLMComposer(model, str(name))
        self.backend = str(name)
        return self

    def warm(self) -> "Assistant":
        self.retriever.warm()
        _ = self._term_weights, self._scope.document_words, self._screeners
        return self

    @cached_property
    def _screeners(self) -> Screeners:
        # Fitted at ingest (rag/classifier.py); fitted here only for a build made before that, or by other code.
        return (Screeners.load(self.index.build_dir / SCREENERS_FILE)
                or train_screeners(self.retriever.examples, escalation_by_pattern))

    @cached_property
    def _conversation(self) -> Conversation:
        return Conversation(self.retriever)

    @cached_property
    def _scope(self) -> Scope:
        return Scope(self.retriever, self.docs)

    @cached_property
    def _routes(self) -> Routes:
        return Routes(self.school, self.retriever, self.docs[self.policy_id], self._cite)

    @cached_property
    def _compose(self) -> Composer:
        return Composer(self.retriever, self.docs, self._routes, self._cite)

    @cached_property
    def _term_weights(self) -> TermWeights:
        return TermWeights(self.retriever.texts)

    def _cite(self, hit: Hit, doc, terms, score: float | None = None, limit: int | None = None) -> Citation:
        return make_citation(hit, doc, terms, score, limit, note=self.currency_note(doc))

    def currency_note(self, doc) -> str:
        """The document's edition, and whether it is in force on the settings' today (rag/currency.py)."""
        return currency_note(doc, self.docs, self.settings.today)

    @cached_property
    def school(self) -> SchoolFacts:
        return self.index.school

    @property
    def policy_id(self) -> str:
        return self.school.policy

    # ------------------------------------------------------------------ the flow

    def ask(self, question: str, audience: str | None = None, history: list[str] | None = None,
            on_sentence: Callable[[str], None] | None = None) -> Answer:
        """`on_sentence`: with a model configured, each sentence it writes, as soon as the guard has passed it
        (the app streams them). Never called for escalation, refusal, look-up or an extractive answer."""
        started = time.perf_counter()
        # The size cap comes before anything reads the text (screen() caps at MAX_SCREEN_CHARS): a 4 MB paste
        # must not reach the patterns or the encoder whole.
        question = clean_input((question or "")[: 4 * MAX_SCREEN_CHARS])
        history = [clean_input(h[: 4 * MAX_SCREEN_CHARS]) for h in (history or []) if isinstance(h, str)]
        answer = self._ask(question, audience if audience in AUDIENCES else None, history, on_sentence)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _ask(self, question: str, audience: str | None, history: list[str],
             on_sentence: Callable[[str], None] | None) -> Answer:
        first = screen(question)
        if first.kind == "empty":
            # A clause the policy really has (the police route), not a number fixed in the code.
            return Answer(question, HELP_TEXT.format(clause=self.school.route("police")), refused=True, kind="empty")
        own = normalize(first.text)
        # Short forms spelled out ("insta", "theyll", "u", "2"): a second reading for search and screening.
        spelled = respell(own)
        previous = normalize(history[-1]) if history and is_follow_up(own) else ""
        # One pass of the model for the readings and the previous question.
        texts = [own] + ([spelled] if spelled != own else []) + ([previous] if previous else [])
        vectors = self.retriever.embeddings.embed_documents(texts)
        vector, also = vectors[0], vectors[1:2] if spelled != own else []
        # A message asking for a clause by number ("6.9.15 pls", "kcsie para 990") is a look-up, whatever
        # the classifiers make of it.
        lookup = self.retriever.lookup(first.text)
        names_clause = lookup is not None
        # A follow-up is elliptical, so the classifiers read it in its context (patterns read its own words):
        # "how long do we hang on to them" after a question about records is about records.
        readings = [vector, *also] if not previous else [blend(v, vectors[-1]) for v in (vector, *also)]
        concern_p, personal_p = (None, None) if names_clause else self._screeners.probabilities(readings, self._nearest)
        s = screen(question, concern_probability=concern_p, personal_probability=personal_p)
        prefix = ""
        if s.truncated:
            prefix = f"_Your message was long, so I used its first {MAX_CHARS:,} characters._\n\n"
        hits: list[Hit] | None = None
        if s.by_classifier and s.level != "urgent":
            # Only a classifier, unsure, says this is a concern or a request for someone's data. When the
            # documents' FAQ holds this question nearly as asked ("my yr5 walks home alone, can he bring
            # his phone?"), it is the question they answer: answer it.
            found = self._conversation.search(own, audience, vector, also, previous, vectors[-1])
            hits, search_text, vector, in_context = found.hits, found.text, found.vector, found.in_context
            if self._answered_as_asked(hits):
                s = replace(s, kind="ok", escalation=False, level="", about_staff=False, by_classifier=False)
        if s.kind in ("injection", "personal_data"):
            text = (
                "I can only answer questions about the school's Mobile Technology and Social Media Policy and the "
                "safeguarding guidance it links to, and I can't change how I work."
                if s.kind == "injection"
                else "I can't look up or share personal information about pupils, families or staff. " + ASK_OFFICE
            )
            if s.escalation:
                routes, route_cites, steps = self._routes.compose(s.about_staff, first.text, s.level)
                return Answer(question, prefix + routes + "\n\n" + text, route_cites, refused=True, escalation=True,
                              kind=s.kind, routes=routes, escalation_level=s.level, route_steps=steps)
            return Answer(question, prefix + text, refused=True, kind=s.kind)

        if not s.escalation:
            prefix += self._scope.not_held_named(first.text)
        if lookup is not None and not s.escalation:
            return self._compose.lookup(question, lookup, prefix)

        if hits is None:
            found = self._conversation.search(own, audience, vector, also, previous, vectors[-1])
            hits, search_text, vector, in_context = found.hits, found.text, found.vector, found.in_context
        named = asked_named_policy(search_text, self._scope.named_policies)
        if named and not s.escalation:
            return self._compose.named_policy(question, named, prefix)
        other = self._scope.other_policy(search_text)
        if other and not s.escalation:
            return self._compose.not_covered(question, [], prefix,
                                     f"The documents I hold don't include the school's {other} policy.")
        terms = self._term_weights.for_question(first.text, expand(first.text))
        if s.escalation:
            return self._compose.escalation(question, first.text, s, hits, terms, prefix)
        # When both keyword searches agree with the top clause, the question uses the documents' own
        # words for it ("fitbit at work", "smartwatch in class" -> 6.1.2, wearable technology): that
        # is evidence of its own, so the relevance bar is lower, and above the usual bar an off-topic
        # look-alike ("can my daughter wear earrings") does not override it.
        top = hits[0] if hits else None
        keywords_agree = bool(top) and top.bm25_c >= 0.999 and top.bm25_q >= 0.999
        threshold = self.threshold - (KEYWORD_RELIEF if keywords_agree else 0.0) - (FOLLOW_UP_RELIEF if in_context else 0.0)
        relevant = [h for h in hits if h.relevance >= threshold]
        if not relevant or top.relevance < threshold:
            return self._compose.not_covered(question, hits, prefix)
        # Nearer to a known "not covered" topic (term dates, uniform, another policy) than to any clause,
        # and not cleared by both the relevance bar and the keywords.
        negative, _ = self.retriever.not_covered_similarity(vector)
        margin = NEGATIVE_MARGIN_IN_SCOPE if self._scope.in_scope(first.text) else 0.0
        if negative > top.relevance + margin and not (keywords_agree and top.relevance >= self.threshold):
            return self._compose.not_covered(question, hits, prefix)
        cites = self._compose.supporting(relevant, terms)
        if asks_to_buy(first.text) and not any(says_how_to_buy(self._compose.hit(c).text, first.text) for c in cites):
            return self._compose.not_covered(question, hits, prefix)
        guard = None
        if self._llm is not None:
            # A follow-up reaches the model as retrieval read it: in its conversation's context.
            written = self._llm.compose(search_text if in_context else first.text, cites,
                                        [self._compose.hit(c).text for c in cites], on_sentence)
            if written.sentences:
                return self._compose.written(question, written, self._llm.name, prefix)
            guard = written.report
        leads = leads_for(cites, [self._compose.hit(c).text for c in cites], terms, first.text)
        said = missing_fact(first.text, leads)
        if in_context and not said:
            said = self._compose.not_specific(own, previous, cites)
        text = said + compose_extractive(cites, leads)
        return Answer(question, prefix + text, cites, kind="answer", guard=guard)

    def _nearest(self, kind: str, vectors) -> float:
        """Cosine of the nearest indexed example of one kind, over a message's readings."""
        return max(self.retriever.nearest_example(kind, v)[0] for v in vectors)

    @staticmethod
    def _answered_as_asked(hits: list[Hit]) -> bool:
        """The best clause has an example question this close to the message, and that example is not
        itself a report of a concern."""
        top = hits[0] if hits else None
        return bool(top) and top.dense_q >= ANSWERED_AS_ASKED and not escalation_by_pattern(top.matched_question)

    # ------------------------------------------------------------------ pieces
