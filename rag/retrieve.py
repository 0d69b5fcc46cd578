"""Index -> ranked clauses for a question: clause lookup, then BM25 + dense fused per clause.

Signals, each per clause (a clause's parts and its example questions all point to it):
  dense_c   cosine of the question to the clause text (with its heading path)
  dense_q   cosine of the question to the clause's nearest example question
  bm25_c    BM25 of the glossary-expanded question over clause text, scaled 0..1 in the query
  bm25_q    the same over the example questions
  dense_s   cosine of the question to the clause's nearest sentence: a long paragraph's one vector
            blurs the detail a question asks about ("how long can an assessment take" -> "45 working days")
Dense signals are exact for every candidate (`Vectors`); a clause with no example questions stands
in with its own text for the question signals. The fused score is a weighted sum (weights in
`FusionWeights`, tuned on the eval datasets by benchmarks/tune_retrieval.py), times a document
prior (the school's policy answers "what are the rules here" first, within its subject; a document
the question names comes first), plus small audience and definition bonuses. `relevance` (the best
measured dense signal) decides whether anything relevant was found at all.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from rag.blas import one_blas_thread
from rag.documents import Clause
from rag.glossary import definition_term, defines, expand
from rag.question_type import question_type, states_definitely
from rag.store import Index
from rag.text import merge_parts
from rag.tuned import TUNED

if TYPE_CHECKING:
    import numpy

AUDIENCES = ("staff", "parent", "learner", "visitor", "governor")


# The policy's own subject: mobile technology, social media, images, messaging. A question about none
# of it ("the DSL is off today and I'm worried about a child") is one the guidance answers as much
# as the policy, so the policy-first prior does not apply.
POLICY_SUBJECT = re.compile(
    r"\b(phones?|mobiles?|smart ?phones?|devices?|ipads?|tablets?|laptops?|computers?|chromebooks?|watch(es)?|fitbits?|"
    r"wearables?|cameras?|online|internet|web(sites?)?|wi-?fi|social|apps?|insta\w*|facebook|fb|snap\w*|tik ?tok|"
    r"twitter|youtube|whats ?app|discord|linked ?in|gam(e|es|ing)|consoles?|xbox|roblox|fortnite|minecraft|"
    r"pics?|pictures?|photos?|images?|videos?|film\w*|selfies?|messag\w*|texts?|dms?|emails?|posts?|sharing|"
    r"accounts?|passwords?|technology|tech|screens?|filter\w*|monitor\w*|cyber\w*|nudes?|sexting|airdrop|bluetooth|"
    r"calls?|ring|policy)\b",
    re.I,
)

NAMES_THE_POLICY = re.compile(r"\b(the|this|your|our|ur|school'?s) policy\b", re.I)

GUIDANCE_WORDS = re.compile(
    r"\b(kcsie|keeping children safe|working together|statutory|dfe|department for education|guidance|the law|legal(ly)?|legislation|"
    r"early help|section 47|section 17|social care|children'?s services|low[- ]level concerns?|harm threshold|"
    r"filtering and monitoring|nudes|semi-nudes|upskirting|child-on-child|peer[- ]on[- ]peer|sexual (violence|harassment)|"
    r"county lines|criminal exploitation|cce|cse|fgm|radicali[sz]|prevent duty|channel|mental health|neglect|"
    r"information sharing|share information|data protection|gdpr|consent to share|referral|refer)\b",
    re.I,
)
# Questions about statutory duties (what schools, governors and the DSL must do; training, recruitment,
# allegations, multi-agency work) are the guidance's to answer: the policy-first prior is for questions
# about the school's own rules.
DUTY_WORDS = re.compile(
    r"\b(duty|duties|responsibilit(y|ies)|statutory|required by law|legal requirements?|must (schools?|colleges?|governors?|we|the school)|"
    r"(schools?|colleges?|governors?|governing bod(y|ies)|proprietors?|trusts?|boards?) (must|have to|need to|should|are required)|"
    r"governing bod(y|ies)|proprietors?|trustees?|training|trained|induction|refresher|updates? (training|every)|"
    r"recruit\w*|interview\w*|references?|dbs|barred list|single central record|prohibition|section 128|"
    r"allegations?|lado|designated officers?|(who|which) can be (the |a )?(dsl|designated)|deputy dsls?|dsl'?s? role|"
    r"(role|job) of the (dsl|designated)|early help|multi-?agency|safeguarding partners?|local authority|social workers?|"
    r"child protection plans?|child(ren)? in need|looked[- ]after|previously looked[- ]after|virtual school|"
    r"alternative provision|elective home education|home educat\w*|children missing (from )?education|attendance|"
    r"ofsted|inspect\w*|filtering (and|&) monitoring standards|information sharing|share information|"
    r"record[- ]keeping|keep records|records? of concerns)\b",
    re.I,
)


_W = TUNED.retrieval


@dataclass(frozen=True)
class FusionWeights:
    # The values are in rag/tuned.toml [retrieval] (benchmarks/tune_retrieval.py).
    dense_c: float = _W.dense_c
    dense_q: float = _W.dense_q
    bm25_c: float = _W.bm25_c
    bm25_q: float = _W.bm25_q
    dense_s: float = _W.dense_s
    guidance_prior: float = _W.guidance_prior  # national guidance supports; the school's policy comes first
    guidance_prior_when_asked: float = _W.guidance_prior_when_asked  # ...unless the question is about the guidance's subjects
    # "what does KCSIE say about ...": the document named comes first, unless the school's own
    # policy is named too ("does the policy follow KCSIE?").
    unnamed_doc_prior: float = _W.unnamed_doc_prior
    audience_bonus: float = _W.audience_bonus
    # A clause nobody wrote example questions for would score 0 on the question signals and could
    # never be found; it stands in with its own text, scored as a question would be (cosine + offset).
    # Measured by benchmarks/cold_paragraphs.py (None turns it off).
    cold_dense_offset: float | None = _W.cold_dense_offset
    cold_bm25: float = _W.cold_bm25
    # "what's a LADO?": a passage that defines the term asked about ("... known as local authority
    # designated officers (LADO)") gets this much more.
    definition_bonus: float = _W.definition_bonus
    # "who's in the key details bit?": a question naming an unnumbered section of the school's
    # policy by its heading is asking for that section.
    named_section_bonus: float = _W.named_section_bonus
    # "how long / how fast / how often ...": a passage that states the figure ("within one working day",
    # "at least annually") over one on the same subject that does not (rag/question_type.py).
    definite_answer_bonus: float = _W.definite_answer_bonus
    candidates: int = _W.candidates  # per signal: the best clauses on it join the candidates


@dataclass
class Hit:
    doc_id: str
    clause: str
    parts: list[Clause]
    score: float = 0.0
    dense_c: float = 0.0
    dense_q: float = 0.0
    bm25_c: float = 0.0
    bm25_q: float = 0.0
    dense_s: float = 0.0
    matched_question: str = ""
    matched_sentence: str = ""  # the clause's sentence nearest the question

    @property
    def key(self) -> str:
        return f"{self.doc_id}#{self.clause}"

    @property
    def relevance(self) -> float:
        return max(self.dense_q, self.dense_c)

    @cached_property
    def text(self) -> str:
        return merge_parts([p.text for p in self.parts])


class Vectors:
    """One Chroma collection's vectors in memory, grouped by the clause each points to.

    Written by hand because a top-k vector search cannot do this job: fusion needs every candidate
    clause's cosine on each signal, and a clause just outside a top-k list would score 0 on it and
    lose to weaker ones that made the cut (a k wide enough to avoid that made Chroma queries
    ~95 ms). The corpus is a few thousand vectors, so one exact matrix product (~1 ms) scores them
    all. Chroma stays the store: the vectors are read from it, locally or from a Chroma server.
    """

    def __init__(self, vectorstore, where: dict | None = None):
        import numpy as np

        got = (vectorstore.get(where=where, include=["embeddings", "metadatas", "documents"]) if vectorstore is not None
               else {"metadatas": [], "documents": [], "embeddings": []})
        rows = sorted(zip(got["metadatas"], got["documents"], got["embeddings"]),
                      key=lambda r: (r[0]["doc_id"], r[0]["clause"]))
        self.keys = [f"{m['doc_id']}#{m['clause']}" for m, _, _ in rows]
        self.texts = [t for _, t, _ in rows]
        self.matrix = np.array([e for _, _, e in rows], dtype=np.float32) if rows else np.zeros((0, 1), np.float32)
        # Rows are sorted by clause, so each clause is one run of rows starting at these offsets.
        self.starts = np.array([i for i, k in enumerate(self.keys) if i == 0 or k != self.keys[i - 1]], dtype=np.int64)
        self.clause_keys = [self.keys[i] for i in self.starts]

    def _cosines(self, vector):
        import numpy as np

        # One BLAS thread (rag/blas.py): the product then takes ~0.9 ms; multiply-and-sum, the earlier
        # workaround for BLAS threads fighting torch's, ~5 ms.
        with one_blas_thread():
            return self.matrix @ np.asarray(vector, dtype=np.float32)

    def best_per_clause(self, vector) -> tuple[dict[str, float], dict[str, str]]:
        """Per clause: the best cosine among its vectors, and the text of that vector."""
        import numpy as np

        if not self.keys:
            return {}, {}
        sims = self._cosines(vector)
        best = np.maximum.reduceat(sims, self.starts)
        # Each clause's first row holding its best cosine, without a Python loop over clauses (the loop
        # took ~4 ms a call, three or six calls a question).
        lengths = np.diff(np.append(self.starts, len(sims)))
        rows = np.arange(len(sims))
        arg = np.minimum.reduceat(np.where(sims >= np.repeat(best, lengths), rows, len(sims)), self.starts)
        return (dict(zip(self.clause_keys, best.tolist())),
                {k: self.texts[a] for k, a in zip(self.clause_keys, arg.tolist())})

    def nearest(self, vector) -> tuple[float, str]:
        import numpy as np

        if not self.keys:
            return 0.0, ""
        sims = self._cosines(vector)
        i = int(np.argmax(sims))
        return float(sims[i]), self.texts[i]


class IndexVectors(NamedTuple):
    """The index's vectors, each grouped by the clause it points to."""

    clauses: Vectors  # clause text (with its heading path)
    example: Vectors  # example questions
    not_covered: Vectors  # topics the documents do not answer
    concern: Vectors  # situations that need the safeguarding route
    sentences: Vectors  # each clause's sentences
    personal_data: Vectors  # requests for information about identifiable pupils, families or staff
    privacy_counter: Vectors  # rule questions in the same words as such requests
    concern_counter: Vectors  # rule questions in the same words as concerns


@dataclass
class Lookup:
    """A question asking for a clause by its number."""

    number: str
    doc_id: str | None
    hits: list[Hit] = field(default_factory=list)  # the clause itself, if it exists
    nearest: list[Hit] = field(default_factory=list)  # otherwise the nearest real ones


# Look-ups: a message holding the number of a clause or paragraph shows it first, whatever the words
# around it ("can you pull up 6.4.2 for me", "KCSIE para 140", "working together paragraph 4",
# "paragraph 140"). A number is read as a look-up when it names an existing clause, or when the words
# say it is one (a "para"/"clause"/"section" word, a document name right before it, or little else
# in the message); then a number that does not exist says so. "3.30 pm" and "year 6" are not look-ups.
_NOT_A_CLAUSE_AFTER = r"(?!\s*(?:am|pm|%|hours?|hrs?|mins?|minutes?|days?|weeks?|months?|years?|yrs?|times|o'?clock|kg|km|m)\b)"
LOOKUP_DOTTED = re.compile(r"(?<![\d.£$])(\d{1,2}(?:\.\d{1,2}){1,2})(?![\d.]*\d)" + _NOT_A_CLAUSE_AFTER, re.I)
LOOKUP_PARA = re.compile(r"(?:\b(?:para(?:graph)?s?|clause|point|part|item|rule)\.?|§|¶)\s*(\d{1,3}(?:\.\d{1,2}){0,2})(?![\d.]*\d)"
                         + _NOT_A_CLAUSE_AFTER, re.I)
# "section 6.3" is the policy's; "section 47" is usually the Children Act (a section 47 enquiry), so a
# plain section number is a look-up only when the message names the policy.
LOOKUP_SECTION = re.compile(r"\bsect(?:ion)?s?\.?\s*(\d{1,2}(?:\.\d{1,2}){0,2})(?![\d.]*\d)", re.I)
MENTIONS_POLICY = re.compile(r"\bpolicy\b", re.I)
LOOKUP_WORDS = re.compile(
    r"^\s*(what('?s| is| does| do)?|show( me)?|read( me)?|quote|tell me( about| what)?|look up|find|explain|and|whats?|wat)?\s*"
    r"(the\s+)?(policy\s+)?((clause|section|para(graph)?|point|rule|number|§)\s*)?"
    r"\d{1,3}(\.\d{1,2}){0,2}\s*(of (the )?[a-z]+( [a-z]+)?( \d{4})?)?\s*(say|says|mean|about|cover|covers)?\s*\??\s*$",
    re.I,
)
LOOKUP_MAX_WORDS = 6  # "whats 5.8 about" is a look-up; a longer question needs a look-up word or a real clause


class Retriever:
    def __init__(self, index: Index, weights: FusionWeights | None = None):
        self.index = index
        self.weights = weights or FusionWeights()
        self.by_key: dict[str, list[Clause]] = defaultdict(list)
        for c in index.clauses:
            self.by_key[c.key].append(c)
        self.order = {key: i for i, key in enumerate(self.by_key)}
        self.policy_ids = {d.id for d in index.documents.values() if d.kind == "policy" and d.held}
        self.with_questions = {q.key for q in index.questions if q.doc_id}
        # The school policy's unnumbered sections ("Key Details"), which people ask for by name.
        self.policy_sections = [k for k, parts in self.by_key.items()
                                if parts[0].doc_id in self.policy_ids and not parts[0].numbered]
        # Held guidance with clauses, in manifest order (look-ups of a plain paragraph number search these).
        with_clauses = {parts[0].doc_id for parts in self.by_key.values()}
        self.guidance_ids = [d for d in index.documents if d not in self.policy_ids and d in with_clauses]
        # The names people use for each held document ("KCSIE", "working together"): manifest.toml's aliases.
        self.aliases = [(re.compile(r"\b(" + "|".join(r"\s+".join(map(re.escape, a.split())) for a in d.aliases) + r")\b", re.I), d.id)
                        for d in index.documents.values() if d.aliases and d.id in with_clauses]

    # ------------------------------------------------------------ lazily built parts

    @property
    def embeddings(self):
        return self.index.embeddings

    @cached_property
    def _bm25(self):
        import bm25s
        import Stemmer

        stemmer = Stemmer.Stemmer("english")
        keys = list(self.by_key)
        corpus = [f"{self.by_key[k][0].heading} {self.by_key[k][0].clause if self.by_key[k][0].numbered else ''} "
                  + " ".join(p.text for p in self.by_key[k]) for k in keys]
        ret_c = bm25s.BM25()
        ret_c.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
        qs = self.index.questions
        ret_q = bm25s.BM25()
        ret_q.index(bm25s.tokenize([q.question for q in qs] or ["empty"], stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
        return stemmer, keys, ret_c, qs, ret_q

    @cached_property
    def _vectors(self) -> "IndexVectors":
        questions = self.index.vectorstore("questions")
        try:
            sentences = self.index.vectorstore("sentences")
        except Exception:  # a build from before sentences were indexed: no sentence signal until re-ingest
            sentences = None
        return IndexVectors(clauses=Vectors(self.index.vectorstore("clauses")),
                            example=Vectors(questions, {"kind": "example"}),
                            not_covered=Vectors(questions, {"kind": "not_covered"}),
                            concern=Vectors(questions, {"kind": "concern"}),
                            sentences=Vectors(sentences),
                            personal_data=Vectors(questions, {"kind": "personal_data"}),
                            privacy_counter=Vectors(questions, {"kind": "privacy_counter"}),
                            concern_counter=Vectors(questions, {"kind": "concern_counter"}))

    def warm(self) -> None:
        """Load the model, stores and BM25 now, so the first question is as fast as the rest."""
        self.embeddings.embed_query("warm up")
        _ = self._bm25, self._vectors

    # ------------------------------------------------------------ clause lookup

    def named_documents(self, text: str) -> list[str]:
        """The held documents a message names by one of their aliases ("KCSIE", "working together"), in
        manifest order."""
        return [d for rx, d in self.aliases if rx.search(text)]

    def _numbered_in(self, number: str, doc_ids: list[str]) -> list[str]:
        """Keys of the clause with this number in these documents, or of the clauses of a section
        with this number ("section 6.3" -> 6.3.1, 6.3.2, ...)."""
        exact = [f"{d}#{number}" for d in doc_ids if f"{d}#{number}" in self.by_key]
        if exact:
            return exact
        for d in doc_ids:
            section = [k for k in self.by_key if k.startswith(f"{d}#{number}.")]
            if section:
                return section
        return []

    def lookup(self, question: str) -> Lookup | None:
        q = question.strip()
        named = self.named_documents(q)
        policy = sorted(self.policy_ids)
        guidance = self.guidance_ids
        short = len(q.split()) <= LOOKUP_MAX_WORDS or bool(LOOKUP_WORDS.match(q))
        # A document name right before a number ("kcsie 172", "working together 2023 para 4").
        doc_number = None
        for rx, _ in self.aliases:
            for m in rx.finditer(q):
                after = re.match(r"(?:\s+20\d\d)?\s*,?\s*(?:(?:para(?:graph)?s?|§|¶|p)\.?\s*)?(\d{1,3})(?![\d.]*\d)" + _NOT_A_CLAUSE_AFTER,
                                 q[m.end():], re.I)
                if after:
                    doc_number = doc_number or after.group(1)
        candidates: list[tuple[str, bool]] = []  # (number, the words say it is a look-up)
        if doc_number:
            candidates.append((doc_number, True))
        candidates += [(m.group(1), True) for m in LOOKUP_PARA.finditer(q)]
        names_policy = bool(MENTIONS_POLICY.search(q)) and not named
        candidates += [(m.group(1), "." in m.group(1) or names_policy) for m in LOOKUP_SECTION.finditer(q)
                       if "." in m.group(1) or names_policy]
        candidates += [(m.group(1), short) for m in LOOKUP_DOTTED.finditer(q)]
        if not candidates:
            # An unnumbered section of the policy asked for by its heading ("whats in the key details bit").
            lowered = " ".join(q.lower().split())
            named_sections = [k for k in self.policy_sections if self.by_key[k][0].clause.lower() in lowered]
            if named_sections:
                key = named_sections[0]
                return Lookup(self.by_key[key][0].clause, self.by_key[key][0].doc_id, hits=[self._hit(key)])
        first_cued = None
        for number, cued in candidates:
            dotted = "." in number
            # Dotted numbers are the policy's; plain ones the guidance's paragraphs (the policy has none),
            # unless the message names a document.
            doc_ids = named or (policy if dotted or names_policy else guidance)
            keys = self._numbered_in(number, doc_ids)
            if keys:
                return Lookup(number, keys[0].split("#")[0], hits=[self._hit(k) for k in keys])
            if cued and first_cued is None:
                first_cued = (number, doc_ids)
        if first_cued is None:
            return None
        number, doc_ids = first_cued
        return Lookup(number, doc_ids[0] if doc_ids else None, nearest=self._nearest(number, doc_ids))

    def _nearest(self, number: str, doc_ids: list[str]) -> list[Hit]:
        def as_tuple(s: str) -> tuple[int, ...]:
            return tuple(int(x) for x in s.split(".") if x.isdigit())

        target = as_tuple(number)
        cands = [k for k in self.by_key if k.split("#")[0] in doc_ids and re.fullmatch(r"[\d.]+", k.split("#")[1])]
        # Same parent section first (2.1 -> 2.2, 2.3), then closest by number.
        def dist(k: str) -> tuple:
            t = as_tuple(k.split("#")[1])
            common = 0
            for a, b in zip(t, target):
                if a != b:
                    break
                common += 1
            return (-common, abs((t + (0, 0, 0))[len(target) - 1] - target[-1]) if len(t) >= len(target) else 99, t)

        ranked = sorted(cands, key=dist)
        siblings = [k for k in ranked if dist(k)[0] <= -(len(target) - 1)]
        return [self._hit(k) for k in (siblings or ranked)[:3]]

    def _hit(self, key: str) -> Hit:
        parts = self.by_key[key]
        return Hit(parts[0].doc_id, parts[0].clause, parts, score=1.0, dense_c=1.0, dense_q=1.0)

    @cached_property
    def texts(self) -> list[str]:
        """Every clause's text (split paragraphs joined), e.g. for word statistics."""
        return [self._hit(k).text for k in self.by_key]

    def clause(self, doc_id: str, clause: str) -> Hit | None:
        key = f"{doc_id}#{clause}"
        return self._hit(key) if key in self.by_key else None

    # ------------------------------------------------------------ hybrid search

    def not_covered_similarity(self, vector: list[float]) -> tuple[float, str]:
        """Cosine to the nearest "not covered" example (a topic the documents do not answer)."""
        return self.nearest_example("not_covered", vector)

    def nearest_example(self, kind: str, vector: list[float]) -> tuple[float, str]:
        """Cosine to, and text of, the nearest indexed example of one kind (see `examples`)."""
        return getattr(self._vectors, kind).nearest(vector)

    def examples(self, kind: str) -> tuple[list[str], "numpy.ndarray"]:
        """Texts and vectors of one kind of indexed example: example | not_covered | concern |
        personal_data | privacy_counter | concern_counter."""
        v = getattr(self._vectors, kind)
        return v.texts, v.matrix

    def search(self, question: str, audience: str | None = None, k: int = 5, vector: list[float] | None = None,
               also: list[list[float]] = ()) -> list[Hit]:
        """`also`: vectors of other readings of the question (short forms spelled out); each clause
        keeps its best cosine over all readings."""
        w = self.weights
        if vector is None:
            vector = self.embeddings.embed_query(question)
        vectors = self._vectors
        clause_vectors, question_vectors, sentence_vectors = vectors.clauses, vectors.example, vectors.sentences
        dense_c, _ = clause_vectors.best_per_clause(vector)
        dense_q, matched = question_vectors.best_per_clause(vector)
        dense_s, matched_s = sentence_vectors.best_per_clause(vector)
        for v in also:
            more_c, _ = clause_vectors.best_per_clause(v)
            more_q, more_matched = question_vectors.best_per_clause(v)
            more_s, more_matched_s = sentence_vectors.best_per_clause(v)
            for key, s in more_c.items():
                dense_c[key] = max(dense_c.get(key, 0.0), s)
            for key, s in more_s.items():
                if s > dense_s.get(key, 0.0):
                    dense_s[key], matched_s[key] = s, more_matched_s[key]
            for key, s in more_q.items():
                if s > dense_q.get(key, 0.0):
                    dense_q[key], matched[key] = s, more_matched[key]
        hits: dict[str, Hit] = {}

        def hit(key: str) -> Hit | None:
            if key not in self.by_key:
                return None
            if key not in hits:
                parts = self.by_key[key]
                hits[key] = Hit(parts[0].doc_id, parts[0].clause, parts)
            return hits[key]

        # Candidates: the best clauses on each signal; each then gets its score on every signal.
        for scores in (dense_c, dense_q, dense_s):
            for key in sorted(scores, key=scores.__getitem__, reverse=True)[: w.candidates]:
                hit(key)

        import bm25s

        stemmer, keys, ret_c, qs, ret_q = self._bm25
        tokens = bm25s.tokenize([expand(question)], stopwords="en", stemmer=stemmer, show_progress=False)
        if tokens.ids and tokens.ids[0]:
            docs, scores = ret_c.retrieve(tokens, k=min(w.candidates, len(keys)), show_progress=False)
            top = float(scores[0][0]) or 1.0
            for i, s in zip(docs[0], scores[0]):
                if s > 0 and (h := hit(keys[int(i)])):
                    h.bm25_c = float(s) / top
            if qs:
                docs, scores = ret_q.retrieve(tokens, k=min(w.candidates, len(qs)), show_progress=False)
                top = float(scores[0][0]) or 1.0
                for i, s in zip(docs[0], scores[0]):
                    q = qs[int(i)]
                    if s > 0 and (h := hit(q.key)):
                        h.bm25_q = max(h.bm25_q, float(s) / top)

        lowered = " ".join(question.lower().split())
        named_sections = {k for k in self.policy_sections if self.by_key[k][0].clause.lower() in lowered}
        for key in named_sections:
            hit(key)
        for key, h in hits.items():
            h.dense_c = dense_c.get(key, 0.0)
            h.dense_q = dense_q.get(key, 0.0)
            h.dense_s = dense_s.get(key, 0.0)
            h.matched_sentence = matched_s.get(key, "")
            h.matched_question = matched.get(key, "")

        asks_guidance = (bool(GUIDANCE_WORDS.search(question) or DUTY_WORDS.search(question))
                         or not POLICY_SUBJECT.search(question))
        named = set() if NAMES_THE_POLICY.search(question) else set(self.named_documents(question))
        school = self.index.school
        term = definition_term(question)
        qtype = question_type(question)
        for h in hits.values():
            dense_q, bm25_q = h.dense_q, h.bm25_q
            if w.cold_dense_offset is not None and h.key not in self.with_questions:
                # For ranking only: `relevance` (is anything here at all?) stays on what was measured.
                dense_q = h.dense_c + w.cold_dense_offset if h.dense_c else 0.0
                bm25_q = w.cold_bm25 * h.bm25_c
            s = (w.dense_c * h.dense_c + w.dense_q * dense_q + w.bm25_c * h.bm25_c + w.bm25_q * bm25_q
                 + w.dense_s * h.dense_s)
            if h.doc_id not in self.policy_ids:
                s *= w.guidance_prior_when_asked if asks_guidance else w.guidance_prior
            elif school.speaks_to(audience, h.clause):
                s += w.audience_bonus
            if named and h.doc_id not in named:
                s *= w.unnamed_doc_prior
            if term and defines(h.text, term):
                s += w.definition_bonus
            if h.key in named_sections:
                s += w.named_section_bonus
            if qtype is not None and states_definitely(qtype, h.text):
                s += w.definite_answer_bonus
            h.score = s
        ranked = sorted(hits.values(), key=lambda h: (-h.score, self.order.get(h.key, 0)))
        return ranked[:k]
