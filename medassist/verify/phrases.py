"""The phrase table of the support check: what guidelines and answers say in different words, each
rewritten to one canonical token before words are split (read by lexicon.canonical_text).

    ("\\bbiennial(?:ly)?\\b|…", "FREQ:2y")    # (pattern, token); an upper-case TYPE:value token is a facet
"""
from __future__ import annotations

# "should not get more than 4 g" is "at most 4 g": a bound behind a negation (read as a limit, not a refusal)
NEGATED_MORE = r"\b(?:not|never)\s+(?:\w+\s+){0,3}?(?:more|greater|higher|longer) than\b"
NEGATED_LESS = r"\b(?:not|never)\s+(?:\w+\s+){0,3}?(?:less|fewer|lower|shorter) than\b"
# A named type or stage is a term, not numbers: "type 2 diabetes", "stages 1-4 CKD"
NAMED_TERM = r"\b(type|stage|phase|class|schedule|tier)s?[ -](\d{1,2}[a-c]?)(?:\s*(?:to|-|–|through)\s*(\d{1,2}[a-c]?))?\b"

# Phrases rewritten to one canonical token before words are split. Order matters: longer first.
# Facets: FREQ (how often), SEX, PREG (pregnancy), SMOKE, RISK, AGEGRP, QUANT (all / only / both), SEV (mild,
# moderate, severe), COURSE (acute, subacute, chronic), EXTENT (partial or full thickness).
# What a risk is of ("low CVD risk", after abbreviations are spelled out: "low cvd (cardiovascular disease) risk").
_NOT_AFTER_VERB = r"(?<!\bto )(?<!\bcan )(?<!\bmay )(?<!\bwill )(?<!\bmight )(?<!\bcould )(?<!\bwould )(?<!\bhelp )"
_RISK_OF = r"(?:[- ](?:acute|imminent|chronic|short[- ]term|long[- ]term|lifetime))?(?:[- ](?:cvd|cardiovascular|ascvd|chd|fracture|fall|bleeding|suicide)(?: disease)?(?: \([a-z ]+\))?)?"

_NOT_OCCASION = (r"(?! (?:next |subsequent |follow-up )?(?:visits?|encounters?|transfusions?|doses?|injections?|"
                 r"sessions?|time|occasion|appointments?|examinations?|exams?|use|further)\b)")

PHRASES: list[tuple[str, str]] = [
    # when in the course (before "only" and "after", which would take these words alone)
    (r"\b(?:the )?early (?:use|initiation|start|treatment|intervention)\b|\bearly in the course\b|\bas early as possible\b",
     "PHASE:early"),
    (r"\b(?:a |the )?(?:late|last[- ]line|last) (?:option|resort|use|treatment)\b|\bonly (?:after|once|when) (?:[\w()-]+ ){0,10}"
     r"(?:failed|fail|not worked|not helped|been ineffective)\b",
     "PHASE:late"),
    (r"\bas an? (?:alternative|adjunct)(?: or (?:an? )?(?:alternative|adjunct))? to (?!no\b)", "PHASE:alongside"),
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
     r"\bsingle[- ]time\b|\ba single (?:\w+ )?(?:screen|test|examination|measurement|dose)", "FREQ:once"),
    (r"\b(?:multiple|several|serial|repeated) (?:\w+ )?(?:screens|tests|examinations|measurements|readings)\b",
     "FREQ:repeated"),
    (r"\bthroughout (?:the )?(?:pregnancy|gestation)\b|\bat every (?:prenatal|antenatal) visit\b", "FREQ:throughout PREG:yes"),
    # how much
    (r"\blow-? to moderate-?(?:dose|intensity)\b", "DOSE:low DOSE:moderate"),
    (r"\blow[- ](?:dose|intensity)\b", "DOSE:low"),
    (r"\bmoderate[- ](?:dose|intensity)\b", "DOSE:moderate"),
    (r"\bhigh[- ](?:dose|intensity)\b", "DOSE:high"),
    # by which route, in which setting
    (r"\bintravenous(?:ly)?\b|\biv\b", "ROUTE:iv"),
    (r"\bparenteral(?:ly)?\b|\binjectable\b|\bby injection\b", "ROUTE:parenteral"),  # IV, IM or SC
    (r"\boral(?:ly)?\b|\bby mouth\b|\bpo\b", "ROUTE:oral"),
    (r"\bintramuscular(?:ly)?\b|\bim\b", "ROUTE:im"),
    (r"\bsubcutaneous(?:ly)?\b", "ROUTE:sc"),
    (r"\btopical(?:ly)?\b", "ROUTE:topical"),
    (r"\binhaled\b|\binhalation\b|\binhalers?\b", "ROUTE:inhaled"),
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
    (r"\bsevere(?:ly)?\b|\bserious(?:ly)? ill\b|\bserious(?= (?:\w+ )?(?:infections?|illness|disease|harms?|adverse))",
     "SEV:severe"),
    (r"\bsubacute\b", "COURSE:subacute"),
    (r"\bacute(?:ly)?\b", "COURSE:acute"),
    (r"\bchronic(?:ally)?\b|\blong-standing\b|\blongstanding\b", "COURSE:chronic"),
    (r"\bpartial[- ]thickness\b", "EXTENT:partial"),
    (r"\bfull[- ]thickness\b", "EXTENT:full"),
    # who
    (r"\bnon-?pregnant\b|\bnot (?:currently )?pregnant\b|\bwho are not pregnant\b", "PREG:no"),
    (r"\bpregnant (?:women|people|persons|individuals|patients)\b|\bpregnan(?:t|cy|cies)\b|\bgestation(?:al)?\b|"
     r"\bprenatal(?:ly)?\b|\bantenatal(?:ly)?\b|\bexpectant mothers?\b|\bduring pregnancy\b", "PREG:yes"),
    # breastfeeding as who (not as what is promoted: "interventions to support breastfeeding")
    (r"\bbreast-?feeding (?:women|mothers|people|persons|individuals|patients)\b|\b(?:are|is|while) breast-?feeding\b|"
     r"\blactating (?:women|mothers)\b|\bnursing mothers?\b", "PREG:breastfeeding"),
    (r"\b(?:who|that) (?:have|has|had) never smoked\b|\bnever[- ]smok(?:ed|ers?|ing)\b|\bnonsmok(?:ers?|ing)\b|"
     r"\bnon-smok(?:ers?|ing)\b|\bhave not ever smoked\b", "SMOKE:never"),
    (r"\b(?:who|that) (?:have|has|had) ever smoked\b|\bever[- ]smok(?:ed|ers?)\b|\b(?:with|who have) (?:a )?"
     r"(?:history of|past) smoking\b|\b(?:have|has) smoked\b", "SMOKE:ever"),
    (r"\bformer smokers?\b|\b(?:who|that) (?:have|has) quit smoking\b|\bex-?smokers?\b", "SMOKE:former"),
    (r"\bcurrent(?:ly)? smok(?:e|ers?|ing)\b|\b(?:who|that) (?:still |currently |continue to )?smokes?\b|"
     r"\bactive smokers?\b|\bstill smok(?:e|es|ing)\b", "SMOKE:current"),
    (rf"\bnot (?:at )?(?:high|higher|increased|elevated) risk\b|\bwithout (?:an )?increased risk\b|"
     rf"\b(?:no|without) (?:an )?(?:high|higher|increased|elevated){_RISK_OF}[- ]risk\b|"
     r"\bnot (?:\w+ ){1,3}(?:an )?(?:increased|high|higher|elevated) risk\b", "RISK:average"),
    (r"\b(?:any|a) (?:history of smoking|smoking history)\b|\bhistory of smoking\b|\bsmoking history\b", "SMOKE:ever"),
    (rf"\b(?:at )?(?:high|higher|increased|elevated|substantial|excess){_RISK_OF}[- ]risk\b|\bat risk\b", "RISK:high"),
    (rf"\b(?:at )?(?:average|normal|usual){_RISK_OF}[- ]risk\b", "RISK:average"),
    # (not the verb: "to lower cardiovascular risk", "may lower the risk")
    (rf"{_NOT_AFTER_VERB}\b(?:at )?(?:low|lower){_RISK_OF}[- ]risk\b", "RISK:low"),
    (rf"\b(?:at )?intermediate{_RISK_OF}[- ]risk\b", "RISK:intermediate"),
    (r"\bolder adults?\b|\belderly\b|\bseniors?\b|\bolder (?:people|persons|patients|individuals)\b|"
     r"\bcommunity-dwelling adults(?= aged 65\b)", "AGEGRP:older community_dwelling adults"),
    (r"\b(?:bab(?:y|ies)|infants?|newborns?)\b(?= (?:who (?:were|are) )?born\b)", " "),  # "babies born preterm": how born
    (r"\bnewborns?\b|\bneonat(?:es?|al)\b|\binfants?\b|\bbab(?:y|ies)\b", "AGEGRP:infant"),
    (r"\bchild(?:ren)?\b|\bpaediatric\b|\bpediatric\b|\bkids?\b|\bschool-aged\b", "AGEGRP:child"),
    (r"\badolescen(?:ts?|ce)\b|\bteen(?:s|agers?)\b|\byouths?\b|\byoung people\b", "AGEGRP:adolescent"),
    (r"\badults?\b|\bgrown-ups\b", "AGEGRP:adult"),
    (r"\bm(?:e|a)n\b|\bmales?\b|\bboys?\b|\bfathers?\b", "SEX:male"),
    (r"\bwom(?:e|a)n\b|\bfemales?\b|\bgirls?\b|\bmothers?\b", "SEX:female"),
    (r"\b(?:but )?not both\b|\bnever both\b|\bnot (?:together|in combination)\b", "QUANT:oneof"),
    (r"\bexcept (?:when|if|where)\b", "unless"),  # a condition, not a group left out
    (r"\bexcept(?: for| in)?\b|\bexcluding\b|\bother than\b|\bapart from\b|\bbut not\b|\bwith the exception of\b",
     "QUANT:except"),
    (r"\bincluding\b|\bas well as\b", "QUANT:incl"),
    (r"\bboth\b", "QUANT:both"),
    (r"\b(?:are|were|is|be|them) all\b|\bin each case\b", " "),  # "are all linked to": no population
    # ("each transfusion", "every visit" say when, not who)
    (rf"\ball\b|\bevery(?:one| patient| adult| person)?\b{_NOT_OCCASION}|\bregardless of\b|\beach\b{_NOT_OCCASION}|"
     rf"\buniversal(?:ly)?\b|\bany\b{_NOT_OCCASION}|\bwhatever\b|\birrespective of\b", "QUANT:all"),
    (r"\bonly\b|\bsolely\b|\bexclusively\b|\blimited to\b|\brestricted to\b", "QUANT:only"),
    # same thing, other words
    (r"\bnarcotics?\b", "opioid"),
    (r"\bdeaths?\b", "mortality"),
    (r"\bback[- ]ups?\b", "backup"),
    (r"\bput(?:s|ting)? off\b", "postpone"),
    (r"\bblood sugars?\b", "blood glucose"),
    (r"\b(?:glycated |glycosylated )?ha?emoglobin a1c\b|\bglyc(?:ated|osylated) ha?emoglobin\b", "hba1c"),
    (r"\brul(?:e|es|ed|ing) out\b|\bpreclud(?:e|es|ed|ing)\b", "exclude"),
    (r"\bmultiple\b", "several"),
    (r"\btitrat(?:e|es|ed|ing|ion)\b", "adjust"),
    (r"\bglyc(?:a)?emic\b", "glucose"),
    (r"\bideally\b", "preferably"),
    (r"\bsen[dt](?:s|ing)? (?:\w+ )?home\b", "discharge home"),
    (r"\blos(?:e|es|ing|s)\b", "reduce"),  # "losing 10 pounds" is "a weight reduction of 10 pounds"
    (r"\bbr(?:ing|ings|inging|ought) (?:\w+ ){0,3}down\b", "reduce"),
    (r"\brais(?:e|es|ed|ing)\b(?! (?:(?:those|these|the|any|such) )?(?:awareness|concerns?|questions?|issues?))", "increase"),
    (r"\bmak(?:e|es|ing) sure\b", "ensure"),
    (r"\b(?<=an )earlier\b", "prior"),  # "in an earlier pregnancy" (not "start earlier")
    (r"\btak(?:e|es|ing|en) (?:\w+ ){0,3}into (?:account|consideration)\b", "consider"),
    (r"\binitial\b", "first"),
    (r"\bcommunity[- ]dwelling\b|\bnon-?institutionali[sz]ed\b|\bliving in the community\b", "community_dwelling"),
    (r"\bsymptom[- ]free\b|\bwithout (?:any )?(?:signs (?:and|or) )?symptoms\b|\b(?:who )?(?:have|has|with) no "
     r"(?:signs (?:and|or) )?symptoms\b|\basymptomatic\b|\b(?:do|does) not (?:have|show) (?:any )?(?:signs (?:and|or) )?"
     r"symptoms\b",
     "asymptomatic SYMPT:no"),
    (r"\bsymptomatic\b", "symptomatic SYMPT:yes"),
    # (read before the words, which stay: "with new symptoms", "who have respiratory symptoms")
    (r"(?=\b(?:with|who (?:already )?(?:have|has|show|shows|display|present with|continue to have)) "
     r"(?:(?:the )?signs (?:and|or) )?(?:[a-z]+ )?"
     r"symptoms\b)", "SYMPT:yes"),
    (r"\b(?:nobody|no one) knows\b|\bnot known\b|\bunknown\b", "unknown"),
    (r"\bcalls? for\b", "recommend"),
    (r"\bdeep ve(?:in|nous) thrombos[ie]s\b", "dvt"),
    (r"\bpulmonary embol(?:ism|us|i)\b", "pulmonary_embolism"),
    (r"\bultrason(?:ography|ographic|ic|ound)s?\b|\bsonograph(?:y|ic)\b|\bsonograms?\b|\bduplex\b", "ultrasound"),
    (r"\bcomputed tomograph(?:y|ic)\b|\bct scans?\b|\bcat scans?\b", "ct"),
    (r"\bmagnetic resonance imaging\b|\bmri scans?\b|\bmr imaging\b", "mri"),
    (r"\bx-?rays?\b|\bradiograph(?:y|s|ic)?\b|\bplain films?\b|\bradiographic imaging\b", "radiograph"),
    (r"\bmammogra(?:ms?|phy|phic)\b", "mammography"),
    (r"\bmontreal cognitive assessment\b", "moca"),
    (r"\bmini[- ]mental state exam(?:ination)?\b", "mmse"),
    (r"\bgroup (?=(?:\w+ )?(?:therapy|psychotherapy|sessions?|counsel\w*|treatment|format|cbt|visits?)\b)", "DELIVERY:group "),
    (r"\bindividual(?:ly)?(?:,)? (?=(?:\w+[ -]){0,3}(?:therapy|psychotherapy|sessions?|counsel\w*|format|cbt)\b)",
     "DELIVERY:individual "),
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
    (r"\bre-?(?:check|test|assess|evaluat|examin|screen)\w*\b|\blook(?:ed)? at (?:it |them )?again\b|\brepeat(?:ed|ing)? "
     r"(?:the )?(?:test|check|assessment|evaluation)s?\b", "repeat examine"),
    (r"\bpromptly\b|\bimmediately\b|\bstraight away\b|\bright away\b|\bwithout delay\b", "immediately"),
    (r"\brefer(?:s|red|ring|ral|rals)?\b", "refer"),
    (r"\bongoing\b", "continuing"),
    (r"\benough\b|\bsufficient\b", "sufficient"),
    (r"\b(?:anyone|anybody|everyone|everybody|someone|somebody)(?: else)?\b|\ba person\b", "patient"),
    (r"\btest(?:s|ed|ing)?\b|\bscreen(?:s|ed|ing|ings)?\b|\bcheck(?:s|ed|ing)?\b|\bassess(?:es|ed|ing|ment)?\b|"
     r"\bevaluat(?:e|es|ed|ing|ion)\b|\bexamin(?:e|ed|ing|ation)s?\b|\bmeasur(?:e|es|ed|ing|ement)s?\b|"
     r"\bmonitor(?:s|ed|ing)?\b|\breadings\b", "examine"),
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
    (r"\bpre-?op(?:erative(?:ly)?)?\b", "preoperative"),  # "pre-operative" is "preoperative" (no timing: it names the visit)
    (r"\bpost-?op(?:erative(?:ly)?)?\b", "postoperative TIME:after"),
    (r"\bon the (?:same )?day of\b|\bthe same day as\b", "TIME:during"),
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
    (r"\bace inhibitors?\b|\bangiotensin[- ]converting[- ]enzyme (?:\(ace(?: \([^()]*\))?\) )?inhibitors?\b|\bacei\b", "acei"),
    (r"\bcautio(?:n|us|usly)\b|\bcareful(?:ly)?\b|\bprudent(?:ly)?\b", "caution"),
]
