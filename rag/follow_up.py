"""Is a message a follow-up to the previous question, and how is it searched in that context?

A follow-up is elliptical: it leans on the previous turn for its subject ("and can i put them on the
school facebook?", "how long can they keep it", "does that go for after school club too"). It is
searched as its own words in the previous question's context: its vector is blended with the previous
question's, the new words weighing twice the old (FOLLOW_UP_CONTEXT_WEIGHT), and keyword search sees
both. One that only moves the last question to a new setting, or has no subject of its own, is the
previous question again: there the weights are the other way round. A message that stands on its own
("who is the DSL?") is searched as typed, even mid-conversation.

Written by hand: a few English cues for ellipsis and back-reference; no maintained library resolves
them offline for short chat messages.
"""
from __future__ import annotations

import re

import numpy as np

from rag.answer import STOP_WORDS, content_terms, stem
from rag.glossary import expand
from rag.tuned import TUNED

# The weight of the previous question's vector against the follow-up's own (1.0). Measured on the
# multi-turn dev set (evals/multiturn/) and on standalone questions asked after an unrelated one.
FOLLOW_UP_CONTEXT_WEIGHT = TUNED.follow_up.context_weight
# A follow-up that the documents answer well as typed (its best passage at least this relevant) stands
# on its own, even though it has a follow-up's cues ("can parents film the nativity and put it on
# facebook?"). Below it, the message is searched in the previous question's context. Measured on
# standalone dev questions asked after an unrelated one: their answers are as good as asked alone.
STANDS_ALONE = TUNED.follow_up.stands_alone
# Longer messages carry their own subject; a back-reference in them is rarely to the previous turn.
MAX_FOLLOW_UP_WORDS = 14

# Opening words that continue a conversation: "and if they refuse?", "ok so what do i use then".
CONTINUES = re.compile(
    r"^\s*(and|but|also|plus|ok(ay)?|so|then|right|oh|what about|wat about|how about|what if|wat if|and if|same for|"
    r"even if|except|unless|instead|as well)\b", re.I)
# Words that point back to something said before: "them", "that", "she", "it" (but not the "it" of
# "is it ok to ...", which points forward).
POINTS_BACK = re.compile(
    r"\b(them|they|theyre|they're|theyve|that|those|these|she|he|her|him|his|hers|there|one|ones|same|either)\b|"
    r"\bit\b(?!\s+(ok|okay|alright|right|fine|true|illegal|legal|allowed|possible|against|worth|necessary|compulsory|"
    r"mandatory|required|the law|my|a|an|the|to|for)\b)", re.I)
# Closing words that mark a continuation: "... tho", "... as well", "... too".
ENDS_AS_CONTINUATION = re.compile(r"\b(tho|though|then|as well|too|also|either|instead|anyway)\s*[?!.]*\s*$", re.I)
# A short question ending on a preposition leans on what came before: "how long for?", "who to?".
DANGLING = re.compile(r"\b(for|to|with|about|from)\s*[?!.]*\s*$", re.I)
# A short message that is a question of its own: "who is the DSL?".
OWN_QUESTION = re.compile(r"^\s*(who|what|whats|when|where|why|how|which|can|could|may|should|is|are|am|do|does|will|would)\b", re.I)


def is_follow_up(text: str) -> bool:
    """Does this message lean on the previous one for its subject?"""
    words = text.split()
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return False
    if CONTINUES.search(text) or ENDS_AS_CONTINUATION.search(text):
        return True
    if len(words) <= 4 and (not OWN_QUESTION.match(text) or DANGLING.search(text)):
        return True  # a fragment: "visitors?", "in the toilets", "how long for?"
    return bool(POINTS_BACK.search(text))


def blend(own: list[float], previous: list[float], weight: float = FOLLOW_UP_CONTEXT_WEIGHT) -> list[float]:
    """The follow-up's vector moved towards the previous question's: its new subject, in the old context."""
    v = np.asarray(own, dtype=float) + weight * np.asarray(previous, dtype=float)
    return (v / (np.linalg.norm(v) or 1.0)).tolist()


# "what about visitors?" after "can staff use their phones in class?": a role swapped into the previous
# question reads better than a blend.
ROLE = re.compile(r"\b(staff|teachers?|tas|teaching assistants?|parents?|carers?|visitors?|volunteers?|contractors?|pupils?|"
                  r"children|kids?|learners?|students?|governors?|supply teachers?)\b", re.I)
_SUBJECT = re.compile(r"^\s*(and|but|also)?\s*(what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$|^\s*(and|also)\s+(?P<y>.+?)\s*\??\s*$", re.I)


def role_swapped(text: str, previous: str) -> str:
    """The previous question with the follow-up's role in it, or "" when the follow-up is not a role."""
    m = _SUBJECT.match(text)
    subject = (m.group("x") or m.group("y") or "").strip() if m else ""
    if subject and ROLE.search(subject) and ROLE.search(previous) and len(subject.split()) <= 4:
        return ROLE.sub(subject, previous.strip().rstrip("?"), count=1) + "?"
    return ""


# Words that frame a question rather than name its circumstance ("would", "happen", "allowed").
_FRAME = set("""happen happens happened allowed allow ok okay alright fine need needs tell know go goes going get gets
still well tho though long often much many time times thing things stuff actually really mean means do does did make
same anything anyone anybody someone somebody something way just right instead anyway case like want wants would could
should will can may might must got say says said ask asked check checked use used put onto into back there then
yeah yes no not what whats""".split())
_TOKEN = re.compile(r"[a-z0-9']+")


# A setting is a short phrase: "what about the photocopier, who fixes it" asks something else.
MAX_SETTING_WORDS = 6
# A follow-up that moves the last answer to a new setting: "what about on the residential?", "does that
# go for after school club too", "what if it's at the swimming gala". The setting is group "x".
NEW_SETTING = re.compile(
    r"^\s*(?:and |but |so |ok |okay |oh )?(?:what|wat|how) about (?P<x>.+?)\s*(?:then|tho|though|too|as well|also)?\s*[?!.]*\s*$|"
    r"\b(?:does|do|would|will|is|are|should) (?:that|this|it|they|the (?:same )?rules?) (?:go|apply|count|stand|work|be the same|"
    r"still apply|still count)(?: for| to| at| in| on| during| with)? (?P<y>.+?)\s*(?:too|as well|also)?\s*[?!.]*\s*$|"
    r"\bwhat if (?:it'?s|it is|it was|its|we'?re|they'?re|we are|they are) (?P<z>(?:on|at|in|during|for|out on) .+?)\s*[?!.]*\s*$",
    re.I)



def _subject_words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS and w not in _FRAME and len(w) > 2 and not w.isdigit()]


def leans_wholly(text: str) -> bool:
    """A follow-up with at most one word of its own subject ("how long can they keep it for", "and if
    they refuse?"): its subject is the previous question's."""
    return len(_subject_words(text)) <= 1


def new_setting(text: str) -> str:
    """The new setting a follow-up names ("after school club"), or ""."""
    m = NEW_SETTING.search(text)
    x = (m.group("x") or m.group("y") or m.group("z") or "").strip() if m else ""
    return x if x and "," not in x and len(x.split()) <= MAX_SETTING_WORDS else ""


def unmentioned(text: str, previous: str, cited_texts: list[str]) -> str:
    """The setting a follow-up moves the last answer to ("after school club", "the residential") when
    none of the cited passages mention it, nor the previous question, nor their glossary synonyms; ""
    otherwise, or when the follow-up names no new setting."""
    setting = new_setting(text)
    if not setting:
        return ""
    cited = set().union(*(content_terms(t) for t in cited_texts))
    before = content_terms(previous)
    words = _subject_words(setting)
    missing = [w for w in words if stem(w) not in cited | before and not (content_terms(expand(w)) & cited)]
    return " ".join(words) if missing else ""
