"""Contract §5: `python -m bot synthesis` writes a valid, accessible A4 PDF (and HTML) for each persona."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import REPO, shared_path

pytest.importorskip("weasyprint")
pdfium = pytest.importorskip("pypdfium2")

AS_OF = "2026-03-15"
ARTIFACTS = REPO / "test-artifacts" / "counsel"


def _personas() -> list[dict]:
    import yaml

    return yaml.safe_load(shared_path("personas", "public.yml").read_text(encoding="utf-8"))["personas"]


def pdf_text(path: Path) -> tuple[str, int, tuple[float, float]]:
    doc = pdfium.PdfDocument(str(path))
    try:
        text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        return text, len(doc), doc[0].get_size()
    finally:
        doc.close()


def render_first_page(pdf: Path, png: Path) -> None:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        doc[0].render(scale=1.5).to_pil().save(png)
    finally:
        doc.close()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\ufffe", "").replace("\x02", ""))


@pytest.mark.parametrize("persona", _personas(), ids=lambda p: p["id"])
def test_synthesis_pdf_for_each_persona(persona: dict, tmp_path: Path) -> None:
    from bot.counsel.analyse import analyse
    from bot.counsel.synthesis import build_synthesis, write_synthesis

    result = analyse(persona["message"], date.fromisoformat(AS_OF))
    synth = build_synthesis(result["profile"], result["recommendation"])
    pdf, html = tmp_path / "s.pdf", tmp_path / "s.html"
    write_synthesis(synth, pdf=pdf, html=html)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text, pages, (width, height) = pdf_text(pdf)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    flat = _squash(text)
    for item in result["recommendation"]["recommended"]:
        assert _squash(item["title"]) in flat
    for step in synth["plan"]:
        assert _squash(step["text"])[:60] in flat
    assert "une aide" in flat and "pas une décision" in flat
    if synth["sources"]:
        assert "https://" in flat
    page = html.read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "<h1>" in page and "<h2" in page


def test_cli_from_text_and_from_profile(tmp_path: Path) -> None:
    text = ("Je suis en CDD depuis 4 mois dans un EHPAD à Arras (avant j'ai fait 2 ans d'intérim). "
            "Je voudrais faire la formation d'aide-soignante")
    pdf, html = tmp_path / "a.pdf", tmp_path / "a.html"
    out = subprocess.run([sys.executable, "-m", "bot", "synthesis", "--text", text, "--pdf", str(pdf),
                          "--html", str(html), "--as-of", AS_OF], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    flat = _squash(pdf_text(pdf)[0])
    assert "Votre plan" in flat and "Projet de transition professionnelle" in flat
    assert "Vos contacts près de chez vous" in flat
    assert "Arras" in flat  # a contact near the person, from the catalogue
    assert re.search(r"https://\S+", flat)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    render_first_page(pdf, ARTIFACTS / "synthesis-page1.png")
    assert (ARTIFACTS / "synthesis-page1.png").stat().st_size > 10_000

    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"status": "demandeur_emploi", "registered_france_travail": True,
                                   "commune": "Lille", "goal": "get_qualification", "age": 40}), encoding="utf-8")
    pdf2 = tmp_path / "b.pdf"
    out = subprocess.run([sys.executable, "-m", "bot", "synthesis", "--profile", str(profile), "--pdf", str(pdf2),
                          "--as-of", AS_OF], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "France Travail" in _squash(pdf_text(pdf2)[0])


def test_cli_refuses_a_bad_profile(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text('{"age": "old"}', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "bot", "synthesis", "--profile", str(profile), "--pdf",
                          str(tmp_path / "x.pdf")], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "age" in out.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_pdf_is_tagged_with_headings_and_language() -> None:
    from bot.counsel.synthesis import build_synthesis, render_pdf
    from bot.eligibility import evaluate

    profile = {"status": "salarie_prive", "contract": "cdi", "commune": "Lille", "goal": "change_job"}
    pdf = render_pdf(build_synthesis(profile, evaluate(profile, date.fromisoformat(AS_OF)), contacts=[]),
                     uncompressed=True)
    assert b"/StructTreeRoot" in pdf and b"/MarkInfo" in pdf
    assert re.search(rb"/Lang ?\(fr\)", pdf)
    assert b"/S /H1" in pdf and b"/S /H2" in pdf
