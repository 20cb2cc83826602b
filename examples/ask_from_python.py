"""Ask medassist from Python: the same core the CLI uses.

Run after `make demo` (which pulls and indexes the starter library):
    .venv/bin/python examples/ask_from_python.py "Should children be screened for high blood pressure?"
"""
import json
import sys

from medassist import Assistant

question = sys.argv[1] if len(sys.argv) > 1 else "Who should be screened for lung cancer with low-dose CT?"
assistant = Assistant(model="gemma3-270m")
stream = assistant.stream(question, k=5)
for notice in stream.notices:
    print(f"[{notice.kind}] {notice.message}")
for piece in stream:
    print(piece, end="", flush=True)
answer = stream.answer
print("\n")
for s in answer.sentences:
    print(f"  {'[' + str(s.supported_by) + ']' if s.supported else '[unsupported]'} {s.text}")
for n, p in enumerate(answer.passages, 1):
    print(f"  [{n}] {p.title} — {p.organisation}, {p.year} · {p.locator()}")
print(answer.disclaimer)
print(json.dumps(answer.to_dict()["timings"]))
