"""bot.text.fold: the one accent folding every area uses (communes, understanding, rules, channels)."""

from __future__ import annotations

import pytest

from bot.text import fold


@pytest.mark.parametrize(("text", "folded"), [
    ("Marcq-en-Barœul", "marcq-en-baroeul"),
    ("ÉTÉ À L'HÔPITAL", "ete a l'hopital"),
    ("Villeneuve-d’Ascq", "villeneuve-d'ascq"),  # typographic apostrophe made plain
    ("Straße", "strasse"),
    ("ＥＦＦＡＣＥＲ", "effacer"),  # full-width letters of some phone keyboards
    ("le 1ᵉʳ mai, 30 m²", "le 1er mai, 30 m2"),  # superscripts
    ("ﬁnance", "finance"),  # typographic ligature
    ("déjà 12,5 € !", "deja 12,5 € !"),  # digits, punctuation and symbols are kept
    ("plain ascii", "plain ascii"),
])
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_keeps_one_character_per_accented_letter():
    # callers map folded positions back to the original text for accented letters
    text = "àâäéèêëîïôöùûüÿçñ ÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÇÑ"
    assert len(fold(text)) == len(text)
    assert fold(text) == "aaaeeeeiioouuuycn aaaeeeeiioouuuycn"
