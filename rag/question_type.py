"""What kind of answer a question wants (a time, a length of time, a number, a person, a yes/no rule),
and whether a sentence gives that kind of answer.

Why: the lead line is the sentence people read. For "when do we get the phone back?" a sentence with no
time in it ("held in a secure place and released to parents/carers") reads as an answer it is not; the
composer then says plainly that the documents don't give one (rag/answer.py). Written by hand: these are
a few dozen English cue words, which no maintained library classifies for us offline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_WORDS = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|a|an|a few|several)"
_UNITS = r"(working |school |calendar |clear )?(days?|weeks?|months?|years?|hours?|minutes?|terms?|half[- ]terms?)"


@dataclass(frozen=True)
class QuestionType:
    name: str  # when | how long | how often | how many | who | whether
    asks: re.Pattern[str]
    answered_by: re.Pattern[str]
    phrase: str  # "doesn't say {phrase}"


TYPES = (
    QuestionType(
        "how long",
        re.compile(r"\bhow long\b|\bfor how many (days|weeks|months|years|hours)\b|\buntil when\b|\bhow many (days|weeks|months|years|hours)\b|"
                   r"\b(the )?(longest|maximum (time|period|length))\b.{0,60}\b(take|last|keep|wait|hold|be)\b", re.I),
        re.compile(rf"\b{_NUMBER_WORDS}\s+{_UNITS}\b|\buntil\b|\bend of the\b|\bimmediately\b|\bwithin\b|\bno longer than\b|"
                   r"\bfor as long as\b|\bpermanent(ly)?\b|\bindefinitely\b|\bretain\w*\b|\bat least\b", re.I),
        "how long",
    ),
    QuestionType(
        "when",
        re.compile(r"^\s*(so\s+)?(when|what time|by when|how soon|what day|what date)\b|\bwhen (do|does|did|will|would|can|could|should|is|are|must|am|shall)\b|"
                   r"\b(how soon|what time|by when|how (fast|quickly|promptly))\b|\bwhat('?s| is) the (deadline|time ?(limit|frame|scale))\b", re.I),
        re.compile(rf"\b(immediately|straight away|without delay|promptly|as soon as|within|by the end|end of the|before|after|until|"
                   r"during|on arrival|at the (start|end|beginning)|when|whenever|once|annually|yearly|termly|each term|every|"
                   r"regularly|at least|today|tomorrow|same day|in advance|prior to|following|on (entry|arrival|site)|"
                   rf"monday|tuesday|wednesday|thursday|friday|september|january|april|{_NUMBER_WORDS}\s+{_UNITS})\b", re.I),
        "when",
    ),
    QuestionType(
        "how often",
        re.compile(r"\bhow (often|frequently|regularly)\b", re.I),
        re.compile(r"\b(annual(ly)?|yearly|termly|each (term|year|half[- ]term)|every|regular(ly)?|at least|once|twice|daily|weekly|"
                   r"monthly|\d+ times|continu(al|ous)ly|ongoing|whenever|refresher|updates?)\b", re.I),
        "how often",
    ),
    QuestionType(
        "how many",
        re.compile(r"\bhow (many|much)\b", re.I),
        re.compile(r"\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|all|every|each|at least|no more than|"
                   r"maximum|minimum|annually|termly|regularly|once|twice)\b", re.I),
        "how many",
    ),
    QuestionType(
        "who",
        re.compile(r"^\s*(so\s+)?(who|whom|who's|whos|whose)\b|\bwho (do|does|should|can|could|will|would|is|are|must|decides|checks|approves)\b|"
                   r"\bwhich (person|member|staff|teacher|adult|people|agency|body)\b", re.I),
        re.compile(r"\b(dsl|designated safeguarding leads?|deputy|head ?teacher|head|principal|governors?|governing bod(y|ies)|"
                   r"proprietors?|staff|teachers?|parents?|carers?|police|lado|designated officers?|local authority|social (care|workers?)|"
                   r"the school|leaders?|leadership|senco|sendco|trust|safeguarding partners|learners?|pupils?|children|"
                   r"[A-Z][a-z]+ [A-Z][a-z-]+)\b"),
        "who",
    ),
)


# A passage that states a definite time, length of time or frequency ("within one working day", "no longer
# than 45 working days", "at least annually"), as opposed to one that only speaks of timing ("promptly",
# "when", "before"). For ranking: among passages on the subject asked about, the one that gives the figure
# answers "how long / how fast / how often" (rag/retrieve.py).
DEFINITE = {
    "how long": re.compile(rf"\b{_NUMBER_WORDS}\s+{_UNITS}\b|\bno longer than\b|\bindefinitely\b|\buntil (the )?end of\b", re.I),
    "when": re.compile(rf"\b{_NUMBER_WORDS}\s+{_UNITS}\b|\b(immediately|without delay|straight away|same day)\b", re.I),
    "how often": re.compile(r"\b(annual(ly)?|yearly|termly|each (term|year)|every (term|year|\w+ (years|months))|"
                            r"at least (once|annually|every)|once (a|every|per)|twice|\d+ times)\b", re.I),
}


def states_definitely(qtype: QuestionType | None, text: str) -> bool:
    """The passage gives the definite figure a how-long / when / how-often question asks for."""
    rx = DEFINITE.get(qtype.name) if qtype else None
    return bool(rx and rx.search(text))


def question_type(question: str) -> QuestionType | None:
    """The first type whose cue the question holds ("how long" before "when": "how long until...")."""
    return next((t for t in TYPES if t.asks.search(question)), None)


def gives(qtype: QuestionType | None, sentence: str) -> bool:
    return qtype is None or bool(qtype.answered_by.search(sentence))


# Buying, booking and paying (the price of breakfast club, ordering the class photo, paying for a trip): school
# admin that policy and guidance never answer. A passage about breakfast clubs or photos is not an answer to
# "how much is it?" unless it names a price or says how to pay, order or book.
PURCHASE = re.compile(
    r"\bhow much (does|do|will|would|did)\b.{0,40}\b(cost|charge|pay)\b|\bhow much (is|are|was) (it|they|that|this|one|each)\b(?! \w+ing)|"
    # "how much is breakfast club a week", "how much are the photos each": a price by the period or the item
    r"\bhow much (is|are|was|were|does|do)\b(?!.{0,40}\b(too|time|screen|use|usage|data|training)\b).{0,40}\b((a|per|each) (week|day|term|month|year|session|night|child|pupil|copy|print)|each)\b|"
    r"\b(price|prices|fee|fees|cost of|charge for|charged for|pay for|paying for|payment|refund\w*)\b|"
    r"\bhow (do|can|would|should|will) (i|we) (order|buy|purchase|book|pay)\b|\bwhere (do|can) (i|we) (order|buy|purchase|book|pay)\b|"
    r"\bbuy(ing)?\b|\bpurchas\w*",
    re.I,
)
PURCHASE_ANSWERED = re.compile(r"£|\b(free of charge|charg(e|ed|es|ing)|pay(s|ing|ment|ments)?|paid|costs?|price\w*|fees?|"
                               r"purchas\w*|buy\w*|bought|order(ed|ing)?|book(ed|ing))\b", re.I)
# "do we have to pay if it gets smashed?" is about who bears a loss: a passage on responsibility answers it.
LOSS = re.compile(r"\b(smash\w*|broke\w*|break\w*|damag\w*|lost|los(e|ing|s)|stolen|steal\w*|crack\w*)\b", re.I)
LOSS_ANSWERED = re.compile(r"\b(responsib\w*|liab\w*|risk|loss|damage\w*)\b", re.I)


def asks_to_buy(question: str) -> bool:
    return bool(PURCHASE.search(question))


def says_how_to_buy(text: str, question: str) -> bool:
    return bool(PURCHASE_ANSWERED.search(text) or (LOSS.search(question) and LOSS_ANSWERED.search(text)))
