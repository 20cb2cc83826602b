"""How fused candidates become the k passages a model sees: abbreviations spelled out in the query,
a prior for passages that state a recommendation, and no near-duplicates.

Each step is measured by `bench/retrieval_quality.py --ablation` (passage-level hit@1: is the
first passage one that states the answer?); `Ranking.v1()` is the ranking before these steps.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..sentences import normalise
from ..types import Passage

# Clinicians ask in abbreviations; guidelines often spell the term out (and a question naming only
# "AAA" shares no keyword with "abdominal aortic aneurysm"). Case-sensitive: "PE" is not "pe".
ABBREVIATIONS = {
    "AAA": "abdominal aortic aneurysm", "ACE": "angiotensin-converting enzyme", "ADHD": "attention deficit "
    "hyperactivity disorder", "AF": "atrial fibrillation", "AFib": "atrial fibrillation", "AKI": "acute kidney injury",
    "ARB": "angiotensin receptor blocker", "ASCVD": "atherosclerotic cardiovascular disease", "BMD": "bone mineral "
    "density", "BMI": "body mass index", "BP": "blood pressure", "BRCA": "BRCA1 BRCA2 breast cancer susceptibility "
    "gene", "CAD": "coronary artery disease", "CBT": "cognitive behavioral therapy", "CHD": "coronary heart disease",
    "CHF": "congestive heart failure", "CKD": "chronic kidney disease", "COPD": "chronic obstructive pulmonary disease",
    "CRC": "colorectal cancer", "CT": "computed tomography", "CVD": "cardiovascular disease", "DM": "diabetes mellitus",
    "DVT": "deep vein thrombosis", "DXA": "dual-energy x-ray absorptiometry", "ECG": "electrocardiography",
    "EKG": "electrocardiography", "ED": "emergency department", "FIT": "fecal immunochemical test",
    "FOBT": "fecal occult blood test", "GDM": "gestational diabetes mellitus",
    "GERD": "gastroesophageal reflux disease",
    "HbA1c": "glycated hemoglobin A1c", "HBV": "hepatitis B virus", "HCV": "hepatitis C virus", "HDL": "high-density "
    "lipoprotein cholesterol", "HIV": "human immunodeficiency virus", "HPV": "human papillomavirus", "HRT": "hormone "
    "replacement therapy", "HTN": "hypertension", "IBS": "irritable bowel syndrome", "ICU": "intensive care unit",
    "IPV": "intimate partner violence", "IUD": "intrauterine device", "LBP": "low back pain", "LDCT": "low-dose "
    "computed tomography", "LDL": "low-density lipoprotein cholesterol", "MDD": "major depressive disorder",
    "MI": "myocardial infarction", "MME": "morphine milligram equivalents", "MED": "morphine equivalent dose",
    "MRI": "magnetic resonance imaging", "MSM": "men who have sex with men", "mTBI": "mild traumatic brain injury",
    "NSAID": "nonsteroidal anti-inflammatory drug", "NSAIDs": "nonsteroidal anti-inflammatory drugs",
    "OA": "osteoarthritis", "OSA": "obstructive sleep apnea", "OUD": "opioid use disorder", "PAD": "peripheral "
    "artery disease", "PCI": "percutaneous coronary intervention", "PE": "pulmonary embolism", "PrEP": "preexposure "
    "prophylaxis", "PSA": "prostate-specific antigen", "PTSD": "posttraumatic stress disorder", "RA": "rheumatoid "
    "arthritis", "SSRI": "selective serotonin reuptake inhibitor", "SSRIs": "selective serotonin reuptake inhibitors",
    "STD": "sexually transmitted disease", "STI": "sexually transmitted infection", "STIs": "sexually transmitted "
    "infections", "SUD": "substance use disorder", "T1DM": "type 1 diabetes", "T2DM": "type 2 diabetes",
    "TB": "tuberculosis", "LFT": "liver function test", "LFTs": "liver function tests", "CK": "creatine kinase",
    "CIN": "contrast-induced nephropathy", "RRT": "renal replacement therapy", "CMI": "chronic multisymptom illness",
    "ICS": "inhaled corticosteroid", "ESRD": "end-stage renal disease", "GFR": "glomerular filtration rate",
    "SCA": "sickle cell anemia", "TCD": "transcranial Doppler ultrasonography", "ABI": "ankle-brachial index",
    "DBT": "digital breast tomosynthesis", "HSV": "herpes simplex virus", "CAS": "carotid artery stenosis",
    "OTC": "over-the-counter", "LARC": "long-acting reversible contraception", "ECP": "emergency contraceptive pill",
    "ECPs": "emergency contraceptive pills", "COC": "combined oral contraceptive",
    "COCs": "combined oral contraceptives", "VOC": "vaso-occlusive crisis", "COT": "chronic opioid therapy",
    "SCD": "sickle cell disease", "CMIF": "clinically meaningful improvement in function", "IV": "intravenous",
    "IM": "intramuscular", "SC": "subcutaneous", "TBI": "traumatic brain injury", "TIA": "transient ischemic attack",
    "UTI": "urinary tract infection", "VTE": "venous thromboembolism", "TG": "triglycerides", "TGs": "triglycerides",
    "LTOT": "long-term oxygen therapy", "PRP": "platelet-rich plasma", "PEP": "postexposure prophylaxis",
}
_ABBREV = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)) + r")\b")

# Clinicians (and patients) ask in everyday words; guidelines are written in clinical ones. Each
# everyday phrase adds the clinical terms to the query (for keywords and the embedder alike).
LAY_TERMS: list[tuple[str, str]] = [
    (r"\bteen(?:ager)?s?\b|\byoung people\b", "adolescents"), (r"\bkids?\b|\btoddlers?\b", "children"),
    (r"\bnewborns?\b|\bbab(?:y|ies)\b", "infants"), (r"\belderly\b|\bolder patients\b|\bseniors\b", "older adults"),
    (r"\bheart attacks?\b", "myocardial infarction"), (r"\bheart disease\b", "cardiovascular disease"),
    (r"\bhigh blood pressure\b|\bblood pressure\b", "hypertension"), (r"\bblood sugar\b", "glucose diabetes"),
    (r"\bhigh cholesterol\b", "dyslipidemia lipids statin"), (r"\bdementia\b|\bmemory (?:loss|problems)\b",
                                                             "cognitive impairment"),
    (r"\bsun (?:protection|exposure)\b|\bsunburns?\b|\btanning\b", "ultraviolet radiation skin cancer"),
    (r"\bmammograms?\b", "mammography breast cancer screening"), (r"\bpap (?:smears?|tests?)\b",
                                                                  "cervical cancer screening cytology"),
    (r"\bshots?\b|\bjabs?\b", "vaccination"), (r"\bsmok(?:e|es|ing|ers?)\b|\bcigarettes?\b", "tobacco"),
    (r"\bdrink(?:s|ing|ers?)?\b|\bbooze\b", "alcohol"), (r"\bweight[- ]loss\b|\boverweight\b", "obesity"),
    (r"\bpain ?killers?\b", "analgesics opioids"), (r"\bwater pills?\b", "diuretics"),
    (r"\bcheck(?:s|ed|ing)?\b|\btest(?:s|ed|ing)?\b", "screening"), (r"\bsuicidal (?:thoughts|ideation)\b",
                                                                        "suicide risk"),
    (r"\bmistreat(?:ed|ing|ment)?\b|\bcaregiver\b", "abuse neglect"), (r"\bbone density\b|\bbrittle bones\b",
                                                                          "osteoporosis"),
    (r"\bneedle ?sticks?\b|\bsharps injur(?:y|ies)\b", "occupational exposure"),
    (r"\bwell(?:-child)? visits?\b|\bcheck-?ups?\b", "primary care"), (r"\bbirth control\b|\bthe pill\b",
                                                                          "contraception"),
    (r"\bhormone (?:replacement )?therapy\b|\bhrt\b", "estrogen progestin"), (r"\bmenopaus\w*\b", "postmenopausal"),
    (r"\bpregnan\w*\b|\bexpecting\b", "pregnant women"), (r"\bstds?\b|\bvd\b", "sexually transmitted infections"),
    (r"\bflu\b", "influenza"), (r"\bdepressed\b|\blow mood\b", "depression"), (r"\banxious\b", "anxiety"),
    (r"\bsleep apnoea\b|\bsnor\w*\b", "obstructive sleep apnea"), (r"\bbreathing problems?\b|\bshort of breath\b",
                                                                      "dyspnea respiratory"),
    (r"\bback pain\b", "low back pain"), (r"\bjoint pain\b|\bwear and tear\b", "osteoarthritis"),
    (r"\bbleeding\b", "hemorrhage bleeding"), (r"\bblood thinners?\b", "anticoagulants"),
    (r"\bkidney\b", "renal"), (r"\bliver\b", "hepatic"), (r"\bbowel cancer\b", "colorectal cancer"),
    (r"\bweed\b|\bpot\b|\bmarijuana\b", "cannabis"), (r"\bsugar diabetes\b", "diabetes mellitus"),
    (r"\btummy\b|\bbelly\b", "abdominal"), (r"\bshingles\b", "herpes zoster"), (r"\bwatch(?:ful)? waiting\b",
                                                                                   "surveillance"),
]
_LAY = [(re.compile(p, re.IGNORECASE), terms) for p, terms in LAY_TERMS]

# A passage that states what to do: a graded statement, or recommendation language.
_RECOMMENDS = re.compile(r"\b(?:recommends?|recommended|recommendations?|should(?: not)?|suggests?|"
                         r"is indicated|are indicated|contraindicated|concludes that|insufficient)\b", re.IGNORECASE)
SCOPE_MARK = " · "  # chunking joins the short NGC scope fields' names with this


@dataclass(frozen=True)
class Ranking:
    expand_abbreviations: bool = True
    statement_prior: float = 0.25  # fused score x (1 + prior x statement strength, 0..1)
    depth: int = 90  # candidates from each ranking before fusion (statements often rank 30-90th)
    diversify: bool = True  # leave out a passage that repeats one already chosen

    @classmethod
    def v1(cls) -> Ranking:
        """The ranking before these steps (for before/after benchmarks)."""
        return cls(expand_abbreviations=False, statement_prior=0.0, diversify=False, depth=30)


def expand(query: str) -> str:
    """"Who needs LDCT?" -> "Who needs LDCT (low-dose computed tomography)?" (each abbreviation once),
    then the clinical terms for everyday words ("teenagers" -> adolescents)."""
    seen: set[str] = set()

    def spell(m: re.Match) -> str:
        word = m.group(1)
        long = ABBREVIATIONS[word]
        if word in seen or long.lower() in query.lower():
            return word
        seen.add(word)
        return f"{word} ({long})"

    expanded = _ABBREV.sub(spell, query)
    extra = [terms for rx, terms in _LAY if rx.search(query) and terms.lower() not in query.lower()]
    return f"{expanded} ({'; '.join(dict.fromkeys(extra))})" if extra else expanded


def statement_strength(p: Passage) -> float:
    """1 for a passage holding a graded statement, 0.5 for recommendation language, less for a
    passage that only says what the guideline covers."""
    if SCOPE_MARK in p.section:
        return -1.0
    if p.grade:
        return 1.0
    return 0.5 if _RECOMMENDS.search(p.text) else 0.0


def near_duplicate(a: Passage, b: Passage, threshold: float = 0.7) -> bool:
    wa, wb = set(normalise(a.text).split()), set(normalise(b.text).split())
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= threshold


def choose(candidates: list[Passage], fused: dict[str, float], k: int, ranking: Ranking) -> list[Passage]:
    """The k best of `candidates` (in fused order) after the prior, without near-duplicates."""
    if ranking.statement_prior:
        order = sorted(candidates, key=lambda p: -fused[p.chunk_id] * (1 + ranking.statement_prior
                                                                      * statement_strength(p)))
    else:
        order = list(candidates)
    chosen: list[Passage] = []
    for p in order:
        if ranking.diversify and any(near_duplicate(p, q) for q in chosen):
            continue
        chosen.append(p)
        if len(chosen) == k:
            break
    return chosen
