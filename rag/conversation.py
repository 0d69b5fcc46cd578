"""Stage: search, in the conversation's context. A follow-up ("does that go for after school club too?")
is searched with the question before it; what counts as a follow-up is rag/follow_up.py's to say.
"""
from __future__ import annotations

from dataclasses import dataclass

from rag.follow_up import STANDS_ALONE, blend, leans_wholly, new_setting, role_swapped
from rag.retrieve import Hit, Retriever

SEARCH_K = 60  # candidates kept for scope, routes and composition


@dataclass
class Searched:
    hits: list[Hit]
    text: str  # what was searched: the message, or the message with the previous question
    vector: list[float]
    in_context: bool  # the previous question was used


@dataclass
class Conversation:
    retriever: Retriever

    def search(self, own: str, audience: str | None, vector, also, previous: str, previous_vector) -> Searched:
        """A follow-up is searched in the previous question's context unless it finds a good answer as typed
        (rag/follow_up.py)."""
        hits = self.retriever.search(own, audience, k=SEARCH_K, vector=vector, also=also)
        if not previous or (hits and hits[0].relevance >= STANDS_ALONE):
            return Searched(hits, own, vector, False)
        swapped = role_swapped(own, previous)
        if swapped:
            v = self.retriever.embeddings.embed_query(swapped)
            return Searched(self.retriever.search(swapped, audience, k=SEARCH_K, vector=v), swapped, v, True)
        if new_setting(own) or leans_wholly(own):
            # "does that go for after school club too?", "how long can they keep it?": the previous question
            # again, in a new setting or with a new ask.
            text, v = f"{previous} {own}", blend(previous_vector, vector)
            return Searched(self.retriever.search(text, audience, k=SEARCH_K, vector=v), text, v, True)
        text = f"{own} {previous}"
        v = blend(vector, previous_vector)
        return Searched(self.retriever.search(text, audience, k=SEARCH_K, vector=v, also=[blend(a, previous_vector) for a in also]),
                        text, v, True)
