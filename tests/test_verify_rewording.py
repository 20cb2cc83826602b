"""The support check on reworded claims, on real starter-library passages: a faithful paraphrase in
other words is supported (synonyms, limits said either way, acronyms, named stages and types), and the
wrong claims those allowances could let through are still caught (scope, formulation, a condition the
passage excludes, a refusal in other words)."""
from __future__ import annotations

import pytest

from medassist.verify.facets import facets
from medassist.verify.lexicon import concepts, stem
from medassist.verify.polarity import polarity as polarity_of
from medassist.verify.synonyms import matches
from medassist.verify.units import spelled_out

from .test_verify import assert_twin, passages_of, verdict

REWORDED = [
    # "exam" for "examination", "sent" for "referred", "full" for "complete"
    ("ngc-11299", "Children with positive findings should be referred for a complete eye examination",
     "A child who screens positive should be sent for a full eye exam to confirm the problem and for treatment."),
    # "not routinely required" for "routine … not necessary"; "test" for "testing"
    ("ngc-11099", "Routine pregnancy testing for every woman is not necessary.",
     "A pregnancy test is not routinely required for every woman starting contraception."),
    # a limit said as a refusal ("should not get more than") and as an instruction ("receive no more than")
    ("ngc-10536", "Clinicians should ensure that patients receive no more than four grams of acetaminophen",
     "Patients should not get more than 4 g of acetaminophen a day from all prescription and over-the-counter sources "
     "combined."),
    # "stage 1 to 4" is "stages 1-4", a named stage and not a range of numbers
    ("ngc-10628", "In adult patients with stages 1-4 CKD, the guideline panel recommends",
     "For adults with stage 1 to 4 chronic kidney disease, the blood pressure target should be below 140/90 mmHg."),
    # "type 2" names the diabetes; it is no number the passage must state
    ("ngc-11213", "The Work Group recommends performing a comprehensive foot risk assessment annually.",
     "People with type 2 diabetes should have a comprehensive foot risk assessment every year."),
    # "strong evidence against" recommends against
    ("ngc-10647", "There is strong evidence against the use of bed rest in acute low back pain",
     "Bed rest should not be used for acute low back pain without neurologic symptoms; the evidence against it is "
     "strong."),
    # an instruction opening with "Re-check" recommends as "Check" does
    ("ngc-10207", "Re-check unstably housed patients with negative result every 6 months",
     "Unstably housed patients who test negative should be tested again every 6 months."),
    # "a month" is "30 days"; "two weeks" is "14 days"
    ("ngc-10949", "For patients with new symptoms that develop more than 30 days after mTBI",
     "When new symptoms develop more than a month after mTBI, the Work Group suggests a focused diagnostic work-up "
     "specific to those symptoms only."),
    ("ngc-9597", "Evidence does not support the use of opioids as initial treatment for back sprain",
     "Evidence does not support opioids as initial treatment for back sprain, and if they are prescribed, use "
     "should be limited to two weeks or less."),
    # "low-risk" is "low CVD risk" (the risk named, or its abbreviation spelled out)
    ("ngc-10627", "The Work Group suggests CVD risk assessment every five years for patients with low CVD risk",
     "Patients at low cardiovascular risk who are not on a statin should have their CVD risk assessed every five "
     "years."),
    # an "anti-HCV antibody test" is testing for anti-HCV; a "tiotropium inhaler" is inhaled tiotropium
    ("ngc-9986", "All potential organ donors (living or deceased) should be tested for both anti-HCV",
     "All potential organ donors should be tested with an anti-HCV antibody test and for HCV RNA by NAT."),
    ("ngc-10629", "The guideline panel recommends inhaled tiotropium as first-line therapy",
     "For confirmed, stable COPD with respiratory symptoms and severe airflow obstruction (FEV1 below 50%), a "
     "tiotropium inhaler is the recommended first-line therapy."),
    # "before each transfusion" says when, not that it applies to all; "prosthesis" is a form of "prosthetic"
    ("ngc-10534", "maintain a HbS level of below 30 percent immediately prior to the next transfusion",
     "In chronically transfused children with SCA, HbS should be kept below 30% before each transfusion."),
    ("ngc-10535", "scheduled follow-up contact for patients with upper extremity amputation",
     "Patients with upper limb amputation should get routine scheduled follow-up contact from the care team at "
     "least every 12 months, whether or not they use a prosthesis."),
    # "want to avoid pregnancy" is a purpose, not a refusal
    ("ngc-11099", "Contraceptive protection is still needed for women aged >44 years",
     "Women older than 44 who want to avoid pregnancy still need contraceptive protection."),
    # an "excess risk" is an increased risk
    ("ngc-9978", "Lithium should be considered for patients diagnosed with bipolar disorder",
     "For bipolar disorder without contraindications to lithium, lithium should be considered because it lowers the "
     "excess risk of suicide."),
    # "community-dwelling" is "noninstitutionalized"; "plus" joins as "and" does
    ("ngc-9627", "The USPSTF recommends against daily supplementation with 400 IU or less of vitamin D3",
     "Community-dwelling postmenopausal women should not take 400 IU or less of vitamin D3 plus 1,000 mg or less "
     "of calcium daily to prevent fractures."),
    # "aged 65+" is "65 years or older"; "injectable" is "parenteral"; "narcotic" is "opioid"
    ("ngc-10920", "This recommendation applies to asymptomatic adults 65 years or older",
     "It applies to asymptomatic adults aged 65+ who don't present to primary care with vision problems."),
    ("ngc-10997", "recommends parenteral penicillin G benzathine for the treatment of syphilis",
     "The CDC's 2015 STD treatment guidelines recommend injectable benzathine penicillin G for syphilis."),
    ("ngc-11260", "The total daily dose of acetaminophen is recommended not to exceed three grams",
     "No more than 3 g of acetaminophen should be taken per 24 hours from all sources, including "
     "opioid-acetaminophen combinations."),
    # "MI" is "myocardial infarction" (a known abbreviation, also where the passage spells it out); titrated is adjusted
    ("ngc-11213", "The Work Group recommends insulin be adjusted to maintain a blood glucose level between 110",
     "For critically ill patients or those with an acute MI who have type 2 diabetes, the Work Group recommends "
     "insulin be titrated to a blood glucose of 110 to 180 mg/dL."),
    # "within a week" is a duration ("within seven days"), not "weekly"; "as long as a month" is "up to one month"
    ("ngc-9978", "Patients who are discharged from acute care (hospitalization, Emergency Department) remain",
     "Patients discharged from the emergency department remain at high risk for suicide and should be followed up "
     "within a week of discharge."),
    ("ngc-10208", "If refrigeration is unavailable, insulin can be safely stored at temperatures between 36",
     "If refrigeration is unavailable, insulin can be safely stored at 36 to 86 degrees Fahrenheit for as long as a "
     "month."),
    # "who have never had" excludes as "without a history of" does; "except when" is "unless"
    ("ngc-11050", "No prophylaxis is recommended for knee arthroscopy in patients without a history",
     "Patients having knee arthroscopy who have never had a venous thrombosis need no prophylaxis."),
    ("ngc-11238", "The Work Group recommends Cognitive Behavioral Therapy for Insomnia (CBT-I) for insomnia",
     "CBT-I is recommended for insomnia in patients with PTSD, except when an underlying medical or environmental "
     "etiology is identified."),
    # breastfeeding says who, as pregnancy does; "any use" is no population; "backup" is "back up"
    ("ngc-11091", "Breastfeeding is not recommended for 24 hours after taking ulipristal acetate",
     "Women should not breastfeed for 24 hours after taking ulipristal acetate (UPA)."),
    ("ngc-11260", "Minor tranquilizers and muscle relaxants are generally not recommended for use in patients",
     "For cumulative trauma conditions, minor tranquilizers and muscle relaxants are generally not recommended, and "
     "any use should be limited to two weeks in total."),
    ("ngc-10535", "The care team should offer active prosthesis users at least one back up device",
     "The care team should offer active prosthesis users at least one backup device to keep function consistent."),
    # "65+" is "aged 65 years or older" (the statement's "community-dwelling adults aged 65" keeps its number)
    ("ngc-9627", "The USPSTF recommends vitamin D supplementation (the median dose of vitamin D",
     "For community-dwelling people 65+ at increased risk for falls, the USPSTF recommends vitamin D to prevent "
     "falls (B recommendation)."),
    # "fall outside the recommendation" is "does not apply to"
    ("ngc-10746", "It does not apply to children whose parents or clinicians raise those concerns",
     "Children whose parents or clinicians have raised concerns fall outside the recommendation and should be "
     "evaluated, and treated if necessary."),
]


@pytest.mark.parametrize("doc, statement, claim, says", [
    # the scope reversed: "included" where the passage says it does not apply
    ("ngc-10746", "It does not apply to children whose parents or clinicians raise those concerns",
     "Children whose parents or clinicians raise concerns about their speech are included in this recommendation.",
     "covers"),
    # the formulation: extended-release where the passage says immediate-release
    ("ngc-10953", "When opioids are used for acute pain, clinicians should prescribe the lowest effective dose",
     "For acute pain, clinicians should prescribe extended-release opioids at the lowest effective dose.",
     "formulation"),
    # a condition the passage excludes: "with obesity" where it says "without obesity"
    ("ngc-11242", "individualize the decision to offer or refer adults without obesity",
     "The USPSTF says clinicians should individualize the decision to refer adults with obesity to diet and physical "
     "activity counseling.", "excludes"),
    # "Neither X nor Y should be used" refuses both
    ("ngc-10056", "Neither tamoxifen nor raloxifene should be used in women who have a history",
     "Tamoxifen or raloxifene can be used safely in women with a history of deep venous thrombosis or pulmonary "
     "embolism.", "recommended against"),
    # "need not be considered" refuses what the passage recommends
    ("ngc-10097", "Any abnormality that lasts for more than 2 weeks should be reevaluated",
     "A lesion lasting over 2 weeks can usually just be observed; biopsy need not be considered.", "recommended"),
    # against "strong evidence against", a recommendation for
    ("ngc-10647", "There is strong evidence against the use of bed rest in acute low back pain",
     "Bed rest is recommended for acute low back pain without neurologic symptoms.", "recommended against"),
    # "no longer recommended" refuses
    ("ngc-10208", "Twenty four-hour urine testing is no longer recommended for screening",
     "For homeless patients with diabetes, a 24-hour urine collection is recommended to screen for kidney disease.",
     "recommended against"),
    # the risk named: "intermediate CVD risk" where the passage says low
    ("ngc-10627", "The Work Group suggests CVD risk assessment every five years for patients with low CVD risk",
     "Patients at intermediate CVD risk who are not on statin therapy should have CVD risk assessed every five "
     "years.", "risk level"),
    # "no longer need" refuses what "is still needed" recommends
    ("ngc-11099", "Contraceptive protection is still needed for women aged >44 years",
     "Women older than 44 no longer need contraceptive protection.", "recommended against"),
    # a list item describing the evidence recommends nothing: the D statement beside it decides
    ("ngc-10510", "The USPSTF recommends against routine screening for AAA in women who have never smoked",
     "The USPSTF recommends routine one-time ultrasound screening for AAA in women who have never smoked.",
     "recommended against"),
    # "injectable" is parenteral, not oral
    ("ngc-10997", "recommends parenteral penicillin G benzathine for the treatment of syphilis",
     "The CDC's 2015 STD treatment guidelines recommend oral benzathine penicillin G for syphilis.", "route"),
    # "No prophylaxis is recommended" refuses; "a single measurement" is not "multiple tests"
    ("ngc-11050", "No prophylaxis is recommended for knee arthroscopy in patients without a history",
     "Prophylaxis is recommended for knee arthroscopy in patients without a history of venous thrombosis.",
     "recommended against"),
    ("ngc-10708", "Multiple tests should be done over a 3- to 6-month interval",
     "A single test should be done to confirm or rule out abnormal findings.", "frequency"),
    # a claim about patients already on a statin, where the passage says "not on statin therapy"
    ("ngc-10627", "The Work Group suggests CVD risk assessment every two years for patients with intermediate",
     "The Work Group suggests CVD risk assessment every two years for patients at intermediate CVD risk who are "
     "already on statin therapy.", "excludes statin"),
    # "a late option, only after other treatments have failed" where the passage recommends early use
    ("ngc-10629", "recommends the early use of non-invasive ventilation (NIV) in patients with acute",
     "NIV should be kept as a late option in acute COPD exacerbations, used only after other treatments have "
     "failed.", "late"),
    # a timing chosen over the one the passage gives
    ("ngc-9597", "Workers on buprenorphine need special anesthesia care and should have a consult",
     "Workers on buprenorphine need special anesthesia care and should have a consult after surgery rather than "
     "before it.", "timing"),
    # asymptomatic women where the passage speaks of women with signs and symptoms of preterm labour
    ("ngc-11385", "The Work Group recommends considering the use of fetal fibronectin testing",
     "Fetal fibronectin testing should be considered in asymptomatic pregnant women between 24 and 34 weeks.",
     "symptoms"),
    # "with contraindications" where the passage says "with no contraindications"
    ("ngc-10536", "In patients with no contraindications to pharmacologic therapy, clinicians should consider",
     "In patients with contraindications to pharmacologic therapy, clinicians should consider acetaminophen or "
     "oral NSAIDs first line.", "excludes contraind"),
    # strong evidence where the passage says the evidence is limited
    ("ngc-10853", "Evidence on the optimal rescreening interval for adults with an initial normal glucose",
     "Strong evidence establishes the optimal rescreening interval for adults with a normal initial glucose test.",
     "strength of evidence"),
    # a limit worded either way still disagrees with going beyond it
    ("ngc-10646", "use beyond 30 days after non-traumatic injuries",
     "Continuing opioids beyond 30 days after a non-traumatic injury is recommended if pain persists.",
     "recommended against"),
])
def test_wrong_claims_the_rewording_allowances_could_let_through_are_contradicted(doc, statement, claim, says):
    v = verdict(claim, passages_of(doc, statement))
    assert v.verdict == "contradicted", v.reason
    assert says in v.reason


def test_a_reversed_preference_between_formulations_is_caught():
    opioids = passages_of("ngc-10953", "clinicians should prescribe immediate-release opioids instead of")
    v = verdict("When starting opioid therapy for chronic pain, clinicians should prescribe "
                "extended-release/long-acting opioids instead of immediate-release opioids.", opioids)
    assert v.verdict == "contradicted" and "prefers" in v.reason and "FORM:" not in v.reason, v.reason


def test_synonyms_match_common_senses_only_and_never_facts():
    assert matches(stem("exam"), {stem("examination")})
    assert matches(stem("required"), {stem("necessary")})  # "requirement" and "necessity" share a sense
    assert matches(stem("yearly"), {stem("annual")})
    for a, b in [("increase", "decrease"), ("man", "woman"), ("aspirin", "heparin"), ("annual", "biennial"),
                 ("child", "adult"), ("before", "after")]:
        assert not matches(stem(a), {stem(b)}), (a, b)
    assert not matches("SEX:male", {"SEX:female"}) and not matches("65", {"75"})


def numbers(text: str) -> list[tuple]:
    return [(q.value, q.unit, q.bound) for q in facets(text).quantities]


def test_numbers_said_in_gestational_and_newborn_notation_and_named_stages():
    assert numbers("at 41 weeks and 0/7 days") == [(41, "week", None), (0, "day", None)]
    assert numbers("from newborn to age 18 years") == [(0, "year", "min"), (18, "year", "max")]
    assert numbers("from birth to 18") == numbers("from newborn to age 18 years")
    assert numbers("adults with type 2 diabetes") == [] and numbers("stages 1-4 CKD") == []
    assert "stage_1to4" in concepts("stages 1-4 CKD")
    assert "stage_1to4" in concepts("stage 1 to 4 chronic kidney disease")
    assert "stage_1to3" not in concepts("stages 1-4 CKD")
    assert numbers("should not get more than 4 g a day") == [(4, "g", "max")] == numbers("no more than 4 g a day")


def test_an_acronym_the_passages_spell_out_is_read_as_their_words():
    opioids = passages_of("ngc-11178", "The Work Group recommends against opioid doses over 90 mg morphine equivalent")
    v = verdict("The VA/DoD issues only a weak recommendation against opioid doses above 90 MEDD.", opioids)
    assert v.verdict == "contradicted" and "grade" in v.reason, v.reason  # MEDD: morphine equivalent daily dose
    texts = ["screening using a standardized tool such as the Edinburgh Postnatal Depression Scale"]
    assert spelled_out("Screen with the EPDS.", texts) == "Screen with the Edinburgh Postnatal Depression Scale."
    assert spelled_out("Screen with the EPDS.", [*texts, "the EPDS has 10 items"]) == "Screen with the EPDS."
    assert spelled_out("Use the VA scale.", ["venlafaxine as monotherapy"]) == "Use the VA scale."  # two letters: no


def test_an_answer_about_one_bodys_guideline_is_not_supported_by_another_bodys_statement():
    aspirin = passages_of("ngc-10602", "The USPSTF recommends the use of low-dose aspirin (81 mg/d)")
    claim = ("Low-dose aspirin (81 mg/d) should be started after 12 weeks of gestation in women at high risk for "
             "preeclampsia.")
    asked = "In the VA/DoD pregnancy guideline, how early should low-dose aspirin be started for preeclampsia?"
    v = verdict(claim, aspirin, question=asked)
    assert v.verdict == "not_found" and "USPSTF" in v.reason and "VA/DoD" in v.reason, v.reason
    said = verdict("The USPSTF recommends the use of low-dose aspirin (81 mg/d) as preventive medication after 12 "
                   "weeks of gestation in women who are at high risk for preeclampsia.", aspirin, question=asked)
    assert said.verdict == "not_found" and "USPSTF" in said.reason, said.reason  # true, but not what was asked
    assert verdict(claim, aspirin).verdict == "supported"  # asked about no body, or about the USPSTF: supported
    compared = "Do the USPSTF and the VA/DoD agree on when to start aspirin for preeclampsia?"
    assert verdict(claim, aspirin, question=compared).verdict == "supported"  # a comparison asks about both
    assert verdict(claim, aspirin, question="What does the USPSTF recommend on aspirin in pregnancy?").verdict \
        == "supported"


WORDS_PEOPLE_USE = [
    # "ACE inhibitor" is "ACEI" (not "angiotensin-converting enzyme" plus a stray "inhibitor")
    ("ngc-10628", "In patients with diabetes, hypertension, and albuminuria, the guideline panel recommends",
     "Unless intolerance is documented, people with diabetes, hypertension and albuminuria should get an ACE "
     "inhibitor or ARB to slow CKD progression."),
    # "symptom-free" is "asymptomatic"
    ("ngc-11122", "The USPSTF recommends against routine serologic screening for genital herpes simplex virus",
     "Blood tests to screen symptom-free people for genital herpes aren't recommended by the USPSTF."),
    # "nobody knows whether" is "it is unknown whether"
    ("ngc-11177", "It is also unknown whether performing screening pelvic examinations",
     "According to the guideline, nobody knows whether screening pelvic exams more often than every three to five "
     "years (the cervical cancer screening interval) do any good."),
    # "steroids" for "corticosteroids": the passage names a kind of the drug the claim names
    ("ngc-11288", "the Work Group recommends against the use of systemic corticosteroids",
     "Oral or intramuscular systemic steroids should not be used for acute or chronic low back pain, whether or not "
     "there's radiculopathy (strong against)."),
    # "are all linked to" says nothing about a population
    ("ngc-11162", "Risk factors associated with OSA include male sex, older age",
     "Being male, being 40-70, being postmenopausal, having a higher BMI, and craniofacial or upper airway "
     "abnormalities are all linked to obstructive sleep apnea."),
    # "a month before conception" is a time, not "monthly"
    ("ngc-11385", "The Work Group recommends folic acid (at least 400 micrograms daily)",
     "Folic acid, at least 400 micrograms a day, should be started a month before conception and continued through "
     "pregnancy and breastfeeding."),
    # "150 minutes/week" is "150 minutes a week"
    ("ngc-10511", "moderate-intensity physical activity performed for at least 150 minutes/week to result in weight",
     "For weight loss, comprehensive lifestyle programs should include at least 150 minutes a week of "
     "moderate-intensity activity (grade A)."),
    # DVT is deep venous thrombosis; a pulmonary embolus is a pulmonary embolism
    ("ngc-10056", "Neither tamoxifen nor raloxifene should be used in women who have a history",
     "Women with a past DVT, pulmonary embolism, stroke or TIA should not be given tamoxifen or raloxifene."),
    # "call for" recommends; "the general US population" is "the general U.S. population", birth is newborn
    ("ngc-11362", "Diagnostic guidelines recommend surgical removal of the complete ovary",
     "To find out whether ovarian cancer is present, guidelines call for removing the whole ovary or ovaries rather "
     "than taking a biopsy."),
    ("ngc-9926", "This recommendation applies to children in the general U.S. population from newborn",
     "It covers children in the general US population from birth to 18 who have no signs or symptoms of "
     "maltreatment."),
]


@pytest.mark.parametrize("doc, statement, claim", REWORDED + WORDS_PEOPLE_USE)
def test_a_faithful_paraphrase_in_other_words_is_supported(doc, statement, claim):
    v = verdict(claim, passages_of(doc, statement))
    assert v.verdict == "supported", v.reason
    assert v.evidence


def test_a_narrower_word_counts_only_for_a_drug_or_test():
    # "overweight" is no kind of "weight": normal weight is not stated by "overweight or obese"
    glucose = passages_of("ngc-10853", "The USPSTF recommends screening for abnormal blood glucose as part of")
    v = verdict("The recommendation applies to adults of normal weight aged 40 to 70.", glucose)
    assert v.verdict != "supported", v.reason


def test_prepare_loads_the_synonym_tables_ahead_of_the_first_check():
    from medassist.verify import prepare
    from medassist.verify.synonyms import _wordnet

    _wordnet.cache_clear()
    prepare()  # what `ask` runs in the background while the model writes
    assert _wordnet.cache_info().currsize == 1 and _wordnet()[0]["noun"]  # WordNet's nouns are loaded


def test_numbers_said_of_the_group_named_after_them_are_not_swapped():
    alcohol = passages_of("ngc-10598", "limit alcohol intake to no more than 1 oz per day for men")
    v = verdict("Advise hypertensive women to limit alcohol to 1 oz a day and men to 0.5 oz a day.", alcohol)
    assert v.verdict == "contradicted" and "female" in v.reason, v.reason
    v = verdict("Advise hypertensive men to limit alcohol to 1 oz a day and women to 0.5 oz a day.", alcohol)
    assert v.verdict == "supported", v.reason


def test_an_amount_said_in_other_units_is_stated():
    # "a month" is the passage's "30 days"; "two years" is "24 months" (a claim word the check would miss)
    from medassist.verify.rules import coverage
    from medassist.verify.units import passage_units

    tbi = passage_units(passages_of("ngc-10949", "new symptoms that develop more than 30 days after mTBI"))
    unit = next(u for u in tbi if "more than 30 days after mTBI" in u.text)
    full, _own, missing = coverage(facets("new symptoms more than a month after mTBI"), unit)
    assert full == 1.0 and not missing
    # a different amount is still missing
    assert "month" in coverage(facets("new symptoms more than two months after mTBI"), unit)[2]


def test_an_abbreviation_another_passage_defines_is_stated_by_its_long_form():
    # ngc-10889 defines "Edinburgh Postnatal Depression Scale (EPDS)"; the VA/DoD statement spells it out only
    pregnancy = passages_of("ngc-11385", "recommends screening for depression using a standardized tool")[:3]
    depression = passages_of("ngc-10889", "Edinburgh Postnatal Depression Scale (EPDS) in postpartum")[:2]
    v = verdict("The Work Group recommends screening for depression with a standardized tool such as the EPDS "
                "periodically during pregnancy and postpartum.", pregnancy + depression)
    assert v.verdict == "supported", v.reason


def test_a_word_form_never_stands_for_another_drug():
    # "prednisolone" shares its first letters with "prednisone"; a word form match would call them one drug
    copd = passages_of("ngc-10629", "30-40 mg prednisone equivalent daily for 5-7 days")
    v = verdict("For acute COPD exacerbations, the guideline panel recommends a course of oral prednisolone "
                "30-40 mg daily for 5-7 days.", copd)
    assert v.verdict != "supported" and "prednisolon" in v.reason, v.reason


def test_a_claim_joining_the_two_sentences_of_one_statement():
    hiv = passages_of("ngc-9806", "The USPSTF recommends that clinicians screen for human immunodeficiency virus")
    v = verdict("The USPSTF recommends HIV screening for adolescents and adults aged 15 to 65, and also for younger "
                "adolescents and older adults at increased risk.", hiv)
    assert v.verdict == "supported", v.reason
    assert "aged 15 to 65 years" in v.evidence and "Younger adolescents and older adults" in v.evidence
    # each part is checked: a wrong fact in either is not supported
    for wrong in ("The USPSTF recommends HIV screening for adolescents and adults aged 15 to 65, and also for "
                  "younger adolescents and older adults at low risk.",
                  "The USPSTF recommends HIV screening for adolescents and adults aged 15 to 75, and also for "
                  "younger adolescents and older adults at increased risk."):
        assert verdict(wrong, hiv).verdict != "supported"


def test_a_plain_statement_is_not_supported_by_a_refusal_reported_by_the_evidence():
    # "data … suggest that urine held … should not be processed" refuses; it was read as a recommendation
    urine = passages_of("ngc-11074", "urine held at room temperature for more than 4 hours should not be processed")
    assert facets("Data from three fair studies suggest urine held at room temperature for more than 4 hours "
                  "should not be processed.").polarity == "against"
    v = verdict("Urine held at room temperature for more than 4 hours can be processed.", urine)
    assert v.verdict != "supported", v.reason
    v = verdict("Three fair-quality studies suggest urine left at room temperature for more than four hours shouldn't "
                "be processed, because flora overgrow.", urine)
    assert v.verdict == "supported", v.reason


def test_all_of_an_age_band_is_the_age_band_and_no_narrower_group():
    bp = passages_of("ngc-10822", "The USPSTF recommends screening for high blood pressure in adults aged 18 years")
    v = verdict("All adults aged 18 and over should be screened for high blood pressure (USPSTF, grade A).", bp)
    assert v.verdict == "supported", v.reason
    # "all" still catches a claim that widens a group the statement narrows
    glucose = passages_of("ngc-10853", "The USPSTF recommends screening for abnormal blood glucose as part of")
    v = verdict("The USPSTF recommends screening for abnormal blood glucose in all adults aged 40 to 70 years "
                "regardless of body weight.", glucose)
    assert v.verdict != "supported", v.reason


def test_a_condition_the_passage_does_not_name_is_not_supported():
    # "asthma" for "COPD": one word of eight, but it names what the recommendation is about
    copd = passages_of("ngc-10629", "recommends the early use of non-invasive ventilation (NIV) in patients with acute")
    v = verdict("Early non-invasive ventilation is recommended in acute asthma exacerbations to reduce intubation and "
                "mortality.", copd)
    assert v.verdict != "supported" and "asthma" in v.reason, v.reason
    v = verdict("Early non-invasive ventilation is recommended in acute COPD exacerbations to reduce intubation and "
                "mortality.", copd)
    assert v.verdict == "supported", v.reason
    from medassist.verify.synonyms import names_a_thing

    assert names_a_thing("asthma") and names_a_thing("insomnia")
    assert not any(names_a_thing(w) for w in ("diseas", "condit", "full", "normal", "decad"))


@pytest.mark.parametrize("doc, statement, claim", [
    # the passage denies what the claim affirms in the same words
    ("ngc-10647", "Because facet injections are not likely to produce long-term benefit",
     "Facet injections are likely to produce long-term benefit by themselves."),
    # and the reverse: the claim denies what the passage affirms
    ("ngc-10997", "Initial studies suggest that detection of syphilis infection in MSM",
     "Initial studies suggest that screening MSM for syphilis every 3 months does not improve detection compared "
     "with annual screening."),
    ("ngc-10356", "Education about contraceptive methods should include an explanation that LARC is safe",
     "Education about contraception should explain that LARC is not safe for nulliparous women."),
])
def test_a_claim_saying_the_opposite_in_the_same_words_is_not_supported(doc, statement, claim):
    v = verdict(claim, passages_of(doc, statement))
    assert v.verdict != "supported", v.reason


def test_negations_that_say_who_or_what_to_do_are_not_denials():
    from medassist.verify.negation import denied_words

    assert denied_words("Facet injections are not likely to produce long-term benefit.") == {"produc"}
    assert not denied_words("Patients who are not already being treated should be screened.")
    assert not denied_words("In SCA patients who aren't on chronic transfusion, don't transfuse above 10 g/dL.")
    assert not denied_words("Opioids are not recommended.")


def test_words_that_looked_like_facts_but_are_not():
    from medassist.verify.lexicon import concepts

    # "insufficient social support" is a patient's circumstance, not an I statement
    assert polarity_of("The Work Group suggests a target HbA1c range of 8.0% to 9.0% for patients with difficulties "
                       "in self-management due to insufficient social support.") == "for"
    assert polarity_of("There is insufficient evidence to recommend for or against it.") == "insufficient"
    # "one larger than 3 cm" and "the first one" are pronouns; "hemoglobin A1c" is HbA1c
    assert "1" not in concepts("a massive tear, that is, one larger than 3 cm")
    assert "1" not in concepts("only if the first one improved function")
    assert "1" in concepts("one dose of vaccine")
    assert "hba1c" in concepts("routine lab work should include a hemoglobin A1c")
    # breastfeeding and lactation say who; a lactate level does not
    assert facets("Women who are lactating should not take it.").values.get("SEX") == {"female"}
    assert "SEX" not in facets("For a lactate of 4 mmol/L or more, give 30 mL/kg crystalloid.").values


def test_another_body_part_than_the_passage_names_is_not_supported():
    knee = passages_of("ngc-11050", "No prophylaxis is recommended for knee arthroscopy in patients without a history")
    v = verdict("No prophylaxis is recommended for shoulder arthroscopy in patients without prior venous thrombosis.",
                knee)
    assert v.verdict != "supported" and "shoulder" in v.reason, v.reason
    v = verdict("No prophylaxis is recommended for knee arthroscopy in patients without prior venous thrombosis.", knee)
    assert v.verdict == "supported", v.reason


def test_babies_born_preterm_are_not_an_age_group():
    from medassist.verify.facets import facets as read

    assert "AGEGRP" not in read("Babies born prematurely or with low birth weight are outside its scope.").values
    assert read("Infants should be screened.").values["AGEGRP"] == {"infant"}


def test_two_parts_stated_side_by_side_even_where_another_statement_also_states_one():
    # the first part is also the USPSTF's own statement, elsewhere; the summary states both parts side by side
    uspstf = passages_of("ngc-11138", "The USPSTF recommends that all women who are planning or capable of pregnancy")
    timing = passages_of("ngc-11138", "Therefore, clinicians should advise all women who are capable of pregnancy")
    folic = uspstf[:1] + [p for p in timing if p not in uspstf[:1]][:4]  # the USPSTF statement ranked first
    v = verdict("All women who could become pregnant should be advised to take a daily folic acid supplement; the "
                "critical period runs from at least 1 month before conception through the first 2 to 3 months of "
                "pregnancy.", folic)
    assert v.verdict == "supported", v.reason


# (passage, a faithful claim, its wrong twin, what the reason must say): each rule reads the faithful claim
# as supported and still contradicts the wrong one
SUPPORTED_AND_WRONG_TWIN = [
    # the next recommendation of a list is another case, not a contradiction: the I statement beside the D
    # statement (on the other nutrients) excludes these two and differs in polarity too
    ("ngc-10273", "The USPSTF recommends against β-carotene or vitamin E supplements",
     "Beta-carotene and vitamin E supplements should not be taken to prevent cardiovascular disease or cancer "
     "(USPSTF D).",
     "The USPSTF recommends β-carotene or vitamin E supplements for the prevention of cardiovascular disease or "
     "cancer.", "recommended against"),
    # an amount in mIU/mL keeps its bound and unit
    ("ngc-10302", "testing the source patient for HBsAg is unnecessary",
     "For vaccinated HCP with documented anti-HBs of 10 mIU/mL or more, testing the source patient for HBsAg is "
     "unnecessary.",
     "For vaccinated HCP with documented anti-HBs of 100 mIU/mL or more, testing the source patient for HBsAg is "
     "unnecessary.", "100 mIU/mL"),
    # amounts swapped between age bands
    ("ngc-10630", "daily dietary vitamin D intake of 600 IU in adults aged 18 to 70 years",
     "According to the IOM, adults aged 18 to 70 need 600 IU of vitamin D a day and adults older than 70 need 800 IU.",
     "According to the IOM, adults older than 70 need 600 IU of vitamin D a day and younger adults need 800 IU.",
     "600 units for those aged at least 70 years; the passage says 800 units"),
    # drugs swapped between age bands
    ("ngc-10911", "escitalopram is approved for treatment of MDD in adolescents aged 12 to 17",
     "Escitalopram is FDA-approved for MDD in adolescents aged 12 to 17 years.",
     "Escitalopram is approved for MDD in children from the age of 8.",
     "escitalopram for those aged at least 8 years; the passage says fluoxetine"),
]


@pytest.mark.parametrize("doc, statement, right, wrong, says", SUPPORTED_AND_WRONG_TWIN)
def test_a_faithful_claim_is_supported_and_its_wrong_twin_contradicted(doc, statement, right, wrong, says):
    assert_twin(doc, statement, right, wrong, says)
