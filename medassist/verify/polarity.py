"""Polarity: what a statement tells the reader to do, read from where the recommendation is made.

    polarity("The USPSTF recommends against routine screening for AAA in women.") -> "against"
    polarity("There is insufficient evidence to recommend for or against it.")     -> "insufficient"

for | against | insufficient | selective | past, or None when the sentence takes no position.
"""
from __future__ import annotations

import re

from .phrases import NEGATED_LESS, NEGATED_MORE

# -- polarity: what the statement tells the reader to do ----------------------------------------
# Read in order of strength: an explicit "recommends against" or "should not" decides before a
# "recommends", and both before words like "contraindicated" that may sit in a condition
# ("for whom first-line treatment is contraindicated, suggests offering gabapentin").
_INSUFFICIENT = re.compile(
    r"\binsufficient\b(?! (?:social|support|income|sleep|intake|response|dose|dosing|weight|food|housing|resources|"
    r"vitamin|calcium|iron|fluid|caloric|exercise))|\binadequate evidence\b|\bnot (?:enough|sufficient) evidence\b|\bno recommendations? (?:could "
    r"be made |is made |can be made )?(?:for or against|either way)\b|\b(?:does|do|did) not recommend for or against\b|"
    r"\bneither for nor against\b|\b(?:cannot|can ?not|could not|unable to) (?:be )?(?:determined?|assess(?:ed)?|"
    r"recommend for or against)\b|\bevidence is (?:lacking|limited|inconclusive|conflicting|inadequate)\b|"
    r"\bI statement\b|\b(?:unclear|unknown|not known|uncertain) (?:whether|if)\b|\b(?:nobody|no one) knows\b|\bbalance of benefits and harms cannot\b", re.IGNORECASE)
# Where the recommendation is made: a recommending verb, "should", or an instruction opening the
# statement (after an optional "In adults with X," or "For patients who …,").
_CUE = re.compile(
    r"\b(?:does|do|did) not support\b|\bnot supported\b|"
    r"\b(?:recommends?|recommended|recommendation is|suggests?|suggested|advises?|advised|endorses?|encourages?)\b|"
    r"\b(?:may|can|could)\s+(?:\w+ly\s+)?(?:be\s+)?(?:use|used|prescribe|prescribed|offer|offered|give|given|receive|"
    r"take|taken|start|started|continue|continued|consider|considered|provide|provided)\b|"
    r"\b(?:is|are) (?:the )?(?:preferred|first-line|treatment of choice|drug of choice|method of choice)\b|"
    r"\b(?:should|must|need to|needs to|needs? not|ought to|still needs?)\b|\b(?:is|are) (?:still |also |usually |generally )?"
    r"(?:indicated|warranted|necessary|required|needed)\b|"
    r"(?:^|[.;:|]\s*|,\s+|\)\s+)(?:\d+[.)]\s*)?(?:\w+ly\s+)?(?:re-?(?=\w))?(?:do not|don't|never|avoid|offer|screen|use|provide|give|consider|perform|"
    r"obtain|prescribe|start|initiate|refer|assess|test|treat|educate|counsel|encourage|ensure|document|apply|"
    r"administer|transfuse|monitor|measure|evaluate|discontinue|stop|taper|hospitalize|request|reserve|limit|"
    r"include|repeat|continue|check|ask|teach|instruct|establish|maintain)\b", re.IGNORECASE)
_FLIP = re.compile(r"^\W*(?:be\s+)?(?:against|not|never|no longer)\b", re.IGNORECASE)
# An action that is itself a refusal: "should avoid X", "discontinue X", "refrain from X".
_NEGATIVE_ACTION = re.compile(r"^\W*(?:\w+ly\s+)?(?:(?:be|being)\s+)?(?:\w+ly\s+)?(?:avoid\w*|refrain\w*|discontinu\w*|stop\w*|"
                              r"cease\w*|quit\w*|taper\w*|withh[eo]ld\w*|withdraw\w*)|"
                              r"^\W*that (?:\w+ ){0,5}?(?:not be|not use|not receive|refrain|avoid|discontinue|stop)\b",
                              re.IGNORECASE)
_REFUSAL_SUBJECT = re.compile(r"^\W*(?:\w+ ){0,2}?(?:withholding|avoiding|avoidance of|stopping|discontinuing|"
                              r"discontinuation of|deprescribing|tapering|withdrawing|withdrawal of)\b", re.IGNORECASE)
_INITIAL = re.compile(r"^\W*(?:\d+[.)]\s*)?(?:(?:in|for|among|if|when|during|after|before|once|with|while)\b[^,]{0,220},\s*)?",
                      re.IGNORECASE)
_SELECTIVE = re.compile(r"\bselectively\b|\bindividual(?:ize|ized)? (?:the )?(?:decision|basis|one)\b|"
                        r"\bshared,? (?:informed )?decision\b|\bbased on (?:professional judgment|individual)\b|"
                        r"\bcase[- ]by[- ]case\b|\bmay choose\b", re.IGNORECASE)
# "(formerly seasonal affective disorder)" renames a condition; it does not date a recommendation.
_PAST = re.compile(r"(?<!\()\b(?:previously|formerly|in the past|until recently)\b|\b(?:was|were|had been) "
                   r"(?:recommended|advised|suggested|used)\b", re.IGNORECASE)
ROUTINE = re.compile(r"\broutine(?:ly)?\b|\buniversal(?:ly)?\b", re.IGNORECASE)
_NOT_RECOMMENDED = re.compile(r"\b(?:not|no longer) (?:be )?(?:recommended|suggested|advised|indicated|necessary|needed|"
                              r"required|warranted)\b|\bnever (?:needed|necessary|required|indicated)\b|\bno need\b|"
                              r"\bunnecessary\b|\bneeds? not\b|\bno longer needs?\b|\bno (?:role|place|indication)\b", re.IGNORECASE)
_WEAK_AGAINST = re.compile(r"\bavoid(?:ed|ing|s)?\b|\bdiscourage[sd]?\b|\bcontraindicated\b|\brefrain\b|"
                           r"\b(?:strong|good|convincing|sufficient|moderate) evidence against\b|\bno (?:net )?benefit\b|\bharms (?:outweigh|exceed)\b|\bineffective\b", re.IGNORECASE)
# Negations that describe who, not what to do ("never smoked", "not pregnant", "whether or not").
_NOT_POLARITY = re.compile(r"\bnever[- ]smok\w*|\b(?:have|has|had) never smoked\b|\bnot (?:currently )?pregnant\b|"
                           r"\bwhether or not\b|\bnot (?:associated|related|known|yet|at (?:increased|high) risk)\b|"
                           r"\bdo not have\b|\bwho (?:are|were|have|had|do|did) not\b|\bnot previously\b|\bnon-\w+|"
                           r"\b(?:does|do|did) not suggest\b|\bunless\b.*$|\bso that\b.*$|\b(?:wants?|wishe?s?|in order|so as) to avoid\b",
                           re.IGNORECASE)


# A negated bound is a limit, not a refusal: "not to exceed 3 g", "should not get more than 4 g".
_LIMIT = re.compile(rf"\b(?:not|never)\s+(?:to\s+)?exceed\w*|{NEGATED_MORE}|{NEGATED_LESS}", re.IGNORECASE)
# Any limit: where both sentences set one, "should not exceed 3 g" and "no more than 3 g is recommended"
# say the same, whichever way each is worded; the numbers and their bounds are compared instead.
ANY_LIMIT = re.compile(_LIMIT.pattern + r"|\b(?:no more than|at most|up to|a maximum of|limited to)\s+\S*\d|"
                        r"\b(?:beyond|more than|longer than|over)\s+\S*\d.*\b(?:not|never)\b", re.IGNORECASE)
_NEITHER = re.compile(r"\bneither\b[^.;]*\bnor\b", re.IGNORECASE)  # "Neither tamoxifen nor raloxifene should be used"

_LABELLED = re.compile(r"^\W*\*\*[^*]{2,60}:\*\*|^\W*(?:Disease/Condition|Target Population|Guideline Objective)",
                       re.IGNORECASE)


def polarity(text: str) -> str | None:
    """for | against | insufficient | selective, or None when the sentence takes no position.

    Read from where the recommendation is made: the first recommending verb (or an opening
    instruction), negated by "against" / "not" right after it, and turned by an action that is
    itself a refusal ("should avoid", "be discontinued", "refrain from")."""
    if _LABELLED.match(text):
        return None  # "**Target Population:** …" describes, it does not recommend
    plain = _NOT_POLARITY.sub(" ", text.replace("*", "")).strip()
    plain = _LIMIT.sub("at most", plain)  # "should not get more than 4 g" sets a limit; it refuses nothing
    if _INSUFFICIENT.search(plain):
        return "insufficient"
    # "previously, X was recommended": what was done, not what is recommended now ("was recommended in April
    # 2013" dates a recommendation; it does not say it was withdrawn)
    past = _PAST.search(plain)
    if past and not re.search(r"\bno longer\b", plain, re.IGNORECASE) and not (
            past.group(0).lower().startswith(("was", "were")) and re.search(r"\b(?:19|20)\d\d\b", plain)):
        return "past"
    if _SELECTIVE.search(plain):
        return "selective"
    initial = _INITIAL.match(plain)
    assert initial is not None  # every part of _INITIAL is optional: it matches any text
    body = plain[initial.end():]
    m = _CUE.search(body) or _CUE.search(plain)
    if m is None:
        if _NOT_RECOMMENDED.search(plain) or _WEAK_AGAINST.search(plain):
            return "against"
        return None
    source = body if _CUE.search(body) else plain
    cue = m.group(0).strip(" ,.;:").lower()
    after = source[m.end():]
    clause = re.split(r";|\.\s|\band\b|\bbut\b|\bwhile\b|\bwhereas\b", after, maxsplit=1)[0]
    negative = bool(re.search(r"\bnot\b|\bnever\b|n't\b", cue)) or bool(_FLIP.match(after))
    if re.match(r"(?:\d+[.)]\s*)?(?:avoid|discontinue|stop|taper)$", cue):
        negative = True
    elif not negative:
        # the action: "should [be] avoided", "recommends that the worker refrain from …"
        negative = bool(_NEGATIVE_ACTION.match(after)) or bool(re.match(r"^\W*(?:that )?(?:\w+ ){0,4}?(?:refrain|avoid)\b",
                                                                     after, re.IGNORECASE))
    if not negative and re.search(r"\b(?:not|never|no longer)\s+(?:\w+ly\s+)?(?:be\s+)?$", source[:m.start()],
                                  re.IGNORECASE):
        negative = True  # "X is not recommended", "should never be"
    if not negative and re.search(r"(?:^|[,;:]\s*)\W*(?:\d+[.)]\s*)?no\s+(?!(?:more|less|fewer|greater|longer|later|earlier|sooner)\s+than\b)"
                                  r"(?:[\w/-]+\s+){0,5}(?:(?:is|are)\s+(?:\w+ly\s+)?)?$",
                                  source[:m.start()], re.IGNORECASE):
        negative = True  # "No prophylaxis is recommended for knee arthroscopy"
    if not negative and cue.startswith("need") and re.search(r"\b(?:no|little)\s+$", source[:m.start()], re.IGNORECASE):
        negative = True  # "there is no need to repeat it"
    if not negative and _NEITHER.search(source[:m.start()]):
        negative = True
    if not negative and _REFUSAL_SUBJECT.match(source[:m.start()]):
        negative = True  # "withholding penicillin may be considered": what is recommended is a refusal
    if not negative and re.match(r"(?:\d+[.)]\s*)?(?:recommend|suggest|advis|endors)", cue) and re.search(
            r"\b(?:should|must|need|ought to)\s+(?:not|never)\b", clause):
        negative = True  # "data suggest (that) urine held for more than 4 hours should not be processed"
    if not negative and _NOT_RECOMMENDED.search(clause):
        negative = True  # "advises that measurements … are unnecessary"
    return "against" if negative else "for"
