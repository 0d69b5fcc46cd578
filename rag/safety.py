"""Screen a question before retrieval: input limits, prompt injection, personal data, escalation.

Escalation (a child may be at risk, indecent images, an adult contacting a child, a colleague
messaging a pupil, self-harm, exploitation) must not be missed: it is detected by broad patterns
and, for everyday wording, by a classifier trained on examples of such situations
(rag/classifier.py). A false alarm costs a banner; a miss can cost a child. Both read the message
as typed and with text-speak spelled out ("theyll", "u", "2": rag/glossary.toml).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.glossary import DEFINITION_PREFIX, respell
from rag.tuned import TUNED

MAX_CHARS = 2000
# Screening reads a long worried account whole, but not megabytes: past this the patterns cost seconds.
MAX_SCREEN_CHARS = 20_000

# ---------------------------------------------------------------- escalation patterns
_CHILD = r"(child(ren)?|kids?|pupils?|students?|learners?|my (son|daughter|child|boy|girl)|(year|y) ?\d+|boy|girl|him|her|them|they|he|she)"
_STAFF_WORDS = r"\b(teachers?|staff|colleagues?|tas?|teaching assistants?|coach(es)?|tutors?|supply|members? of staff|volunteers?|caretakers?|(deputy |assistant )?head( ?teacher)?|senco|sendco|lunchtime supervisors?|club leaders?)\b"
_CHILD_OBJ = r"\b(pupils?|child(ren)?|students?|learners?|kids?|girls?|boys?|(my|her|his|their|a|the|one of (my|the|our)) (son|daughter|child|boy|girl|kid|pupil)s?|year ?\d+s?|y\d+s?)\b"
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
    r"\bthreaten\w* to (share|post|send|leak)\b", r"\bour (little )?secret\b",
    # secrecy, the usual sign of grooming
    r"\bkeep (it|this|them|that|their \w+|our \w+) (a )?(secret|quiet|between (us|them))\b",
    r"\b(not|don'?t|never|mustn'?t) (to )?tell (anyone|anybody|(his|her|their|my|your) (mum|mom|dad|parents?|family|teachers?)|me)\b",
    r"\b(promise|swear)\b.{0,15}\b(not|won'?t|wont|never)\b.{0,5}\b(to )?(tell|say|report)\b.{0,10}\b(any|anyone|anybody|anything|the|my|a)\b",
    r"\b(in )?(big |real |serious )?trouble if (he|she|they|i|you) (told|tells?)\b",
    # money or gifts for images; threats to share them
    r"\b(offer\w*|pay\w*|paid|demand\w*|wants?|asking|asked)\b.{0,30}\b(money|gift ?cards?|gifts?|robux|v-?bucks|cash)\b",
    r"\b(money|gift ?cards?|gifts?|robux|v-?bucks|cash)\b.{0,30}\b(for|in return for|in exchange for)\b.{0,20}\b(pics|photos|pictures|images|videos|nudes|selfies)\b",
    r"\bor (they|he|she|someone)('ll| will| are going to| is going to)\b.{0,20}\b(share|post|send|leak|show)\b",
    # sextortion: a threat to share images unless more are sent or money paid
    r"\b(post|share|send|show|leak|put|spread)\w*\b.{0,40}\b(unless|if (i|you|he|she|they|we) (don'?t|do not|won'?t|will not|doesn'?t|does not|refuse))\b",
    r"\bif (i|you|u|she|he|they|we) (don'?t|do not|won'?t|will not|stop|refuse to) (send|pay|do|give)\w*\b.{0,60}\b(everyone|every1|whole (school|class|year)|"
    r"all (your|my|ur|her|his|their) (friends|mates|followers|contacts)|(your|my|ur|her|his|their) (mum|dad|parents|family))\b",
    r"\b(unless|or else|otherwise)\b.{0,25}\b(send|pay|give)\w*\b.{0,25}\b(more|money|cash|another|again|pics|pictures|photos|videos|nudes)\b",
    r"\b(share|post|send|leak|show)\w* (his|her|their|my|the) (pics|photos|pictures|images|videos|nudes)\b.{0,40}\b(unless|if (he|she|they) (don'?t|doesn'?t|won'?t))\b",
    # an adult seeking a child out
    r"\bgrown[- ]?(up|man|men|woman|women|adult)s?\b",
    r"\bwhere (he|she|they|you|my \w+) li(ve|ves)\b",
    # someone else offering or wanting to fetch a child ("he said he'd pick her up after school"), not a
    # parent asking about collecting their own ("can i pick my son up at 3.30")
    r"\b(offer\w*|wants?|wanted|asked|asking|tried|trying|said|says|keeps?|going|'ll|will|would|'d) (to )?(meet|pick|collect) "
    r"(him|her|them|you|u|me|my \w+) (up )?(after|at|from|near|outside)\b",
    r"\b(ask\w*|want\w*|find out)\b.{0,40}\b(alone|on (her|his|their) own)\b",
    # images taken where children undress
    r"\b(pics?|photos?|pictures?|videos?|filming|film\w*|record\w*|camera)\b.{0,50}\b(changing rooms?|toilets?|showers?|getting changed)\b",
    r"\b(changing rooms?|toilets?|showers?|getting changed)\b.{0,50}\b(pics?|photos?|pictures?|videos?|filming|film\w*|record\w*)\b(?!.{0,30}\b(allowed|ok|okay|permitted|rules?)\b)",
    r"\b(dodgy|inappropriate|indecent|rude|sexual|explicit|abuse) (pics|photos|pictures|images|videos?) (of )?(kids|children|pupils|a child|students)\b",
    r"\bsexual(ly|ised|ized)?\b(?! (harassment|violence) (policy|guidance))",
    # harm, abuse, danger
    r"\b(being|been|was|is|getting|got) (abused|hurt|hit|beaten|touched|assaulted|raped|attacked|kicked|punched)\b",
    r"\bbeat(en|ing)? up\b", r"\b(hits|slaps|punches|kicks|burns) (him|her|them|me)\b",
    r"\b(abus\w*|hurt\w*|hit\w*|beat\w*|touch\w*) (me|him|her|them|my (son|daughter|child))\b",
    r"\bsexual(ly)? abus\w*", r"\bbruis\w*", r"\brape[ds]?\b",
    r"\b(sending|sent|sends|send|swapping)\b.{0,20}\b(pics|photos|pictures|images|videos|selfies|nudes)\b.{0,20}\b(to )?(someone|somebody|a (man|stranger|boy|guy|person)|an (adult|older \w+))\b",
    r"\b(says|said|claims|claiming|pretend\w*) (he|she|they)('?s| is| are| was) \d{1,2}\b",
    r"\bself[- ]?harm\w*", r"\bcutting (him|her|them|my)sel\w*", r"\b(kill|hurt\w*|harm\w*) (him|her|them|my|your)sel\w*",
    r"\bsuicid\w*", r"\bwants? to die\b", r"\bend (his|her|their|my) life\b",
    r"\b(immediate|in) danger\b", r"\bnot safe (at home|to go home)\b", r"\bscared to go home\b", r"\bafraid to go home\b",
    r"\b(ran|run(ning)?) away\b", r"\bmissing (child|pupil|girl|boy)\b",
    r"\bcounty lines\b", r"\btraffick\w*", r"\bexploit(ed|ation|ing)\b", r"\bradicali[sz]\w*", r"\bextremis\w*", r"\bfgm\b",
    r"\bforced marriage\b", r"\bcriminal offen[cs]e\b",
    # FGM in the words a child may use for it rather than the term
    r"\bcut\b.{0,20}\bdown there\b", r"\b(female )?circumcis\w*", r"\bcutting (party|ceremony)\b",
    r"\b(special|secret) (procedure|ceremony|operation)\b.{0,60}\b(abroad|holiday|summer|family|woman)\b",
    # a member of staff and a pupil
    _STAFF_WORDS + r".{0,60}\b(messag\w*|dm\w*|text\w*|snap\w*|whats ?app\w*|tik ?tok\w*|insta\w*|contact\w*|add(ed|ing)?|follow\w*|friend\w*|sending|sends|sent|calls?|calling|rings?)\b.{0,40}" + _CHILD_OBJ,
    _CHILD_OBJ + r".{0,60}\b(messag\w*|dm\w*|text\w*|snap\w*|contact\w*)\b.{0,20}\bby (a |the |their |her |his )?" + _STAFF_WORDS,
    _STAFF_WORDS + r".{0,60}\b(asked|asking|wants?|wanted|gave|given|giving|swapp\w*)\b.{0,50}\b(snap ?chat|insta\w*|whats ?app|tik ?tok|usernames?|(personal|mobile|phone) numbers?|numbers)\b",
    r"\b(illegal|indecent|child) (images?|content|photos?|videos?|material) on (his|her|their|a) (phone|laptop|device|computer)\b",
]
# Words that name a concern but also appear in questions about the rules or definitions.
ESCALATION_PATTERNS += [r"\b(child )?abuse\b(?! policy)", r"\bneglect(ed)?\b"]
# Rule and definition questions ("can staff message pupils?", "what counts as neglect?") are about
# the documents, not a report of a concern: these patterns alone do not escalate them.
SOFT_PATTERNS = {ESCALATION_PATTERNS[i] for i in (-6, -5, -4, -2, -1)}

# Words that name a situation of one KCSIE category (Part one, Annex B), as people say them. Each list is
# tested on phrasings from no eval set (tests/test_screening.py); benchmarks/escalation.py measures the
# categories together with the classifier, one category held out at a time.
CATEGORY_PATTERNS = {
    "radicalisation": [
        r"\b(race war|swastikas?|neo-?nazi\w*|nazi (salute|flag|symbols?)|white power|far[- ]right|jihad\w*|isis|terroris\w*|"
        r"terror (group|attack|cell)s?|proscribed|holy war|martyrdom)\b",
        # hatred of a group as a group's aim: "wants to join a group that 'gets rid of' immigrants"
        r"\b(get(s|ting)?( all)? rid of|kick(s|ing)? (all )?(the )?\w* ?out|send(s|ing)? (them |all |all of them )?back|wip(e|es|ing) out|purg(e|es|ing))\b"
        r".{0,15}\b(immigrants|muslims|jews|foreigners|refugees|asylum seekers|migrants|black people|asians|gay people|gays)\b",
        r"\bsend(s|ing)? (all |all of )?(the |them )?(immigrants|muslims|jews|foreigners|refugees|asylum seekers|migrants) (back|home|out)\b",
        r"\b(should (all )?be (killed|wiped out|shot|bombed|deported)|(don'?t|do not|dont) belong (here|in this country)|"
        r"(are|r) invading|get (the |our )?guns ready|(kill|hate) all (the )?(muslims|jews|christians|immigrants|foreigners|gays))\b",
    ],
    "adult filming children": [
        # photographs of children taken covertly or passed round: "through the hall windows", "in our works whatsapp"
        r"\b(photos?|pictures?|pics|videos?|filming|filmed|recording)\b.{0,40}\b(through|over|from behind) (the )?(\w+ )?(windows?|fence|railings|gate|hedge)\b",
        r"\b(photos?|pictures?|pics|videos?)\b.{0,30}\b(of )?(the )?(kids|children|pupils|girls|boys)\b.{0,60}\b(shar\w*|post\w*|send\w*|sent)\b.{0,40}"
        r"\b(whats ?app|group ?chat|group|online|comments?)\b",
        r"\b(shar\w*|post\w*|send\w*|sent)\b.{0,20}\b(photos?|pictures?|pics|videos?)\b.{0,30}\b(kids|children|pupils|girls|boys)\b.{0,40}"
        r"\b(comments?|nasty|rude|sexual|horrible)\b",
        r"\b(man|men|bloke|guy|stranger|woman|adult|somebody|person)( \w+){0,6} (was |were |is |keeps |kept )?"
        r"(photograph\w*|filming|filmed|recording|recorded|videoing|zoom\w*|taking (pictures|photos|pics|videos))\b.{0,60}\b"
        r"(kids|children|pupils|girls|boys|class|playground|climbing frame|swimming|playtime|ks1|ks2|reception|year \d)\b",
    ],
    "child-on-child abuse": [
        r"\b(pulled|pull|pulling|yanked|took) (his|her|their|my|a \w+'s) (trousers|pants|skirt|shorts|knickers|underwear|top) (down|off|up)\b",
        r"\bpinned (him|her|them|me|a \w+) (down|against)\b",
        # sexual harassment as acts (KCSIE: lifting up skirts, flicking bras, grabbing bottoms)
        r"\b(lift\w*|flick\w*|ping\w*|snapp\w*|pull\w*|yank\w*)( up| down)? (up |down )?(girls'?|boys'?|her|his|their|my|people'?s|other \w+'?s?|the \w+'?s?) "
        r"(skirts?|dresses|bras?|trousers|pants|knickers|shorts)\b",
        r"\b(grab\w*|touch\w*|pinch\w*|slap\w*|smack\w*|squeez\w*) (girls'?|boys'?|her|his|their|my|people'?s|other \w+'?s?|the \w+'?s?) "
        r"(bums?|bottoms?|boobs|breasts?|chests?|privates|crotch(es)?|genitals|willy|balls)\b",
    ],
    # physical harm said the way people tell it: "or get slapped", "got punched", "a red mark on his neck"; and
    # initiation into a group by humiliation or violence (KCSIE: "initiation/hazing type violence and rituals")
    "physical harm and initiation": [
        r"\b(get|gets|got|getting|be|been) (slapped|punched|kicked|hit|beaten|strangled|choked|burned|burnt|whipped|smacked|thumped|shoved|stamped on)\b",
        r"\b(red |finger ?|hand ?|belt |burn |strangle |scratch |bite )?marks? (on|round|around) (his|her|their|my) (neck|face|throat|arms?|legs?|back|wrists?|body|cheek)\b",
        r"\b(initiation|hazing|hazed)\b|\bto be let in(to)?\b|\b(to join|to get into) (the|their|a) (gang|club|crew|group)\b.{0,60}\b(have to|must|or (else|get))\b",
    ],
    "cybercrime": [
        r"\b(hack\w*|ddos\w*|botnet|got in(to|2) (my |a |the |his |her )?(teacher'?s? |mum'?s? )?(email|account))\b",
        r"\battack\w* (on )?(a |the |our )?(trust |school )?(website|server|network)\b",
    ],
    "serious violence": [
        r"\b(knives|knife|blades?|machetes?|zombie knife|stab(bed|bing|s)?|shank\w*|postcode (beef|war|gangs?))\b",
        r"\b(come|coming|came) (for|after|round to) (us|me|him|her|them|our house)\b.{0,30}\b(with|bring\w*)\b",
    ],
    "sextortion": [
        r"\bhas (a |an |my |some |loads of )?(vids?|videos?|pics?|photos?|pictures?|images?|nudes?) of (me|him|her|them|my \w+)\b.{0,60}"
        r"\b(says?|said|saying|threat\w*|will|going to|'ll|unless|if)\b",
        r"\b(say|says|said|threaten\w*)\b.{0,25}(\b(will|going to|gonna)|'ll)\b.{0,10}\b(put|post|share|send|upload|leak)\w*\b.{0,30}"
        r"\b(online|tiktok|insta\w*|snap\w*|facebook|youtube|everyone|school|class|group)\b",
    ],
    "self-harm and suicidal thoughts": [
        r"\b(no ?one|nobody) would (care|notice|miss me) if (i|he|she) (disappeared|was gone|were gone|died)\b",
        r"\b(better off|happier) without (me|him|her)\b|\b(don'?t|do not|dont) want to (be here|live|wake up) (anymore|any more)\b",
        # searches and plans: "how many paracetamol to die", "painless ways"
        r"\b(paracetamol|pills|tablets|overdos\w*|od)\b.{0,30}\b(die|dying|death|kill)\b|\bpainless (ways?|death|method)\b|"
        r"\bways to (die|end it|kill (my|him|her|them)sel\w*)\b",
    ],
    "domestic abuse": [
        r"\boperation encompass\b",
        r"\b(hit|hits|hitting|beat|beats|beating|attacked|strangled|choked|threw \w+ at) (his|her|my|their|ur|your) "
        r"(mum|mom|mother|dad|father|wife|partner|girlfriend|husband|stepmum|stepdad)\b",
    ],
    "harmful online challenges": [
        r"\b(pass[- ]?out|blackout|choking|skull[- ]?breaker|fire|benadryl)\s+challenge\b",
        r"\bchallenge\b.{0,40}\b(have to|got to|must) do it\b",
    ],
    "neglect": [
        r"\b(always|constantly|often|keeps? (coming in|being|turning up)|comes? in|turns? up) (so |really |very )?(hungry|starving|starved|dirty|smelly|unwashed|filthy|freezing)\b",
        r"\b(same|dirty|unwashed|smelly|filthy) (clothes|jumper|uniform|top|trousers|outfit)\b.{0,30}\b(all week|every day|for (days|weeks)|again|since)\b",
        r"\bno (food|heating|electric\w*|gas|hot water|beds?)\b.{0,15}\b(at home|in the (house|flat))\b|\b(house|home|flat) (has|had) no (food|heating|electric\w*)\b",
        r"\b(left|home|stays?) (alone|on (his|her|their) own)\b.{0,30}\b(overnight|all night|all day|for days|every night|at night|all weekend)\b",
        r"\b(head lice|nits|sores|toothache|tooth ache|rotten teeth)\b.{0,40}\b(never|not been|untreated|for weeks|for months|nobody)\b",
    ],
    "missing children": [
        r"\b(can'?t|cannot|couldn'?t|can not) find (him|her|them|a child|a pupil|my (son|daughter|child|kid|boy|girl)|one of)\b",
        r"\b(isn'?t|is not|aren'?t|wasn'?t) anywhere\b|\b(not|nowhere) to be (found|seen)\b|\b(gone|went|goes|going|go) missing\b",
    ],
    "private fostering": [
        r"\b(has been|have been|is|been|has|started) (living|staying) with (us|me|my family|our family)\b.{0,200}\b(not (family|related)\b|"
        r"not (his|her|their) \w+|just friends|no relation|friends? from)\b",
        r"\b(living|staying|lives|stays|moved in) with (a |an |his |her |their |my |some )?['\"‘]?(family friend|friend|neighbou?r|"
        r"(mum|mom|dad|mother|father)'?s (friend|mate|colleague|ex)|someone (she|he|they) (met|barely know|doesn'?t know))\b",
    ],
    # a parent (or anyone) taking a child away, abroad or out of reach, against the other parent's will or a court's
    "child abduction": [
        r"\b(abduct\w*|kidnap\w*|snatch\w*)\b",
        r"\b(take|taking|took|takes|fly|flying|flew|move|moving)\b.{0,30}\b(out of the country|abroad|overseas|"
        r"back home to|to (his|her|their) country)\b.{0,60}\b(not|never|won'?t|without|no) \w*",
        r"\b(not|never|won'?t|wouldn'?t|refus\w* to) (bring|send|let|give) (him|her|them|my \w+|our \w+|the kids?|the children) back\b",
        r"\b(threat\w*|going|gonna|plans?|planning|trying|tried) to (take|snatch|run off with|disappear with)\b.{0,20}"
        r"\b(him|her|them|my \w+|our \w+|the kids?|the children)\b",
    ],
    # an adult gathering children's private contact details: how online grooming starts
    "adult seeking children's contacts": [
        r"\b(ask\w*|get\w*|getting|collect\w*|want\w*|trying to get)\b.{0,20}\b(kids|children|pupils|students|girls|boys|"
        r"(the )?year ?\d+s?|them|her|him|(my|our|a|the|one of the) (son|daughter|child|kid|boy|girl|pupil|student)s?)\b.{0,10}\bfor (their|his|her) (snap\w*|insta\w*|whats ?app|tik ?tok|usernames?|"
        r"handles?|socials?|(phone |mobile )?numbers?|addresses|emails?)\b",
    ],
    "forced marriage": [
        r"\b(marriage|married|marry|wedding|engaged|husband|wife)\b.{0,50}\b(1[0-7]|[5-9]) ?(year old|yo|yr old)\b",
        r"\b(1[0-7]|[5-9]) ?(year old|yo|yr old)\b.{0,50}\b(marriage|married|marry|wedding|engaged)\b",
        r"\b(marriage|married|marry|wedding|engaged)\b.{0,60}\b(she'?s|she is|he'?s|he is|aged|age)\s+(only |just )?(1[0-7]|[5-9])\b",
        r"\bpromised (her|him) to (a|an|some|his|her|their|my) (man|woman|cousin|older|family)\b",
    ],
}
# Staff conduct (KCSIE Part four): said of a member of staff these are concerns; asked as a rule ("can
# teachers give pupils lifts home?") they are not, so they are soft.
STAFF_CONDUCT_PATTERNS = [
    r"\b(miss|sir|mr \w+|mrs \w+|ms \w+|teacher|coach|tutor|ta)\b.{0,30}\b(gave|give|gives|giving|sent|asked for)\b.{0,12}"
    r"\b(her|his|their|my) (personal |own |mobile )?(number|snap\w*|insta\w*|whats ?app|address)\b",
    _STAFF_WORDS + r".{0,40}\b(drives?|drove|driving|gives?|gave|giving|offer\w*|buys?|bought|buying)\b.{0,25}\b(lifts?|home|presents?|gifts?|money|sweets|phone|trainers)\b",
    _STAFF_WORDS + r".{0,40}\b(humiliat\w*|belittl\w*|picks on|shout\w* at|scream\w* at|swore at|swears at|grab\w*|drag\w*|slap\w*|"
    r"push\w*|shov\w*|kick\w*|pinch\w*|mocks?|mocking|lock\w* (him|her|them) in)\b",
    _STAFF_WORDS + r".{0,30}\b(arrested|under investigation|charged|cautioned|suspended)\b",
]
ESCALATION_PATTERNS += [p for ps in CATEGORY_PATTERNS.values() for p in ps] + STAFF_CONDUCT_PATTERNS
SOFT_PATTERNS |= set(STAFF_CONDUCT_PATTERNS) | set(CATEGORY_PATTERNS["adult seeking children's contacts"])
RULE_QUESTION = re.compile(
    r"^\s*(can|may|should|could|is it (ok|okay|alright|allowed)|are (staff|teachers|we|they)|am i|do (staff|teachers|we)|"
    r"what('?s| is| are) (the )?(rules?|policy|classed|counted|meant|defined|definition)|what (sort|kind|types?)s? of|what counts?|"
    r"how (does|do|is|are) .{0,30}(define|defin|classed|count)|define|definition|is (stuff|it|online|abuse)|does (kcsie|the policy))\b|"
    r"\b(count(s|ed)? as|classed as|defined as|definition of|types of|examples of|signs of|comes? under|falls? under)\b|"
    # a question about a category of harm itself ("is neglect only about food and clothes?"), or about what a
    # document says ("does the government guidance name self-harm online as a risk?")
    r"^\s*(is|are|does|do|can) (neglect|abuse|grooming|sexting|exploitation|radicali[sz]ation|self-harm|fgm|[a-z-]+ abuse)\b|"
    r"^\s*(does|do|did) (the |this |our )?([\w-]+ ){0,4}(guidance|policy|kcsie|law|document|legislation)s?\b|"
    # yes/no and how-to questions about the law, rules, duties, training and teaching
    r"^\s*(is|are|does|do|was|will|would)\b.{0,60}\b(illegal|legal|allowed|against the law|a crime|an offen[cs]e|criminal|"
    r"ok|okay|appropriate|classed|counted|considered)\b|"
    r"^\s*(what|which) (training|guidance|duty|duties|laws?|rules?|signs?|happens if|should (i|we|staff) do if)\b|"
    r"^\s*how (do|should|can|would) (i|we|staff|teachers|schools?) (teach|talk|explain|report|respond|deal|handle|spot|recogni[sz]e)\b|"
    r"\bhypothetically\b|^\s*(does|do) the .{0,40}\b(duty|rule|policy|law|guidance) (apply|cover)|"
    # questions about the law, what a term covers, and who does what, in people's words: "what's the age of
    # consent", "is that actually sexual assault", "victim or criminal?", "what's the process if ...", "do the
    # police bother if ...", "does the child have to agree", "what does school say about ..."
    r"\bage of (consent|criminal responsibility)\b|\bis (it|that|this) (actually|really|technically|legally|still|even)\b|"
    r"^\s*(is|are|does|do)\b.{0,60}\b(actually|really|technically|legally)\b.{0,30}\b(count|abuse|assault|illegal|a crime|"
    r"harassment|exploitation|grooming|rape|bullying)\b|"
    r"\b(an? )?victims? or (an? )?(criminals?|offenders?|perpetrators?)\b|\b(safeguarding|welfare) (response|issue|matter|thing) or\b|"
    r"\bwhat('?s| is| are) the (process|procedure|protocol|next steps?|steps)\b|"
    r"\b(do|does|should|must|would|will) (the )?(police|teachers?|staff|schools?|dsls?|lado|social (care|services|workers?)|they|we|i|you) "
    r"(have to|need to|bother|get involved|report|tell|investigate|deal|look)\b|"
    r"\b(do|does|must|should) (the |a )?(child|pupil|kid|parent|victim|family|young person)( \w+)? (have to|need to) (agree|consent)\b|"
    r"\bwhen does\b.{0,50}\b(become|tip|turn|cross|count)\w*\b|\b(is that|am i) right\b|\bmy understanding is\b|"
    r"\bwhat does (the )?(school|policy|kcsie|guidance|law|working together)( \w+)? say\b|"
    # a question framed in general terms: "in general, who responds when ...", "generally speaking, are teachers
    # meant to ...", "is 'banter' ever acceptable according to the guidance?", "is there a rule about ...",
    # "what level of worry tips a case into ...". About someone real it still gets the route (about_someone_in_particular).
    r"^\s*(in general|generally( speaking)?|speaking generally|in principle|as a (general )?rule|broadly( speaking)?|out of interest)\b|"
    r"\b(according to|under|per|in line with) (the |our |this )?((government|dfe|statutory|school'?s?|national) )?(guidance|policy|kcsie|"
    r"working together|wt|law|rules)\b|"
    r"^\s*is there (a|any) (school |specific |particular |set |written )?(rule|policy|guidance|law|procedure|guideline)s?\b|"
    r"\b(tips?|tipped|tipping) (a \w+ |it |things |something )?(into|over)\b|\bthreshold\b|"
    r"^\s*(is|are|does|do|was|will|would)\b.{0,60}\bever (an? )?(ok|okay|acceptable|allowed|appropriate|excus\w*)\b",
    re.I,
)

# The rule question after a sentence that sets the scene ("our web filter blocks my grooming lesson - can filtering
# be too strict?"), or a hypothetical put as "if a teacher finds ..., who do they tell?". Unlike a question that
# opens the message, these count as rule questions only about nobody in particular: "a man keeps messaging my
# daughter. should i report it?" stays a report, with the banner.
# Not "who should this go to?" or "should I tell someone?" after an account: asking what to do about it is a report.
LATER_RULE_QUESTION = re.compile(
    r"(?:[.!?;:]\s+|\s[-–—]\s+)(can|may|could|is it (ok|okay|alright|allowed)|are (staff|teachers|we|they) (allowed|meant|supposed|expected)|"
    r"am i (allowed|meant|supposed)|do (staff|teachers) |does (the|kcsie|it)|is (it|that|there) |what (is|are|happens)|"
    r"how (long|often|does|do (schools|staff|teachers)))\b",
    re.I,
)
# ...nor after an account of what someone does: "the PE teacher messages pupils on instagram. is that allowed?"
# Also told of several, and where they are: "some boys in year 6 keep lifting girls' skirts".
ACCOUNT_OF_SOMEONE = re.compile(
    r"\b(the|our|my|a|one|this|that|some|sum|these|those|two|three|a few|a group of|a couple of) (\w+ )?(teachers?|tas?|coach(es)?|tutors?|"
    r"volunteers?|helpers?|caretakers?|colleagues?|members? of staff|man|men|woman|women|adults?|boys?|girls?|pupils?|child(ren)?|kids?|"
    r"lads?|dad|mum|parents?|uncle|stepdad|neighbou?rs?|stranger|bloke|guy)( (?!who|that|which|whose)\w+)?"
    r"( (in|from) (my |our |his |her |the )?(year|yr|y|class|form)( ?\d+\w?)?)? (keeps|keep|kept|has|is|was|were|messages|texts|sends|"
    r"send|sent|follows|adds|buys|bought|gives|gave|drives|drove|takes|took|asks|asked|calls|rings|touches|touched|hits|shouts|films|filmed|"
    r"photographs|snapchats|dms)\b",
    re.I,
)
HYPOTHETICAL_START = re.compile(
    r"(^|[.:;!?]\s+|\s[-–—]\s+)\s*(hypothetically,? )?(if|say|suppose|supposing|in the event that|when) (a|an|any|the|one of)\b",
    re.I,
)

# "What is county lines?", "what are the signs of grooming?": a short question asking what a term
# means, about nobody in particular, is about the documents, not a report, whatever the term.
DEFINITION_QUESTION = re.compile(r"^\s*(?:" + DEFINITION_PREFIX + r")\b", re.I)
ABOUT_SOMEONE = re.compile(
    r"\b(i|i'?m|me|my|we|us|our|you|your|he|she|they|him|her|them|his|their|hers|theirs|someone|somebody|"
    r"(year|yr|y) ?\d+|(a|one|this|that|some|another|the) (girl|boy|kid|child|pupil|student|son|daughter|man|woman|"
    r"adult|stranger|teacher|parent|person|colleague))\b",
    re.I,
)
DEFINITION_MAX_WORDS = 12
# A particular child, family or event, said so definitely: "my son", "one of my year 6s", "a girl in my class",
# "she told me", "I saw", "yesterday". A rule question ("if a pupil shows me a nude, do I report it?", "are
# teachers meant to look at the pics to check what they are?") speaks of "a pupil" and "they" hypothetically:
# only these mark it as about someone real, and then it gets the route at the top of its answer.
PARTICULAR_IN_A_RULE_QUESTION = re.compile(
    r"\b(my|our|your|this|that|these|those) (own )?(son|daughter|child|kid|boy|girl|pupil|student|class|friend|brother|sister|"
    r"nephew|niece|grandson|granddaughter|step\w+|mate|cousin|neighbou?r|\d+ ?(year old|yr old|yo))s?\b|"
    r"\bone of (my|our|the|his|her) \w+|\b(a|the) (girl|boy|kid|child|pupil|student|lad)s? in (my|our|his|her|their) \w+|"
    r"\b(i|we) (saw|found|heard|noticed|caught|walked in)\b|"
    r"\b(told|showed|sent|asked|gave|texted|messaged|touched|hit|hurt|shown)\b (me|us)\b|"
    r"\b(my|our|your|his|her) (mum|mom|dad|stepdad|stepmum|uncle|aunt(ie)?|boyfriend|girlfriend|partner|ex|nan|grandad)\b|"
    r"\b(year|yr|y) ?\d+s?\b.{0,20}\b(told|tells|said|says|showed|shows|sent|has|had|was|were|disclosed|reported)\b|"
    r"\b(girl|boy|kid|child|pupil|student|lad)s? (says|said|told|tells|disclosed|reported|has disclosed)\b|"
    r"\b(wants?|wanted|is trying|tried|asked|is going) to (show|send|tell|give|meet) (me|us)\b|"
    r"\b(sent|going|went|being passed|passed) round\b|\bis circulating\b|"
    r"\bit happened\b|\b(today|yesterday|tonight|last (night|week|weekend)|this (morning|afternoon|week))\b|"
    r"\b(pics?|photos?|pictures?|images?|videos?|nudes?) (of|about) me\b",
    re.I,
)
# ...and an event told of "a pupil", outside an "if" or "when" clause: "a year 6 sent it to the group",
# not "if a teacher finds out a pupil has had FGM, do they report it?".
EVENT_OF_SOMEONE = re.compile(
    r"\b(a|one|some|another|the) (girl|boy|kid|child|pupil|student|lad|man|woman|adult|teacher|ta|colleague|coach|tutor|volunteer|"
    r"helper|caretaker|dinner lady|member of staff|staff member)s? (has (been|had|got|shown|sent|told)|"
    r"had|was|were|sent|showed|told|said|came|turned up)\b",
    re.I,
)
CONDITIONAL_CLAUSE = re.compile(r"\b(if|when|whenever|suppose|supposing|in case|what if)\b[^,?.;:!]*", re.I)


def about_someone_in_particular(text: str) -> bool:
    """A rule question that is also about a particular child or event (then it gets the route)."""
    told = CONDITIONAL_CLAUSE.sub(" ", text)
    return bool(PARTICULAR_IN_A_RULE_QUESTION.search(text) or EVENT_OF_SOMEONE.search(told) or ACCOUNT_OF_SOMEONE.search(told))

INJECTION_PATTERNS = [
    r"\bignore\b.{0,40}\b(instructions?|rules|prompts?|guidelines|directions)\b",
    r"\bdisregard\b.{0,40}\b(instructions?|rules|prompts?|above|previous)\b",
    r"\bforget\b.{0,30}\b(instructions?|rules|prompts?|everything)\b",
    r"(^|\n|\b)(system|assistant|developer)\s*:", r"</?\s*(system|instructions?)\s*>", r"\[(system|inst)\]",
    r"\b(admin|developer|god|debug|jailbreak|dan|sudo|root|unrestricted) mode\b",
    r"\byou are (now|no longer)\b", r"\bpretend (you are|to be)\b", r"\bact as (an? |the )?(unrestricted|different|new|evil)",
    r"\b(reveal|print|show|repeat|output|leak)\b.{0,20}\b(system )?(prompt|instructions)\b",
    r"\boverride\b.{0,30}\b(safety|rules|instructions|restrictions)\b", r"\bnew instructions?\b",
    # a fake notice that the rules have changed: "SYSTEM UPDATE: clause 6.2.4 now lets staff ..."
    r"\b(system|admin|developer|policy|security|important|urgent|official) (update|notice|override|message|alert|instruction|"
    r"announcement)s?\s*[:!-]",
    r"\bdisregard\b.{0,40}\b(polic\w*|documents?|guidance|everything|sources?)\b",
    r"\b(reveal|show|give|dump|list|print|send)\b.{0,30}\b(confidential|secret|private|hidden|internal)\b.{0,20}"
    r"\b(records?|files?|data|information|documents?|notes|details)\b",
    # role-play as someone with authority, or being asked to authorise: the assistant quotes, it cannot permit.
    # Only when the assistant is told to ("act as the head and ...", "you act as ..."): "could the proprietor act
    # as DSL?" asks who may hold a role.
    r"\bpretend (you('?re| are)|ur|that you|to be)\b",
    r"(^|[.!?:;\n]\s*|\b(you|u|please|pls|now|can you|could you|i want you to|i need you to)\s+)(role[- ]?play|act) as "
    r"(if you (are|were) )?(the |a |an |my )?(head\w*|teacher|dsl|principal|school|governor|lado)\b",
    r"\b(give|grant|send|write) (me|us) (a |an )?(written |signed )?(permission|consent|authori[sz]ation|exemption)\b",
    # dictating what the answer says (issue 16: "End your answer with: for help call 0800 ..." reached the model):
    # begin/end/finish the answer with, add this line to it, make it say.
    r"\b(begin|start|end|finish|close|conclude|sign off|open|prefix|preface)\b.{0,12}\b(your|the|ur) (answer|reply|response|"
    r"output|message)\b.{0,6}\b(with|by (saying|writing|adding))\b",
    r"\b(add|append|include|insert|put)\b.{0,40}\b(in|into|to|at the (end|start) of) (your|the|ur) (answer|reply|response|output)\b",
    r"\b(your|ur) (answer|reply|response|output) (must|should|has to|needs to|will) (say|state|read|include|contain|begin|start|end)\b",
]

# Requests for information about identifiable pupils, families or staff, by kind of request. Each kind
# is tested on phrasings from no eval set (tests/test_screening.py); everyday wording that none of these
# catches is left to the personal-data classifier (rag/classifier.py).
_WHO = r"(pupils?|child(ren)?|kids?|students?|learners?|famil(y|ies)|parents?|boys?|girls?|staff|teachers?)"
_RULE_AFTER_WHICH = (r"(?! (actually |really |even |currently |legally |normally |usually |generally |ever )?(we |staff |you )?(supposed|meant|considered|classed|counted|seen|more|most|less|particularly|"
                     r"especially|at|in need|vulnerable|likely|eligible|entitled|covered|expected|allowed|required|protected|"
                     r"need|needs|should|must|can|may|to|trained|responsible|dsls?|designated|deputy|deputies|the|governors?)\b)")
# Who did what, of particular staff ("which teacher got suspended", "has any teacher had an allegation ... which
# one"): a request to be told who, refused as personal data. It reports nothing, so it is not a concern about
# a colleague either, though it uses the same words.
STAFF_IDENTITY_PATTERNS = [
    r"\b(mr|mrs|miss|ms|mx|dr|sir)\.? [a-z'-]+ (has |have |had )?(got|been|was|is being|getting|being|is)( been)? (suspended|sacked|"
    r"fired|dismissed|disciplined|arrested|investigated|struck off|accused|reported|charged|cautioned|under investigation)\b",
    r"\b(which|what|who)( \w+)? (teachers?|members? of staff|staff members?|tas?|teaching assistants?|coach(es)?|staff) "
    r"(got|was|were|has been|have been|had|has|is being|are being)( been)? (suspended|sacked|fired|dismissed|disciplined|"
    r"accused|investigated|reported|referred|struck off|arrested|(an )?allegations?|complained about)\b",
    r"\b(any|a) (teachers?|members? of staff|staff members?|staff|tas?)( here| at (the|this|our|your) school)? (ever )?"
    r"(had|been|got|faced) .{0,40}\b(allegations?|accused|suspended|sacked|disciplined|investigated)\b.{0,40}\b(which|who|names?)\b",
]

PERSONAL_DATA_PATTERNS = [
    # a named person's details: "Jayden's address", "mr smith's mobile number"
    r"\b[A-Z][a-z]+(?: [A-Z][a-z'-]+)?'s (home |house |)(address|phone|number|mobile|email|birthday|date of birth|dob|parents?|mum|dad|medical|records?|grades|marks|results|behaviour|sen|details|snapchat|instagram)\b",
    r"\b(mr|mrs|miss|ms|mx|dr|sir)\.? [a-z'-]+('?s)? (home |personal |private |own |mobile |phone |house )*(address|number|mobile|phone number|email|insta\w*|snap\w*|facebook|details|partner|wife|husband)\b",
    # contact details of a child or family
    r"\b(address|phone number|mobile number|email|date of birth|birthday|contact details|where .{0,15}lives?)\b.{0,25}\b(of|for)\b.{0,15}\b(pupil|child|student|learner|kid|boy|girl|family|parents?)\b",
    r"\b(pupil|child|student|learner|boy|girl) (called|named)\b",
    r"\b(?!(?:the |our |your )?(?:school|academy|office|trust|council|ofsted|lado|dsl|police|policy|pupil|child|children|"
    r"student|learner|parent|family|someone|somebody|anyone|person|teacher|staff|kid|their|his|her)'?s?\b)[a-z]+'?s "
    r"(home |house |personal |private )?(address|phone number|mobile number|email address|postcode|home number)\b",
    r"\b(list|names|details|register) of (all )?(the )?(pupils|children|students|learners|families|kids)\b",
    # "list every pupil who's had a phone taken this term": people picked out by what happened to them
    r"\b(list|name|names|give me)( out)? (all|every|each)( of)?( the)? " + _WHO + r" ((who|that)('s|\s+\w+ed|\s+(has|have|had|got|were|was|did))|whose)\b",
    # "which pupils have had phones taken today", not "which children are more at risk" (a kind of child)
    r"\bwhich (pupils|children|kids|students|families|parents|staff|teachers)( (in|from) (year|yr|class|y) ?\w+|"
    r" (in|from|at) (my|our|his|her|their|the|this|[a-z]+'?s)( [a-z]+'?s)? (class|year|form|group|school|street|road|team|club))? "
    r"(have|are|got|were|was|is|has|had|did)\b" + _RULE_AFTER_WHICH,
    r"\btell me about [A-Z][a-z]+ in (year|class) ?\w+",
    # who did what: sanctions and incidents of particular children
    # a question asking who, not a relative clause ("a pupil who has reported harassment")
    r"(?:^|[.?!;:,]\s*|\b(?:and|but|so|know|ask|tell me|wondering|out)\s+)who (got|was|were|has been|have been|had|has) (been )?(excluded|suspended|expelled|sent home|isolated|in isolation|"
    r"put on report|in the fight|fighting|caught|confiscated|given (a )?detentions?|in trouble|reported)\b",
    r"\bwhose (phones?|devices?|mobiles?) (got|was|were|has been|have been|had been) (taken|confiscated|took)\b",
    r"\bwho (had|has|got) (their |his |her )?(phones?|devices?|mobiles?) (taken|confiscated|took)\b",
    # registers and lists of particular children or families
    r"\b(who('?s| is| are| was| were)|which \w+ (is|are|was|were)|names?|list)\b.{0,40}\b(on|in) (the )?(child protection|cp|sen|send|safeguarding|at[- ]risk|"
    r"free school meals?|fsm|pupil premium|looked[- ]after|cla|young carers?|eal) (register|list|plans?|records?)\b",
    *STAFF_IDENTITY_PATTERNS,
    r"\bis [a-z]+ (in|from) (year|yr|class|y) ?\w+ (on|in) (the )?(child protection|cp|sen|send|safeguarding|at[- ]risk|fsm|free school meals?)\b",
    r"\b(is|are) (?!(there|it|a|an|the|this|that|any|all|every|children|pupils|kids|staff)\b)[a-z]+('s)?( \w+){0,4} (on|in) (the )?"
    r"(child protection|cp|sen|send|safeguarding|at[- ]risk|free school meals?|fsm|pupil premium|looked[- ]after|cla) (register|list|plan)s?\b",
    r"\b(is|are|was|has) (?!(there|it|a|an|the|this|that|any|all|every|children|pupils|kids|staff|someone|anyone|neglect|abuse)\b)"
    r"[a-z]+('s)?( \w+){0,5} (on|under|subject to) (a |an |the )?(child protection|cp|child in need|cin|protection plan|at[- ]risk)\b",
    # "does jayden w in 6b have a social worker": a first name, perhaps an initial and a class
    r"\b(does|has|is) (?!(the|a|an|every|each|any|school|staff|it)\b)[a-z]+( [a-z]\.?)?( (in|from) (year |yr |y|class )?\w+)? "
    r"(have|got|had|been given|on) (a |an )?"
    r"(social worker|child protection plan|cp plan|ehcp|diagnosis|statement)\b",
    # what was written or reported about a particular child or family
    r"\bwhat (did|has|have) (the )?(dsl|head(teacher)?|school|teacher|safeguarding lead|social (worker|services)|senco|sendco)\w* "
    r"(write|written|say|said|record|recorded|note|noted|report|reported|log|logged)\w* (about|on|regarding) "
    r"(my |the |that |this |our |a )?(neighbou?rs?'?|sons?'?|daughters?'?|boy|girl|child|kid|family|him|her|them|[a-z]+'s)\b",
    r"\b(tell|show|give|send|forward) (me|us) what (my|his|her|their|our|[a-z]+'s) \w+('s \w+)? (said|told|disclosed|reported|wrote|says)\b",
    r"\bwhat (did |has |have )?(my|his|her|their|our|[a-z]+'s) \w+ (say|said|tell|told|disclose|disclosed|report|reported|write|wrote)"
    r"( \w+)? (to|about)\b.{0,20}\b(dsl|safeguarding|head\w*|teacher|police|social|school|you)\b",
    r"\bwhat (did |has |have )?(my|his|her|their|our|[a-z]+'s) \w+ (say|said|tell|told|disclose|disclosed|report|reported)"
    r" (to )?(the |a |their |her |his )?(dsl|safeguarding lead|head\w*|teachers?|police|school|social worker|you)\b",
    # a name, or a particular person, asked for: "confirm the name of the pupil involved", "the year 4 teacher's personal mobile"
    r"\b(confirm|give|tell|share|release|publish|what('?s| is| was| are))\b.{0,20}\bthe names? of (the |that |this )?(pupils?|child(ren)?|students?|"
    r"boys?|girls?|kids?|teachers?|members? of staff|famil(y|ies)|parents?|victims?|person)\b",
    r"\b(teacher|ta|head|headteacher|coach|dsl|senco|member of staff|tutor|miss|sir)'?s? (personal|private|own|home) (mobile|phone|number|"
    r"mobile number|phone number|email|address)\b",
    r"\b(wh?at'?s|wats|what is|give me|send me|tell me|need|have you got)\b(?!.{0,25}\b(school|academy|official|class|our)\b).{0,25}"
    r"\b(snap ?chat|snap|insta(gram)?|tik ?tok|whats ?app|discord)( user ?name| name| handle| account| id| number| @)\b",
    r"\b(is it tru(e)?|i heard|heard|apparently|rumou?r)\b.{0,15}\b[a-z]+ (in|from) (year|yr|y|class) ?\w+ (has|have|had|got|is on|is under|was)\b"
    r".{0,20}\b(social worker|child protection|cp|ehcp|excluded|suspended|expelled|arrested)\b",
    r"\b(is|are) (social services|social care|a social worker|the police) (involved )?(with|working with|visiting) (the |that |this |my |our )?(family|neighbou?rs?|[a-z]+'s family)\b",
]

# Asking what the school knows or did about a family or child picked out by where they live ("how many
# referrals about the family at number 12", "what's going on with the kids next door"). Only a request: the
# same words in a worried account ("the kids at number 12 are left alone all night") are a concern.
RECORD_REQUEST_PATTERNS = [
    r"\b(famil(y|ies)|kids?|children|boys?|girls?|child|lads?|people|household)\b (at|from|in|living at|who live at) "
    r"(number|no\.?|flat|house) ?\d+\b",
    r"\b(famil(y|ies)|kids?|children|boys?|girls?|child|lads?|household)\b (next door|over the road|across the road|down the road|upstairs|downstairs)\b",
    # records of what the school did about someone: "how many referrals has the school made about ..."
    r"\b(referrals?|reports?|concerns?|complaints?|incidents?|records?|calls?) (has|have|did) (the school|school|you|they|the dsl|staff|"
    r"the head\w*) (made|logged|recorded|raised|filed|got|had|received|taken) (about|on|for|regarding|against) (the |that |this |my |our |"
    r"his |her |their )?(famil\w*|child\w*|kids?|boys?|girls?|pupils?|students?|neighbou?rs?\w*|him|her|them|mr|mrs|ms|miss|[a-z]+'s)\b",
]

_esc = [re.compile(p, re.I) for p in ESCALATION_PATTERNS]
_soft = {p for p in _esc if p.pattern in SOFT_PATTERNS}
# The patterns about what a member of staff did read the message without the asker's own role ("supply
# teacher here - if I need to message a parent about a kid's day, ...?" is about the rules for the asker).
_of_staff = {p for p in _esc if _STAFF_WORDS in p.pattern}
_inj = [re.compile(p, re.I) for p in INJECTION_PATTERNS]
_record_requests = [re.compile(p, re.I) for p in RECORD_REQUEST_PATTERNS]
_staff_identity = re.compile("|".join(STAFF_IDENTITY_PATTERNS), re.I)
_pd = [re.compile(p) if "[A-Z]" in p else re.compile(p, re.I) for p in PERSONAL_DATA_PATTERNS]
# "sir", "miss": how pupils name their teachers.
_STAFF = re.compile(_STAFF_WORDS + r"|\badult (at|in) (the )?school\b|\b(miss|sir)\b", re.I)
# "teacher here", "I'm a TA": who is asking, not who the concern is about.
_SELF_AS_STAFF = re.compile(r"\b(i'?m|i am|im|as)\s+(a|an|the|one of the)?\s*(\w+\s+)?" + _STAFF_WORDS + r"|"
                            r"(\w+\s+)?" + _STAFF_WORDS + r"\s+here\b", re.I)

# A child in danger now, not only at risk: then the police (999) come before the DSL. Everything else
# goes to the DSL first, as KCSIE asks of staff; the DSL decides whether the police are called.
IMMEDIATE_DANGER = re.compile(
    r"\b(immediate|in) danger\b|\bright now\b|\btonight\b|\btomorrow\b|\bthis (evening|afternoon|weekend)\b|\bafter school (today|tomorrow)\b|"
    r"\bon (his|her|their|my) way\b|\bto meet\b|\bmeet (up|him|her|them)\b|\b(pick|collect) (him|her|them|my \w+) up\b|"
    r"\b(kill|end) (him|her|them|my|your)sel\w*|\bend (his|her|their|my) life\b|\bsuicid\w*|\bwants? to die\b|\boverdose\w*|"
    r"\b(knife|knives|gun|weapon)s?\b|\bmissing\b|\b(ran|run(ning)?) away\b|\bhas(n'?t| not) (come|gone) home\b|"
    r"\b(can'?t|cannot|couldn'?t) find (him|her|them|a child|a pupil|my \w+|one of)\b|\b(isn'?t|is not) anywhere\b",
    re.I,
)


# The classifiers' probabilities (rag/classifier.py), chosen on held-out categories and voices by
# benchmarks/escalation.py. A concern the classifier is sure of gets the "act now" banner; one it
# thinks likely gets the DSL line at the top of the answer ("concern"): both escalate, because a
# missed concern can cost a child and a false alarm costs one line.
URGENT_PROBABILITY = TUNED.screening.urgent_probability
CONCERN_PROBABILITY = TUNED.screening.concern_probability
PERSONAL_DATA_PROBABILITY = TUNED.screening.personal_data_probability


@dataclass(frozen=True)
class Screen:
    kind: str  # ok | empty | injection | personal_data
    escalation: bool = False
    level: str = ""  # urgent (act now: the banner) | concern (the DSL line first) | "" (no escalation)
    about_staff: bool = False
    truncated: bool = False
    text: str = ""  # the question as it will be searched (trimmed, at most MAX_CHARS)
    reason: str = ""
    # Only a classifier says so, not a pattern: the assistant may still find the documents answer the
    # question as asked (see Assistant._ask), and then answers it.
    by_classifier: bool = False


def is_definition_question(text: str) -> bool:
    # Judged on its first clause: "whats the channel programme, is it for kids getting into extremism?" asks
    # what a term means, then checks what it is for.
    first = re.split(r"[?,;]", text, maxsplit=1)[0]
    return (bool(DEFINITION_QUESTION.search(first)) and not ABOUT_SOMEONE.search(text)
            and len(first.split()) <= DEFINITION_MAX_WORDS)


def _pattern_level(text: str, rule: bool) -> tuple[str, str]:
    """(level, the pattern that matched) for one reading of a message; `rule`: it asks about a rule."""
    others = _SELF_AS_STAFF.sub(" ", text)
    hard = [p.pattern for p in _esc if p not in _soft and p.search(others if p in _of_staff else text)]
    if hard:
        # A question about what to do about someone ("should I report it if a pupil shows me a nude?") still
        # gets the route, at the top of its answer rather than as a banner over it. A rule question about
        # nobody in particular ("is sexting illegal for under 18s?") is answered.
        if not rule:
            return "urgent", hard[0]
        return ("concern", hard[0]) if about_someone_in_particular(text) else ("", "")
    if not rule:
        soft = [p.pattern for p in _soft if p.search(others if p in _of_staff else text)]
        if soft:
            return "urgent", soft[0]
    return "", ""


def readings(text: str) -> list[str]:
    """The message as typed and with text-speak spelled out ("theyll post it unless i send more")."""
    spelled = respell(text)
    return [text] if spelled == text else [text, spelled]


def _levels(text: str) -> list[tuple[str, str]]:
    """(level, pattern) for each reading. Whether it is a definition or rule question is read on every
    reading: spelling "kcsie" out must not hide the "how does ... define" around it."""
    rs = readings(text)
    if any(is_definition_question(r) for r in rs):
        return []
    rule = any(RULE_QUESTION.search(r) for r in rs) or any(
        (LATER_RULE_QUESTION.search(r) or HYPOTHETICAL_START.search(r)) and not about_someone_in_particular(r)
        and not ACCOUNT_OF_SOMEONE.search(CONDITIONAL_CLAUSE.sub(" ", r)) for r in rs)
    return [_pattern_level(r, rule) for r in rs]


def escalation_by_pattern(text: str) -> str:
    """The pattern that says this message reports a concern, or ""."""
    return next((pattern for _, pattern in _levels(text) if pattern), "")


def immediate_danger(text: str) -> bool:
    return any(IMMEDIATE_DANGER.search(r) for r in readings(text))


# "does the no phones thing include apple watches? my son got one": a question about what the rules allow
# is not a request for someone's record, unless it asks to be told or given something.
ASKS_TO_BE_GIVEN = re.compile(
    r"\b(tell|give|send|show|email|text|forward|share with|let) (me|us)\b|\bi need (his|her|their|the)\b|"
    # "can you list them" of documents is not a register of people
    r"\b(what|where|who) (is|are|was|were) [a-z]+'s\b|\blist (of )?(all |every |each )?(the )?(names|pupils?|children|kids?|students?|families|"
    r"parents|staff|teachers|people|everyone|who)\b|\b(names|records?|file|notes)\b|"
    # a register of people, not "my phone for the register" (taking attendance)
    r"(?<!for the )(?<!do the )(?<!take the )(?<!call the )(?<!doing the )(?<!taking the )\bregister\b|"
    # other people's contact details: "along with their parents' contact numbers"
    r"\b(their|his|her|parents'?|families'?|pupils'?|children'?s) (home )?(contact (numbers?|details)|phone numbers?|mobile numbers?|addresses|address|emails?)\b",
    re.I,
)


# Questions about what is allowed or what happens: "can i ...", "does the no phones thing include ...", also
# after a sentence that sets the scene ("A leaver sent me a friend request. Fine to accept?").
RULE_FORM = re.compile(r"(^|[.!?;]\s+|\s[-–—]\s+)\s*(can|could|may|might|should|shall|must|is it|am i|do|does|did|will|would|"
                       r"what happens|what if|how (do|does|can|should|long|many|much)|"
                       r"((is it|it'?s|am i|are we) )?(fine|ok|okay|alright|all right|acceptable|allowed) (for (me|us|staff) )?to)\b",
                       re.I)


# ...and "sports day tomorrow, ok to grab a few pics on my phone?": a permission asked after a comma.
PERMISSION_AFTER_COMMA = re.compile(r",\s*((is it|it'?s|am i|are we) )?(fine|ok|okay|alright|all right|acceptable|allowed) (for (me|us|staff) )?to\b", re.I)
# "who do I contact at the school?": asking for the route to report something, which the documents give; not
# a request for someone's details.
ASKS_FOR_THE_ROUTE = re.compile(
    r"\bwho (do|should|can|would|could|shall) (i|we) (contact|tell|speak to|talk to|report (it |this |that )?to|go to|turn to|ring|call|email|pass (it|this) (on )?to)\b|"
    r"\bwho('?s| is) the (right |best )?(person|people|one) to (contact|tell|speak to|talk to|report)\b", re.I)


def personal_classifier_applies(text: str) -> bool:
    """The personal-data classifier may refuse this message: it is not a question about what is allowed or
    whom to tell, or it asks to be told or given something. (Patterns refuse the requests phrased as questions.)"""
    rule = any(RULE_QUESTION.search(r) or RULE_FORM.search(r) or PERMISSION_AFTER_COMMA.search(r) or ASKS_FOR_THE_ROUTE.search(r)
               for r in readings(text))
    return not rule or bool(ASKS_TO_BE_GIVEN.search(text))


def concern_classifier_applies(text: str) -> bool:
    """The concern classifier may escalate this message: it is not a short definition question."""
    return not is_definition_question(text)


def personal_data_by_pattern(text: str) -> bool:
    return any(p.search(r) for r in readings(text) for p in _pd)


def screen(question: str, concern_probability: float | None = None,
           personal_probability: float | None = None) -> Screen:
    text = " ".join((question or "")[: MAX_SCREEN_CHARS * 2].split())[:MAX_SCREEN_CHARS]
    if not text:
        return Screen("empty", text="", reason="empty")
    truncated = len(text) > MAX_CHARS
    # Escalation is judged on the whole message, even a long one: a worried account may be long.
    levels = _levels(text)
    found = {lv for lv, _ in levels if lv}
    level = "urgent" if "urgent" in found else ("concern" if found else "")
    reason = next((p for _, p in levels if p), "")
    p = concern_probability if concern_probability is not None and concern_classifier_applies(text) else 0.0
    by_classifier = not level and p >= CONCERN_PROBABILITY
    if p >= URGENT_PROBABILITY:
        level = "urgent"
    elif p >= CONCERN_PROBABILITY and not level:
        level = "concern"
    if level and immediate_danger(text):
        level = "urgent"
    escalation = bool(level)
    about_staff = escalation and bool(_STAFF.search(_SELF_AS_STAFF.sub(" ", text)))
    searched = text[:MAX_CHARS]
    if any(pat.search(r) for r in readings(text) for pat in _inj):
        # An attempt to change the rules is refused; only a concern a pattern names goes with it.
        if by_classifier:
            return Screen("injection", truncated=truncated, text=searched, reason="prompt injection")
        return Screen("injection", escalation, level, about_staff, truncated, searched, "prompt injection")
    # A concern that names a child is still a concern: only an explicit request for a record is refused.
    if personal_data_by_pattern(text):
        # A request for a record that only the classifier reads as a concern is just that request.
        if by_classifier or any(_staff_identity.search(r) for r in readings(text)):
            escalation, level, about_staff = False, "", False
        return Screen("personal_data", escalation, level, about_staff, truncated, searched,
                      "personal information about pupils, families or staff")
    if not escalation and any(p.search(r) for r in readings(text) for p in _record_requests):
        return Screen("personal_data", False, "", False, truncated, searched, "personal information about pupils, families or staff")
    if not escalation and (personal_probability or 0.0) >= PERSONAL_DATA_PROBABILITY and personal_classifier_applies(text):
        return Screen("personal_data", False, "", False, truncated, searched,
                      "personal information about pupils, families or staff", by_classifier=True)
    why = reason or ("reads like a safeguarding concern" if escalation else "")
    return Screen("ok", escalation, level, about_staff, truncated, searched, why, by_classifier=by_classifier)
