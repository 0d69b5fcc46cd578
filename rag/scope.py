"""Stage: is the question within what the documents cover? Another policy the school has but we don't hold,
a document the manifest names but we don't hold, and the documents' own subject words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rag.answer import content_terms
from rag.documents import DocumentInfo
from rag.glossary import expand
from rag.other_policies import NamedPolicy, find_named_policies
from rag.retrieve import Retriever

# "what is the uniform policy": another policy, named by the word before "policy".
OTHER_POLICY = re.compile(r"\b([a-z][a-z'-]+) polic(?:y|ies)\b", re.I)
NOT_A_NAME = {"the", "this", "your", "ur", "our", "a", "an", "school", "school's", "schools", "any", "which", "what",
              "that", "their", "its", "own", "new", "current", "whole", "same", "his", "her", "my", "official", "these"}


# Title and heading words that name no subject of their own.
GENERIC_WORDS = content_terms("policy guidance expectations scope links monitoring review responding breaches use aims "
                              "statutory departmental advice schools colleges education children keeping guide "
                              "staff learners parents carers visitors multi agency working together help promote officially "
                              "provided personal other reputation communicating")


CONTACT_NUMBER = re.compile(r"\b(mobile|phone|telephone|home|contact|landline)( phone)? (numbers?|no\.?|details)\b", re.I)


@dataclass
class Scope:
    retriever: Retriever
    documents: dict[str, DocumentInfo]

    @cached_property
    def scope_terms(self) -> set[str]:
        """The documents' subject words: the held documents' titles and the policy's numbered section headings,
        without the people they address and the words every title has."""
        held = {h.doc_id for k in self.retriever.by_key if (h := self.retriever.clause(*k.split("#", 1)))}
        titles = [re.sub(r"\(.*?\)", " ", d.title) for d in self.documents.values() if d.id in held]
        headings = {h.parts[0].heading for k in self.retriever.by_key
                    if (h := self.retriever.clause(*k.split("#", 1))) and h.doc_id in self.retriever.policy_ids
                    and h.parts[0].numbered}
        words = content_terms(" ".join([*titles, *headings])) - GENERIC_WORDS
        return {w for w in words if not any(ch.isdigit() for ch in w)}

    def in_scope(self, question: str) -> bool:
        # "my mobile number has changed": a phone number is contact details (the office's business), not a device.
        return bool(content_terms(expand(CONTACT_NUMBER.sub(" ", question))) & self.scope_terms)

    @cached_property
    def document_words(self) -> set[str]:
        return content_terms(" ".join(self.retriever.texts))

    def other_policy(self, text: str) -> str:
        """The name of a policy the question asks about whose name the documents never use
        ("uniform", "homework"): they cannot say what it contains. Policies they do name (behaviour,
        anti-bullying, image use) are searched as usual."""
        for m in OTHER_POLICY.finditer(text):
            name = m.group(1).lower()
            if name not in NOT_A_NAME and not content_terms(name) <= self.document_words:
                return name
        return ""

    @cached_property
    def named_policies(self) -> list[NamedPolicy]:
        """The other policies the school's policy names, with the clauses that name them."""
        return find_named_policies((h.key, h.text) for k in self.retriever.by_key
                                   if (h := self.retriever.clause(*k.split("#", 1))) and h.doc_id in self.retriever.policy_ids)

    @cached_property
    def not_held_aliases(self) -> list[tuple[re.Pattern[str], DocumentInfo]]:
        """The documents the manifest lists but does not hold (an edition the policy names, the edition now in
        force), by the names people use for them."""
        out = []
        for d in self.documents.values():
            if not d.held and d.aliases:
                names = ["[\\s,]+".join(re.findall(r"[a-z0-9]+", a.lower())) for a in d.aliases]
                out.append((re.compile(r"\b(" + "|".join(names) + r")\b", re.I), d))
        return out

    def not_held_named(self, text: str) -> str:
        """First lines for a question that names a document not held: say so, with its publication page."""
        lines = []
        for rx, d in self.not_held_aliases:
            if rx.search(text):
                page = f" Its publication page: {d.source}" if d.source else ""
                lines.append(f"_I don't hold {d.short_title} ({d.edition}).{page} What the documents I hold say:_")
        return "\n\n".join(lines) + "\n\n" if lines else ""
