"""Screen a question before retrieval: input limits, prompt injection, personal data, escalation.

Escalation (a child may be at risk, indecent images, an adult contacting a child, a colleague
messaging a pupil, self-harm, exploitation) must not be missed: it is detected by broad patterns
and, for indirect wording, by similarity to short descriptions of such situations. A false alarm
costs a banner; a miss can cost a child.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 2000

# ---------------------------------------------------------------- escalation patterns
_CHILD = r"(child(ren)?|kids?|pupils?|students?|learners?|my (son|daughter|child|boy|girl)|(year|y) ?\d+|boy|girl|him|her|them|they|he|she)"
ESCALATION_PATTERNS = [
    # indecent images / sexual content
    r"\bnudes?\b", r"\bnaked\b", r"\bsemi[- ]?nudes?\b", r"\bindecent\b", r"\bsexting\b", r"\bsext(s|ed)?\b",
    r"\bexplicit (photo|pic|picture|image|video|message|content)s?\b", r"\btopless\b", r"\bdick pics?\b",
    r"\bchild (porn|abuse images?|sexual abuse)\b", r"\bcsam\b", r"\bporn(ography|ographic)?\b",
    r"\bsexual(ly)? (photo|pic|picture|image|video|message|content|abus\w*|assault\w*|harass\w*)",
    r"\b(rude|dirty|private|intimate|inappropriate|sexual) (photos?|pics?|pictures?|images?|selfies?|videos?) (of|from) (a |the |my |another )?" + _CHILD,
    r"\bupskirt\w*", r"\billegal (content|images?|photos?|material|videos?)\b",
    # grooming, an adult contacting a child, meeting
    r"\bgroom(ing|ed|s)?\b", r"\bsextort\w*", r"\bblackmail\w*",
    r"\b(asking|asked|ask|wants?|wanted|trying|tried|keeps?)\b.{0,30}\bto meet\b",
    r"\bmeet (up )?(with )?(an? |this |some )?(adult|stranger|man|woman|guy|older|someone (he|she|they) met online)",
    r"\b(adult|stranger|older (man|boy|guy|girl|woman)|grown[- ]up|man|woman|someone (he|she|they) (don'?t|doesn'?t) know)\b.{0,60}\b(messag\w*|dm\w*|text\w*|chat\w*|contact\w*|talking to|send|sent)\b",
    r"\b(asking|asked|ask|wants?|told|telling)\b.{0,30}\b(for|to send|send)\b.{0,20}\b(pics|photos|pictures|images|selfies|videos)\b",
    r"\bthreaten\w* to (share|post|send|leak)\b", r"\bkeep (it|this) (a )?secret\b", r"\bour (little )?secret\b",
    # harm, abuse, danger
    r"\b(being|been|was|is|getting|got) (abused|hurt|hit|beaten|touched|assaulted|raped)\b",
    r"\b(abus\w*|hurt\w*|hit\w*|beat\w*|touch\w*) (me|him|her|them|my (son|daughter|child))\b",
    r"\bsexual(ly)? abus\w*", r"\b(child )?abuse\b(?! policy)", r"\bneglect(ed)?\b", r"\bbruis\w*", r"\brape[ds]?\b",
    r"\bself[- ]?harm\w*", r"\bcutting (him|her|them|my)sel\w*", r"\b(kill|hurt\w*|harm\w*) (him|her|them|my|your)sel\w*",
    r"\bsuicid\w*", r"\bwants? to die\b", r"\bend (his|her|their|my) life\b",
    r"\b(immediate|in) danger\b", r"\bnot safe (at home|to go home)\b", r"\bscared to go home\b", r"\bafraid to go home\b",
    r"\b(ran|run(ning)?) away\b", r"\bmissing (child|pupil|girl|boy)\b",
    r"\bcounty lines\b", r"\btraffick\w*", r"\bexploit(ed|ation|ing)\b", r"\bradicali[sz]\w*", r"\bextremis\w*", r"\bfgm\b",
    r"\bforced marriage\b", r"\bcriminal offen[cs]e\b",
    # a member of staff and a pupil
    r"\b(teacher|staff|colleague|ta|coach|tutor|supply|member of staff|volunteer|caretaker|head)\b.{0,60}\b(messag\w*|dm\w*|text\w*|snap\w*|whatsapp\w*|contact\w*|add(ed|ing)?|follow\w*|friend\w*)\b.{0,40}\b(pupil|child|student|learner|kid|girl|boy|my (son|daughter))",
    r"\b(pupil|child|student|learner|kid|my (son|daughter))\b.{0,60}\b(messag\w*|dm\w*|text\w*|snap\w*|contact\w*)\b.{0,20}\bby (a |the |their |her |his )?(teacher|member of staff|ta|coach|tutor|colleague)\b",
    r"\b(illegal|indecent|child) (images?|content|photos?|videos?|material) on (his|her|their|a) (phone|laptop|device|computer)\b",
]
# Rule questions ("can staff message pupils?") are about the policy, not a report of a concern;
# these patterns alone do not escalate a question that is clearly hypothetical.
SOFT_PATTERNS = {ESCALATION_PATTERNS[-3], ESCALATION_PATTERNS[-2]}
RULE_QUESTION = re.compile(r"^\s*(can|may|should|could|is it (ok|okay|alright|allowed)|are (staff|teachers|we|they)|am i|do (staff|teachers|we)|what('s| is) the (rule|policy))\b", re.I)

# Short descriptions of situations that need the safeguarding route, for indirect wording.
ESCALATION_EXAMPLES = [
    "a child told me they are being abused",
    "a pupil showed me messages from an adult asking to meet them",
    "someone online is asking my child to send photos of themselves",
    "a colleague is messaging a pupil privately on social media",
    "a member of staff has indecent images of children on their phone",
    "a pupil is hurting themselves",
    "a child said they don't feel safe at home",
    "a child is in danger right now",
    "an older person online keeps contacting my daughter and told her to keep it secret",
    "pictures of a naked pupil are being shared around",
    "a pupil is being threatened online to send money or images",
    "a child has disclosed something worrying to me",
    "I am worried a child is being groomed",
    "a teacher gave my son their personal number and texts him",
]
ESCALATION_SIMILARITY = 0.62

INJECTION_PATTERNS = [
    r"\bignore\b.{0,40}\b(instructions?|rules|prompts?|guidelines|directions)\b",
    r"\bdisregard\b.{0,40}\b(instructions?|rules|prompts?|above|previous)\b",
    r"\bforget\b.{0,30}\b(instructions?|rules|prompts?|everything)\b",
    r"(^|\n|\b)(system|assistant|developer)\s*:", r"</?\s*(system|instructions?)\s*>", r"\[(system|inst)\]",
    r"\b(admin|developer|god|debug|jailbreak|dan|sudo|root|unrestricted) mode\b",
    r"\byou are (now|no longer)\b", r"\bpretend (you are|to be)\b", r"\bact as (an? |the )?(unrestricted|different|new|evil)",
    r"\b(reveal|print|show|repeat|output|leak)\b.{0,20}\b(system )?(prompt|instructions)\b",
    r"\boverride\b.{0,30}\b(safety|rules|instructions|restrictions)\b", r"\bnew instructions?\b",
]

PERSONAL_DATA_PATTERNS = [
    r"\b[A-Z][a-z]+(?: [A-Z][a-z'-]+)?'s (home |house |)(address|phone|number|mobile|email|birthday|date of birth|dob|parents?|mum|dad|medical|records?|grades|marks|results|behaviour|sen|details|snapchat|instagram)\b",
    r"\b(address|phone number|mobile number|email|date of birth|birthday|contact details|where .{0,15}lives?)\b.{0,25}\b(of|for)\b.{0,15}\b(pupil|child|student|learner|kid|boy|girl)\b",
    r"\b(pupil|child|student|learner|boy|girl) (called|named)\b",
    r"\b(list|names|details) of (all )?(the )?(pupils|children|students|learners|families)\b",
    r"\bwhich (pupils|children|kids|students) (have|are|got|were)\b",
    r"\btell me about [A-Z][a-z]+ in (year|class) ?\w+",
]

_esc = [re.compile(p, re.I) for p in ESCALATION_PATTERNS]
_soft = {p for p in _esc if p.pattern in SOFT_PATTERNS}
_inj = [re.compile(p, re.I) for p in INJECTION_PATTERNS]
_pd = [re.compile(p) if "[A-Z]" in p else re.compile(p, re.I) for p in PERSONAL_DATA_PATTERNS]
_STAFF = re.compile(r"\b(teacher|staff|colleague|ta|coach|tutor|supply|member of staff|volunteer|caretaker|head ?teacher|adult (at|in) (the )?school)\b", re.I)


@dataclass(frozen=True)
class Screen:
    kind: str  # ok | empty | injection | personal_data
    escalation: bool = False
    about_staff: bool = False
    truncated: bool = False
    text: str = ""  # the question as it will be searched (trimmed, at most MAX_CHARS)
    reason: str = ""


def escalation_by_pattern(text: str) -> str:
    hard = [p.pattern for p in _esc if p not in _soft and p.search(text)]
    if hard:
        return hard[0]
    if not RULE_QUESTION.search(text):
        soft = [p.pattern for p in _soft if p.search(text)]
        if soft:
            return soft[0]
    return ""


def screen(question: str, similarity_to_concerns: float | None = None) -> Screen:
    text = " ".join((question or "").split())
    if not text:
        return Screen("empty", text="", reason="empty")
    truncated = len(text) > MAX_CHARS
    # Escalation is judged on the whole message, even a long one: a worried account may be long.
    reason = escalation_by_pattern(text)
    escalation = bool(reason) or (similarity_to_concerns is not None and similarity_to_concerns >= ESCALATION_SIMILARITY)
    about_staff = escalation and bool(_STAFF.search(text))
    searched = text[:MAX_CHARS]
    if any(p.search(text) for p in _inj):
        return Screen("injection", escalation, about_staff, truncated, searched, "prompt injection")
    if any(p.search(text) for p in _pd):
        return Screen("personal_data", escalation, about_staff, truncated, searched, "personal data about a pupil")
    return Screen("ok", escalation, about_staff, truncated, searched, reason or ("similar to a safeguarding concern" if escalation else ""))
