"""Real guideline files in every format the library reads, written by real writers (fpdf2, python-docx)."""
from __future__ import annotations

import json
from pathlib import Path

SEPSIS = [
    ("Recognition", "Screen adults with suspected infection for sepsis using qSOFA: a respiratory rate of 22 "
                    "per minute or more, altered mentation, and systolic blood pressure of 100 mmHg or less."),
    ("Antibiotics", "In septic shock, give broad-spectrum intravenous antibiotics within one hour of recognition. "
                    "Take blood cultures before antibiotics when this causes no delay."),
    ("Fluids", "Give 30 mL/kg of intravenous crystalloid within the first three hours for hypotension or a "
               "lactate of 4 mmol/L or more. Reassess lactate within two to four hours."),
]


def pdf(path: Path, sections=SEPSIS, title="Adult sepsis protocol 2021", pad: int = 25) -> Path:
    """One section per page (each long enough to be split), with an outline naming the sections."""
    from fpdf import FPDF

    doc = FPDF()
    doc.set_title(title)
    doc.set_font("helvetica", size=10)
    for heading, text in sections:
        doc.add_page()
        doc.start_section(heading)
        doc.multi_cell(0, 5, f"{heading}\n{text}\n" + " ".join(["Local audit data support this step."] * pad))
    doc.output(str(path))
    return path


def encrypted_pdf(path: Path, user_password: str = "secret") -> Path:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    doc = FPDF()
    doc.set_font("helvetica", size=10)
    doc.add_page()
    doc.multi_cell(0, 5, "Confidential protocol: give aspirin 300 mg.")
    doc.set_encryption(owner_password="owner", user_password=user_password, encryption_method=EncryptionMethod.AES_128)
    doc.output(str(path))
    return path


def docx(path: Path, sections=SEPSIS, title="Adult sepsis protocol (Word)") -> Path:
    import docx as python_docx

    d = python_docx.Document()
    d.core_properties.title = title
    d.add_heading(title, level=0)
    for heading, text in sections:
        d.add_heading(heading, level=1)
        d.add_paragraph(text)
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Lactate", "Action"
    table.cell(1, 0).text, table.cell(1, 1).text = ">= 4 mmol/L", "30 mL/kg crystalloid"
    d.save(str(path))
    return path


def html(path: Path, sections=SEPSIS, title="Sepsis: recognition and management") -> Path:
    body = "".join(f"<h2>{h}</h2><p>{t}</p>" for h, t in sections)
    path.write_text(f"""<!doctype html><html><head><title>{title}</title>
<meta name="citation_publisher" content="Example Hospital Trust">
<meta name="citation_publication_date" content="2022/03/01">
<script>document.write('EVIL_SCRIPT_TEXT'); fetch('http://attacker/');</script>
<style>.x {{ color: red }}</style></head>
<body><nav><a href="/">Home</a> NAVIGATION_MENU_TEXT</nav>
<main><h1>{title}</h1>{body}<script>alert('EVIL_INLINE')</script></main>
<footer>FOOTER_TEXT Cookie policy</footer></body></html>""")
    return path


def markdown(path: Path, sections=SEPSIS, title="Sepsis pathway") -> Path:
    body = "\n\n".join(f"## {h}\n\n{t}" for h, t in sections)
    path.write_text(f"---\ntitle: {title}\norganisation: Example Health Board\nyear: 2023\n---\n# {title}\n\n{body}\n")
    return path


def text(path: Path, sections=SEPSIS) -> Path:
    path.write_text("Sepsis quick guide\n\n" + "\n\n".join(t for _, t in sections) + "\n")
    return path


def jsonl(path: Path) -> Path:
    rows = [
        {"id": "anaphylaxis", "title": "Anaphylaxis first aid", "organisation": "Example Resuscitation Council",
         "year": 2021, "text": "Give intramuscular adrenaline 0.5 mg (1:1000) into the anterolateral thigh for adults."},
        {"id": "hypoglycaemia", "title": "Hypoglycaemia in adults",
         "sections": {"Treatment": "If the patient can swallow, give 15 to 20 g of quick-acting carbohydrate."}},
        "this line is not an object",
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken json\n")
    return path
