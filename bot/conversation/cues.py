"""What the conversation needs from the wording of a message, beyond the profile facts.

Read once per message by the NLU pipeline (`rasa_components/fact_extractor.py`) and turned into
entities; the actions never read the text themselves:

- `question`: the person asks something we should answer before going on ("c'est jusqu'à quel
  âge ?" → `age_limit`, "je serai payé pendant la formation ?" → `pay`, "c'est pour moi ?",
  "est-ce que je peux faire… ?" → `for_me`, "il y a une association… ?" → `help`, any other
  question → `general`);
- `change`: what a "what if" supposes beyond the profile facts ("si je démissionne" → `resign`);
- `term`: in a question, the glossary terms it names ("ça veut dire quoi OPCO ?" → `OPCO`);
- `need`: a disability or inclusion cue ("je suis sourde" → `deaf`, "malvoyant" → `blind`,
  "j'ai un handicap" → `disability`), which brings the RQTH sentence and inclusive organisations.
"""

from __future__ import annotations

import re

from bot.geo.normalize import fold

__all__ = ["CHANGES", "NEEDS", "QUESTION_TOPICS", "read_cues", "says_dont_know"]

QUESTION_TOPICS = ("age_limit", "pay", "for_me", "help", "general")
CHANGES = ("resign",)
NEEDS = ("deaf", "blind", "disability")

_W = r"(?<![a-z])"
_E = r"(?![a-z])"

_AGE_LIMIT = re.compile(
    _W + r"(?:jusqu'?\s?a quel age|quel age|age (?:max\w*|limite)|limite d'?\s?age|trop (?:vieux|vieille|age|agee)"
    r"|a mon age|pas trop tard|plus l'age|age minimum|a partir de quel age)" + _E)
_PAY = re.compile(
    _W + r"(?:paye|payee|payes|remunere|remuneree|remuneration|salaire|toucher|touche|touchera|toucherai"
    r"|gagner|gagnerai|indemnis\w+|chomage|argent|financ\w+|ca coute|combien ca coute|gratuit)" + _E)
_FOR_ME = re.compile(
    _W + r"(?:pour moi|j'?\s?y ai droit|j'?\s?ai droit|ai-je droit|je peux|je pourrais|je pourrai|puis-je"
    r"|est-ce possible|c'est possible|eligible|suis-je|je suis concerne\w*|ca marche pour moi|possible pour moi"
    r"|est ce que je)" + _E)
_HELP = re.compile(
    _W + r"(?:une? (?:association|asso|structure|organisme|aide|service)s?|des (?:associations|assos|structures)"
    r"|qui peut m'?\s?aider|ou m'?\s?adresser|a qui m'?\s?adresser)" + _E)
_QUESTION_START = re.compile(
    r"(?:^|[.!?;]\s*)(?:est[- ]ce|c'est quoi|comment|combien|pourquoi|quel|quelle|quels|quelles|ou|qui|peut[- ]on"
    r"|puis[- ]je|ai[- ]je|suis[- ]je|je peux|il y a|y a[- ]t[- ]il)" + _E)

_DEAF = re.compile(_W + r"(?:sourde?s?|malentendante?s?|mal entendante?s?|surdite|langue des signes|lsf"
                   r"|appareille\w*|implant cochleaire)" + _E)
_BLIND = re.compile(_W + r"(?:malvoyante?s?|mal voyante?s?|aveugle?s?|non[- ]voyante?s?|deficien\w+ visuel\w*"
                    r"|cecite|braille)" + _E)
_DISABILITY = re.compile(_W + r"(?:handicap\w*|invalidite|mdph|aah|inaptitude|inapte|en fauteuil"
                         r"|deficien\w+)" + _E)


#: "ça veut dire quoi OPCO", "que signifie RNCP": a question about a word, even without "?".
_DEFINITION = re.compile(r"(?:veut dire|signifie|c'?\s?est quoi|quoi (?:ca|c'?\s?est))")

_RESIGN = re.compile(_W + r"(?:demission\w*|demissionn\w*|quitter mon (?:poste|emploi|travail|cdi|boulot|job))" + _E)


_DONT_KNOW = re.compile(r"(?:sais pas|sais plus|aucune idee|sais rien|ne sais|j'?\s?ignore|pas sure?|chais pas)")


def says_dont_know(text: str) -> bool:
    """"je ne sais pas", "aucune idée"…: the message is no place name to look up."""
    return bool(_DONT_KNOW.search(fold(text or "")))


def _is_question(folded: str) -> bool:
    return "?" in folded or bool(_QUESTION_START.search(folded))


def read_cues(text: str) -> dict[str, list[str]]:
    """{"question": [topics…], "need": [needs…], "change": [changes…], "term": [glossary terms…]} of one message."""
    folded = fold(text or "").replace("’", "'")
    topics: list[str] = []
    if _is_question(folded):
        # only the question part counts: "je suis au chômage, c'est jusqu'à quel âge ?" asks about the limit
        parts = [p for p in re.split(r"(?<=[.!?;,])\s+|\n", folded) if "?" in p or _QUESTION_START.search(p)]
        asked = " ".join(parts) or folded
        for topic, pattern in (("age_limit", _AGE_LIMIT), ("pay", _PAY), ("help", _HELP), ("for_me", _FOR_ME)):
            if pattern.search(asked):
                topics.append(topic)
        if not topics:
            topics.append("general")  # "c'est quoi la VAE ?", "…un contrat pro, c'est vrai ?"
    needs: list[str] = []
    for need, pattern in (("deaf", _DEAF), ("blind", _BLIND), ("disability", _DISABILITY)):
        if pattern.search(folded):
            needs.append(need)
    if ("deaf" in needs or "blind" in needs) and "disability" in needs:
        needs.remove("disability")
    changes = ["resign"] if _RESIGN.search(folded) else []
    from bot.conversation.dialogue import terms_in

    return {"question": topics, "need": needs, "change": changes, "term": terms_in(text) if topics or _DEFINITION.search(folded) else []}
