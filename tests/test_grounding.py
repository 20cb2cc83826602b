from medassist.grounding import annotated, check_support, cited_numbers, split_sentences
from medassist.types import Passage


def P(text):
    return Passage("c", "d", "T", "O", 2014, "S", text)


PASSAGES = [
    P("The USPSTF recommends screening for osteoporosis in women aged 65 years or older and in younger women "
      "whose fracture risk is equal to or greater than that of a 65-year-old white woman. (B recommendation)"),
    P("The USPSTF recommends one-time screening for abdominal aortic aneurysm (AAA) with ultrasonography in men "
      "aged 65 to 75 years who have ever smoked."),
]


def test_sentences_keep_markers_and_merge_non_claims():
    assert split_sentences("Yes. Men aged 65 to 75 who smoked should be screened. [2] Women who never smoked "
                           "should not be screened.") == [
        "Yes. Men aged 65 to 75 who smoked should be screened. [2]",
        "Women who never smoked should not be screened.",
    ]
    assert cited_numbers("as shown [1, 3] and [4-5]") == [1, 3, 4, 5]


def test_extractive_and_paraphrased_claims_are_supported(embedder):
    out = check_support("Women aged 65 years or older should be screened for osteoporosis. Men aged 65 to 75 "
                        "years who have ever smoked should have one-time ultrasonography for AAA.",
                        PASSAGES, embedder.embed)
    assert [s.supported_by for s in out] == [1, 2]


def test_wrong_numbers_and_unrelated_claims_are_unsupported(embedder):
    out = check_support("The USPSTF recommends screening for osteoporosis in women aged 40 to 49 years. "
                        "Bisphosphonates should be given to all men over 50.", PASSAGES, embedder.embed)
    assert [s.supported for s in out] == [False, False]
    assert annotated(out).count("[unsupported]") == 2


def test_invalid_and_misplaced_citations(embedder):
    out = check_support("Men aged 65 to 75 years who have ever smoked should be screened for AAA [7].",
                        PASSAGES, embedder.embed)
    assert out[0].invalid_citations == [7] and out[0].supported_by == 2
    out = check_support("Men aged 65 to 75 years who have ever smoked should be screened for AAA [1].",
                        PASSAGES, embedder.embed)
    assert out[0].cited == [1] and out[0].supported_by == 2  # the verified source, not the claimed one
    assert annotated(out).endswith("[2]") and "[1]" not in annotated(out)
