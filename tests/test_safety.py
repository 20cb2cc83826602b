import pytest

from medassist.safety import emergency_notice, red_flags

EMERGENCIES = [
    "65-year-old with crushing chest pain and shortness of breath for 20 minutes, what should I do?",
    "Patient has sudden facial droop and slurred speech",
    "My patient says he wants to kill himself tonight",
    "Throat swelling and wheeze after a bee sting",
    "She took too many paracetamol tablets an hour ago",
    "Found unresponsive and not breathing",
    "患者が胸痛と息切れを訴えています",
]
ROUTINE = [
    "Who should be screened for abdominal aortic aneurysm?",
    "What is the recommended interval for breast cancer screening?",
    "How should chronic low back pain be managed?",
    "Should children be screened for high blood pressure?",
]


@pytest.mark.parametrize("question", EMERGENCIES)
def test_emergencies_flagged(question):
    notice = emergency_notice(question)
    assert notice is not None and notice.kind == "emergency"
    assert "emergency" in notice.message.lower()


@pytest.mark.parametrize("question", ROUTINE)
def test_routine_questions_not_flagged(question):
    assert red_flags(question) == []
