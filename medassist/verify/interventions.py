"""Tests, procedures and drugs: a claim that names another one than the passage is contradicted.

Terms are compared in the support check's canonical form (lexicon.concepts): stemmed words, with
"ultrasonography" and "ultrasound" already one. Drugs not listed are still recognised by the
endings of international non-proprietary names (-statin, -pril, -mab …).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import stem, word_for

# class -> terms (as written; compared stemmed). One class holds things a clinician would choose between.
CLASSES: dict[str, tuple[str, ...]] = {
    "imaging": ("ultrasound", "ct", "mri", "radiograph", "mammography", "tomosynthesis", "pet", "dxa", "densitometry",
                "echocardiography", "angiography", "fluoroscopy", "scintigraphy", "myelography", "discography",
                "thermography", "spect", "elastography"),
    "endoscopy": ("colonoscopy", "sigmoidoscopy", "endoscopy", "bronchoscopy", "cystoscopy", "colonography",
                  "laparoscopy", "arthroscopy"),
    "test or measurement": ("psa", "hba1c", "glucose", "bloodpressure", "lipid", "cholesterol", "triglyceride",
                            "creatinine", "ferritin", "hemoglobin", "tsh", "serology", "culture", "pcr", "naat",
                            "cytology", "pap", "biopsy", "urinalysis", "fobt", "fit", "dna", "antigen", "antibody",
                            "ggt", "transaminase", "albumin", "microalbumin", "apolipoprotein", "lipoprotein",
                            "troponin", "natriuretic", "d-dimer", "electrocardiography", "spirometry", "audiometry",
                            "tuberculin", "igra"),
    "questionnaire": ("audit", "phq", "phq-2", "phq-9", "gad-7", "cage", "sasq", "aces", "mmse", "moca", "epds",
                      "questionnaire", "inventory", "scale"),
    "drug": ("aspirin", "heparin", "warfarin", "statin", "metformin", "insulin", "sulfonylurea", "thiazide",
             "diuretic", "beta-blocker", "acetaminophen", "paracetamol", "ibuprofen", "naproxen", "nsaid", "opioid",
             "morphine", "oxycodone", "hydrocodone", "codeine", "tramadol", "methadone", "buprenorphine", "naloxone",
             "naltrexone", "gabapentin", "pregabalin", "duloxetine", "amitriptyline", "sertraline", "fluoxetine",
             "paroxetine", "citalopram", "escitalopram", "venlafaxine", "bupropion", "mirtazapine", "trazodone",
             "benzodiazepine", "diazepam", "lorazepam", "alprazolam", "clonazepam", "zolpidem", "prazosin",
             "risperidone", "quetiapine", "olanzapine", "aripiprazole", "lithium", "valproate", "topiramate",
             "acamprosate", "disulfiram", "varenicline", "nicotine", "cytisine", "hydroxyurea", "penicillin",
             "amoxicillin", "doxycycline", "azithromycin", "ceftriaxone", "ciprofloxacin", "antibiotic",
             "antiviral", "tenofovir", "emtricitabine", "oseltamivir", "corticosteroid", "steroid", "prednisone",
             "dexamethasone", "hydrocortisone", "botulinum", "lidocaine", "ketamine", "vitamin_d", "vitamin_b12",
             "vitamin_e", "vitamin_a", "vitamin_c", "vitamin_k", "calcium", "folic", "folate", "iron", "fluoride",
             "zinc", "magnesium", "estrogen", "progestin", "tamoxifen", "raloxifene", "aromatase", "bisphosphonate",
             "alendronate", "testosterone", "levothyroxine", "oxytocin", "misoprostol", "magnesium_sulfate",
             "antihypertensive", "anticoagulant", "antiplatelet", "clopidogrel", "ppi", "antidepressant",
             "antipsychotic", "stimulant", "methylphenidate", "melatonin", "cannabis", "cannabinoid", "placebo",
             "vaccine", "immunization", "immunoglobulin", "contraceptive", "iud", "orlistat",
             "acetylcysteine",
             "tiotropium", "levonorgestrel", "hcg", "sealant", "varnish", "crystalloid", "saline", "bicarbonate",
             "epinephrine", "adrenaline", "atropine", "oxygen", "glucagon", "sumatriptan", "triptan", "ondansetron",
             "metoclopramide", "loperamide", "colchicine", "allopurinol", "methotrexate", "hydroxychloroquine",
             "levetiracetam", "carbamazepine", "phenytoin", "buspirone", "hydroxyzine", "clonidine", "propranolol",
             "chlorthalidone", "indapamide", "hydrochlorothiazide", "spironolactone", "amlodipine", "lisinopril",
             "losartan", "acei", "arb", "meperidine", "fentanyl", "hydromorphone", "tapentadol", "chondroitin",
             "glucosamine"),
    # a use of drugs, not a drug: PrEP is tenofovir/emtricitabine taken before exposure; chosen against PEP
    "prophylaxis": ("prep", "pep"),
    "procedure": ("surgery", "arthroplasty", "fusion", "discectomy", "laminectomy", "injection", "acupuncture",
                  "manipulation", "massage", "biofeedback", "tens", "traction", "ablation", "stent", "bypass",
                  "amputation", "transfusion", "dialysis", "catheterization", "intubation", "cesarean", "induction",
                  "cbt", "psychotherapy", "counseling", "exercise", "physical therapy", "splint", "brace", "orthosis",
                  "cast", "cryotherapy", "heat", "ultraviolet", "phototherapy", "radiotherapy", "chemotherapy",
                  "immunotherapy", "hemodialysis", "prolotherapy", "cpap", "yoga", "tai", "meditation", "sealing",
                  "hysterectomy", "mastectomy", "colectomy", "lumpectomy", "vasectomy", "tubal", "circumcision",
                  "bronchodilator", "inhaler", "nebulizer", "pessary", "brachytherapy"),
}
_DRUG_ENDING = re.compile(r"(?:mab|nib|pril|sartan|olol|statin|azole|cillin|mycin|cycline|floxacin|prazole|tidine|"
                          r"dipine|azepam|zolam|oxetine|triptyline|idone|apine|caine|parin|xaban|gatran|afil|gliptin|"
                          r"glitazone|flozin|glutide|lukast|dronate|profen|fenac|coxib|vir|setron)$")


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """stemmed term -> class"""
    return {stem(t.lower()) if "_" not in t else t: cls for cls, terms in CLASSES.items() for t in terms}


# Words for a whole class: a claim saying "opioids" where the passage says "morphine" names no other thing.
GENERIC = frozenset(["opioid", "antibiotic", "antiviral", "antidepressant", "antipsychotic", "anticoagulant",
                     "antiplatelet", "antihypertensive", "steroid", "corticosteroid", "vaccine", "immunization",
                     "contraceptive", "medication", "drug", "stimulant", "benzodiazepine", "nsaid", "statin",
                     "diuretic", "supplement", "questionnaire", "inventory", "scale", "surgery", "injection",
                     "counseling", "exercise", "psychotherapy"])


def classify(token: str) -> str | None:
    known = _index().get(token)
    if known:
        return known
    return "drug" if len(token) > 6 and _DRUG_ENDING.search(token) else None


def intervention_conflict(claim: list[str], passage: list[str], claim_text: str = "",
                          passage_text: str = "") -> str | None:
    """The claim names a test, procedure or drug the passage does not, where the passage names another
    of the same kind: "the claim names CT; the passage names ultrasound"."""
    theirs: dict[str, list[str]] = {}
    for t in passage:
        cls = classify(t)
        if cls:
            theirs.setdefault(cls, []).append(t)
    generic = {stem(g) for g in GENERIC}
    for t in dict.fromkeys(claim):
        cls = classify(t)
        if cls and t not in generic and t not in passage and theirs.get(cls):
            named = ", ".join(dict.fromkeys(word_for(x, passage_text) for x in theirs[cls]))
            return f"{cls}: the claim names {word_for(t, claim_text)}; the passage names {named}"
    return None
