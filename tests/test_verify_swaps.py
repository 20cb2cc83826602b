"""The support check on real starter-library passages: a wrong claim that swaps one word for its opposite or
for another thing of the same kind, or weighs benefits and harms the other way round, is not supported, a
claim that excludes what the passage asks for is contradicted, and a faithful claim saying both sides of a
statement is supported.
Each row is a faithful claim and its wrong twin, both worded here (not copied from a claim set)."""
from __future__ import annotations

import pytest

from medassist.verify.lexicon import concepts
from medassist.verify.synonyms import antonyms, thing_kind

from .test_verify import assert_twin, passages_of, verdict

# (doc, statement, faithful claim, wrong claim, what the wrong claim's verdict must say or None for not supported)
TWINS = [
    # an opposite in one word (WordNet's adjective antonyms)
    ("ngc-10853", "Clinicians should offer or refer patients with abnormal blood glucose",
     "Patients found to have abnormal blood glucose should be offered or referred to intensive behavioral counseling "
     "on a healthful diet and physical activity.",
     "Patients with normal blood glucose should be offered or referred to intensive behavioral counseling on a "
     "healthful diet and physical activity.", "normal"),
    # risk said through "acute"
    ("ngc-9978", "Recommend against the use of no-suicide contracts",
     "No-suicide contracts should not be used to prevent suicide in patients at high acute risk.",
     "No-suicide contracts are advised against only for patients at low acute risk of suicide.", "risk level"),
    # another body part, even where the heading names it
    ("ngc-10536", "For adults with OA of the knee who do not tolerate land-based therapeutic exercise",
     "Adjunctive aquatic physical therapy should be considered for adults with knee osteoarthritis who cannot "
     "tolerate land-based exercise.",
     "Adjunctive aquatic physical therapy should be considered for adults with hip osteoarthritis who cannot "
     "tolerate land-based exercise.", None),
    # another substance: a drug for a drink, a nutrient for a nutrient
    ("ngc-10885", "For patients with opioid use disorder for whom methadone and buprenorphine are contraindicated",
     "When methadone and buprenorphine are contraindicated or unavailable, clonidine is recommended as a second-line "
     "agent for opioid withdrawal in opioid use disorder.",
     "Clonidine is recommended as a second-line agent for withdrawal management in patients with alcohol use "
     "disorder.", None),
    ("ngc-11213", "reducing percent of energy from carbohydrate to 14% to 45% per day",
     "In type 2 diabetes, for patients who do not choose the Mediterranean diet, the Work Group recommends cutting "
     "carbohydrate to 14% to 45% of daily energy and/or choosing foods with a lower glycemic index.",
     "In type 2 diabetes, for patients who do not choose the Mediterranean diet, the Work Group recommends cutting "
     "dietary fat and/or choosing foods with a lower glycemic index.", None),
    # a measure swapped for another: blood pressure for glucose ("glycemic")
    ("ngc-10628", "The guideline panel recommends against intensive glycemic control to patients with stage 3",
     "Intensive glucose control is recommended against in patients with stage 3 or worse CKD.",
     "Intensive blood pressure lowering is recommended against in patients with stage 3 or worse CKD.",
     "blood pressure"),
    # the claim excludes what the passage asks for
    ("ngc-10511", "to those with a BMI ≥27 kg/m2 who also have obesity-associated conditions",
     "Orlistat or lorcaserin may be offered to patients with a BMI of 27 kg/m2 or more who also have "
     "obesity-associated conditions, alongside lifestyle intervention.",
     "Orlistat or lorcaserin may be offered to patients with a BMI of 27 kg/m2 or more even without "
     "obesity-associated conditions.", "excludes"),
    ("ngc-11238", "with feedback provided by a qualified facilitator",
     "Internet-based CBT with feedback from a qualified facilitator is suggested as an alternative to no treatment.",
     "Internet-based CBT with no facilitator feedback is suggested as an alternative to no treatment.", "excludes"),
    # "in the absence of" excludes
    ("ngc-10413", "Imaging is not indicated initially in the absence of significant precipitating trauma",
     "Without significant precipitating trauma, sudden pain and swelling, a palpable mass or deformity, or pain at "
     "rest, imaging is not indicated at first.",
     "Imaging is not indicated at first even after significant precipitating trauma.", "excludes"),
    # "on the day of" is a timing
    ("ngc-9597", "A pre-operative evaluation is recommended, preferably by an anesthesiologist",
     "A preoperative evaluation, ideally by an anesthesiologist, is recommended one to two weeks before surgery.",
     "A preoperative evaluation by an anesthesiologist is recommended on the day of surgery.", "timing"),
    # when in the course: "only after … failed" against "as an alternative or adjunct to"
    ("ngc-10536", "clinicians may offer duloxetine or tramadol as an alternative or adjunct to oral NSAIDs",
     "For persistent moderate or moderately severe OA pain, duloxetine or tramadol may be offered as an alternative "
     "or adjunct to oral NSAIDs.",
     "For persistent moderate OA pain, duloxetine or tramadol may be offered only once oral NSAIDs have failed.",
     "when in the course"),
    # group against individual therapy; a questionnaire spelled out; post- against pre-exposure prophylaxis
    ("ngc-11238", "The Work Group recommends individual, manualized trauma-focused psychotherapy",
     "Individual, manualized trauma-focused psychotherapy is recommended over other interventions for the primary "
     "treatment of PTSD.",
     "Manualized group psychotherapy is recommended over other interventions for the primary treatment of PTSD.",
     "group or individual"),
    ("ngc-10364", "a general cut point of 23/24 or 24/25",
     "For the MMSE, a general cut point of 23/24 or 24/25 is appropriate for most primary care populations.",
     "For the Montreal Cognitive Assessment, a general cut point of 23/24 or 24/25 is appropriate for most primary "
     "care populations.", "MMSE"),
    ("ngc-10403", "PrEP is recommended as one prevention option for adult heterosexually active men and women",
     "Preexposure prophylaxis is one recommended prevention option for heterosexually active adults at substantial "
     "risk of HIV acquisition.",
     "Post-exposure prophylaxis is one recommended prevention option for heterosexually active adults at "
     "substantial risk of HIV acquisition.", "PrEP"),
    # "no need to" refuses; benefits and harms weighed the other way round
    ("ngc-9806", "Women screened during a previous pregnancy should be rescreened in subsequent pregnancies",
     "A woman screened for HIV during a previous pregnancy should be rescreened in subsequent pregnancies.",
     "There is no need to screen a woman for HIV again if she was screened in an earlier pregnancy.",
     "recommended against"),
    ("ngc-10953", "Clinicians should consider opioid therapy only if expected benefits for both pain and function",
     "Opioid therapy should be considered only when its expected benefits for pain and function outweigh the risks.",
     "Opioid therapy can be considered even if its risks are expected to outweigh the benefits for pain and "
     "function.", "outweigh"),
    # breastfeeding and pregnant women are two groups
    ("ngc-10802", "the Recommended Dietary Allowance for iron in pregnant women is 27 mg per day",
     "The Institute of Medicine puts the Recommended Dietary Allowance of iron for pregnant women at 27 mg a day.",
     "The Institute of Medicine puts the Recommended Dietary Allowance of iron for breastfeeding women at 27 mg a day.",
     "pregnancy"),
    # an ACE inhibitor is a drug like a statin
    ("ngc-10628", "The guideline panel suggests against the use of statins prescribed with the intent of slowing",
     "Statins should not be prescribed just to slow eGFR decline or preserve kidney function.",
     "ACE inhibitors should not be prescribed just to slow eGFR decline or preserve kidney function.", "statins"),
    # "nonopioid" names no opioid
    ("ngc-10612", "The guideline panel suggests considering tramadol for treating certain pain symptoms",
     "Tramadol may be considered for some CMI pain symptoms that have not responded to other non-opioid analgesics.",
     "Long-term opioid therapy may be considered for some peripheral pain symptoms of CMI.", None),
    # "20°" is 20 degrees; "still smoke" is smoking now
    ("ngc-11319", "In general, patients with a Cobb angle of less than 20",
     "Scoliosis curves with a Cobb angle below 20 degrees are usually observed without treatment, though exercise "
     "may be recommended.",
     "Scoliosis curves with a Cobb angle below 30 degrees are usually observed without treatment, though exercise "
     "may be recommended.", None),
    ("ngc-10192", "Current smokers should be informed of their continuing risk",
     "Patients who still smoke should be informed of their ongoing risk of lung cancer and offered cessation "
     "treatment.",
     "Patients who have never smoked should be informed of their ongoing risk of lung cancer and offered cessation "
     "treatment.", "smoking status"),
    # what the guideline is about (its title: limb amputation) is no alternative to the exercises it recommends
    ("ngc-11289", "instituting rehabilitation training interventions, using both open and closed chain",
     "After a lower limb amputation, rehabilitation training using open and closed chain exercises and progressive "
     "resistance is recommended to improve gait and mobility.",
     "After a lower limb amputation, rehabilitation training using massage and progressive resistance is "
     "recommended to improve gait and mobility.", "massage"),
    # "definitive data are lacking" denies as "not definitive" does
    ("ngc-10708", "Although definitive data are lacking, treatment is generally recommended",
     "Even though the data are not definitive, treatment is generally recommended for patients whose TSH is "
     "undetectable or under 0.1 mIU/L, particularly with overt Graves disease or nodular thyroid disease.",
     "Even though the data are not definitive, treatment is generally recommended for patients whose TSH is under "
     "0.45 mIU/L, particularly with overt Graves disease or nodular thyroid disease.", "recommended against"),
    # "do not need any" is none, not all; a neighbour saying "No …" lends its words only to a claim that denies
    ("ngc-10302", "No specific work restrictions are recommended for vaccine nonresponders",
     "Hepatitis B vaccine nonresponders do not need any specific work restrictions.",
     "Hepatitis B vaccine nonresponders need specific work restrictions.", None),
    # "should generally be avoided" and "is not generally recommended" refuse
    ("ngc-11050", "Steroid injections to the Achilles tendon should generally be avoided",
     "Steroid injections into the Achilles tendon should generally be avoided because of the risk of later rupture.",
     "Steroid injections into the Achilles tendon are generally advised despite the risk of later rupture.",
     "recommended against"),
    ("ngc-10630", "Sun exposure to prevent vitamin D deficiency is not generally recommended",
     "Sun exposure is not generally recommended to prevent vitamin D deficiency, since it raises the risk of skin "
     "cancer from UVB radiation.",
     "Sun exposure is generally recommended to prevent vitamin D deficiency, even though it raises the risk of skin "
     "cancer from UVB radiation.", "recommended against"),
    # "to lower cardiovascular risk" says what the statin does, not who is at low risk
    ("ngc-10627", "For primary prevention, the Work Group recommends a moderate dose statin",
     "For primary prevention, a moderate-dose statin is the recommended agent to lower cardiovascular risk when the "
     "patient chooses drug therapy.",
     "For primary prevention, a high-dose statin is the recommended agent to lower cardiovascular risk when the "
     "patient chooses drug therapy.", "dose"),
    # "20° to 30°" is one range
    ("ngc-11319", "Patients with a Cobb angle greater than 30",
     "Bracing is used for a Cobb angle above 30 degrees, or for 20 to 30 degrees that progresses by 5 degrees or "
     "more over 3 to 6 months.",
     "Bracing is used for patients whose Cobb angle is under 20 degrees.", None),
    # a medication where the passage gives counseling
    ("ngc-10518", "the USPSTF recommends screening these patients for obesity and offering or referring them",
     "For patients with a BMI of 30 or more, the USPSTF recommends screening for obesity and offering or referring "
     "them to intensive behavioral counseling for weight loss.",
     "For patients with a BMI of 30 or more, the USPSTF recommends screening for obesity and prescribing weight-loss "
     "medication.", "medication"),
    # "immediately" says when, as "48 to 72 hours later" does (and the reason is in the claim's words)
    ("ngc-11067", "The TST requires intradermal placement of purified protein derivative",
     "The TST requires intradermal placement of purified protein derivative, with the response interpreted 48 to 72 "
     "hours later.",
     "The TST requires intradermal placement of purified protein derivative, with the response interpreted "
     "immediately.", None),
    # a sentence whose clauses differ ("should not be used …, and it should be used with caution …")
    ("ngc-11260", "NSAIDs should not be used in aspirin-sensitive patients, and it should be used with caution",
     "Because of cross-reactivity with aspirin, avoid NSAIDs in aspirin-sensitive patients and use them with "
     "caution in anyone with asthma.",
     "NSAIDs should not be used in any patient with asthma.", None),
]


@pytest.mark.parametrize("doc, statement, right, wrong, says", TWINS)
def test_a_faithful_claim_is_supported_and_its_one_word_swap_is_not(doc, statement, right, wrong, says):
    assert_twin(doc, statement, right, wrong, says)


@pytest.mark.parametrize("doc, statement, claim", [
    # both sides of one statement, read whole against one side
    ("ngc-10208", "Aspirin is recommended for patients at high cardiovascular risk, however",
     "Patients at high cardiovascular risk should take aspirin, but it is no longer advised for those at low risk."),
    ("ngc-10627", "The Work Group suggests for patients with TGs greater than 500 mg/dL",
     "With triglycerides over 500 mg/dL a strict diet is suggested (no alcohol, less dietary fat, no refined sugars), "
     "and over 1000 mg/dL a very low fat diet to reduce chylomicronemia and the risk of acute pancreatitis."),
    # "non-steroidal" names a class of drugs; it excludes no steroid
    ("ngc-11260", "cross-reactivity between aspirin and non-steroidal anti-inflammatory drugs (NSAIDs)",
     "Because of cross-reactivity with aspirin, avoid NSAIDs in aspirin-sensitive patients."),
    # "other genotypes besides" excludes as "other than" does
    ("ngc-10530", "In children with genotypes other than SCA",
     "TCD screening should not be done in children with HbSC or other genotypes besides sickle cell anemia."),
    # one order told from opposite ends is no timing contradiction
    ("ngc-10647", "Prior to consideration of botulinum toxin injection for piriformis syndrome",
     "Botulinum toxin for piriformis syndrome should only be considered after the patient has had marked (80% or "
     "better) but temporary improvement from three separate trigger point injections."),
    # another form of the same word: "benefit" for "beneficial", "exposed" for "exposure"
    ("ngc-11260", "In the absence of definitive literature showing a beneficial effect, use of vitamin B6",
     "Vitamin B6 cannot be recommended, since no definitive literature shows that it is of benefit."),
    # an adverb is a form of its adjective ("riskily", "risky")
    ("ngc-9843", "screen adults aged 18 years or older for alcohol misuse",
     "Clinicians should screen adults 18 or older for alcohol misuse and give brief behavioral counseling to people "
     "who drink riskily."),
    # "one reasonable approach" counts nothing
    ("ngc-11001", "a reasonable approach may be to assess CVD and bleeding risk factors starting at age 50",
     "One reasonable approach is to assess CVD and bleeding risk factors starting at age 50 years."),
    # a recommendation and, after "since", its reason from the next sentence ("rule out" is "preclude")
    ("ngc-11005", "competing causes of mortality preclude a mortality benefit",
     "Routine colorectal cancer screening is not recommended for adults 86 and older, since competing causes of "
     "death rule out a mortality benefit that outweighs the harms."),
    # plain words: "losing … pounds" and "bring … down"
    ("ngc-10598", "If a normal body mass index (<25) cannot be achieved",
     "When a BMI under 25 cannot be achieved, the Work Group suggests advising patients that losing at least 10 "
     "pounds can bring their blood pressure down."),
])
def test_a_faithful_claim_saying_both_sides_or_in_plain_words_is_supported(doc, statement, claim):
    v = verdict(claim, passages_of(doc, statement))
    assert v.verdict == "supported", v.reason


def test_opposites_come_from_adjectives_and_kinds_from_what_a_word_names():
    assert "abnorm" in antonyms("normal") and "low" in antonyms("high")
    assert not antonyms("follow")  # "following" and "leading" are adjectives too, but no opposites of a claim
    assert thing_kind("knee") == thing_kind("hip") == "body part"
    assert thing_kind("alcohol") == thing_kind("fat") == thing_kind("carbohydr") == "substance"
    assert thing_kind("diet") is None and thing_kind("ag") is None  # a generic word; "Ag" is an antigen, not silver


def test_a_number_stated_by_a_statement_as_close_is_not_contradicted_by_its_neighbour():
    # the "<90 mmHg goal" sentence beside the "≥90 mmHg, offer treatment" one is about another thing
    passages = passages_of("ngc-10598", "offering pharmacologic treatment for patients age 18 to 29 with a diastolic",
                           "treating to a diastolic blood pressure goal <90 mmHg in patients age 18 to 29")
    v = verdict("For adults aged 18-29 whose diastolic pressure is 90 mmHg or higher, VA/DoD suggests offering "
                "antihypertensive medication (weak for).", passages)
    assert v.verdict != "contradicted", v.reason
    v = verdict("For patients aged 18 to 29, the Work Group suggests offering pharmacologic treatment when diastolic "
                "blood pressure is 100 mmHg or higher.", passages)
    assert v.verdict != "supported", v.reason


def test_a_negation_on_either_side_is_not_an_opposite():
    # "without stable housing" is "unstably housed": the claim's "without" undoes the opposite
    passages = passages_of("ngc-10207", "Unstably housed patients should receive: influenza vaccine (annually)")
    v = verdict("Patients without stable housing should receive the influenza vaccine every year.", passages)
    assert v.verdict == "supported", v.reason


@pytest.mark.parametrize("plain, guideline", [
    ("blood pressure readings", "blood pressure measurements"),
    ("to make sure of proper use", "to ensure proper use"),
    ("it raises the risk of skin cancer", "it increases the risk of skin cancer"),
    ("screened in an earlier pregnancy", "screened in a prior pregnancy"),
    ("PrEP is one HIV prevention option", "PrEP is an HIV prevention option"),
    ("a Cobb angle under 20°", "a Cobb angle under 20 degrees"),
    ("re-screen at 1 to 2 year intervals", "re-screen every 1 to 2 years"),
    ("testing within the first week after transplant", "testing within 1 week after transplant"),
])
def test_plain_words_read_as_the_guideline_words(plain, guideline):
    assert concepts(plain) == concepts(guideline)


def test_what_is_not_stated_is_said_in_the_claims_words():
    passages = passages_of("ngc-11067", "The TST requires intradermal placement of purified protein derivative")
    v = verdict("The TST requires intradermal placement of purified protein derivative, with the response "
                "interpreted immediately.", passages)
    assert v.verdict == "not_found" and v.reason.endswith("do not state: immediately"), v.reason

