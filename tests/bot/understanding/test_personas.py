"""Acceptance: every public persona message gives facts consistent with the persona's profile."""

from __future__ import annotations

from datetime import date

import pytest

from bot.geo import resolve
from bot.geo.normalize import fold
from bot.understanding import extract
from tests.bot.eligibility.test_personas import STATED_IN_MESSAGE
from tests.conftest import shared_path

TODAY = date(2026, 3, 15)
SENIORITY = {"seniority_months_company", "seniority_months_total"}

#: Facts that must be found in each message (stated or implied there). Every persona states its goal:
#: no exception is needed (P19's "je sais pas quoi faire" is outranked by "des trucs payés pour se former").
REQUIRED: dict[str, set[str]] = {
    "P01": {"status", "contract", "seniority_months_company", "commune", "goal"},
    "P03": {"status", "contract", "seniority_months_company", "seniority_months_total", "commune", "goal"},
    "P06": {"status", "contract", "seniority_months_company", "commune", "goal"},
    "P08": {"status", "contract", "seniority_months_company", "commune", "goal"},
    "P11": {"status", "contract", "registered_france_travail", "commune", "goal"},
    "P13": {"status", "contract", "age", "diploma_level", "registered_france_travail", "commune", "goal"},
    "P17": {"status", "contract", "age", "rqth", "registered_france_travail", "commune", "goal"},
    "P19": {"status", "contract", "age", "diploma_level", "commune", "goal"},
    "P21": {"status", "contract", "registered_france_travail", "commune", "goal"},
    "P24": {"status", "contract", "seniority_months_company", "commune", "goal"},
    "P27": {"status", "contract", "seniority_months_total", "interim_hours_branch_18m",
            "interim_hours_same_agency_18m", "commune", "goal"},
    "P29": {"status", "contract", "age", "seniority_months_company", "commune", "goal"},
    "P33": {"status", "contract", "registered_france_travail", "commune", "goal"},
    "P37": {"status", "contract", "age", "rsa", "registered_france_travail", "commune", "goal"},
}
#: Facts the extractor may add that are not profile fields of the persona files.
FREE_TEXT = {"target_field", "code_insee", "cdd_months_last_12"}
#: Facts the persona files predate (the contract's newer optional fields), or leave implicit: a public
#: employer (a mairie) is its own unemployment insurer. The extractor may state them when the message does.
NOT_IN_PERSONA_FILES = {"months_worked_last_60", "public_service_months", "laid_off_economic_or_unfit",
                        "rqth_pending", "unemployment_benefit", "registered_months_last_18",
                        "employer_self_insured_unemployment"}


def _personas() -> list[dict]:
    import yaml

    path = shared_path("personas", "public.yml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))["personas"]


def _ids() -> list[str]:
    try:
        return [p["id"] for p in _personas()]
    except BaseException:  # shared/ absent: the test skips itself
        return list(REQUIRED)


@pytest.mark.parametrize("pid", _ids())
def test_persona_message_facts_match_profile(pid: str) -> None:
    persona = next((p for p in _personas() if p["id"] == pid), None)
    if persona is None:
        pytest.skip(f"{pid} not in the persona file")
    profile = {**persona["profile"], **STATED_IN_MESSAGE.get(pid, {})}  # fields newer than the persona file
    facts = extract(persona["message"], today=TODAY).facts
    for name, value in facts.items():
        if name in FREE_TEXT | NOT_IN_PERSONA_FILES and name not in profile:
            continue
        assert name in profile, f"{pid}: {name}={value!r} is not in the profile"
        expected = profile[name]
        if name == "commune":
            # The contract keeps the commune as written ("valenciennes"); the persona file capitalises it.
            assert fold(value) == fold(expected), (pid, value, expected)
            assert facts["code_insee"] == resolve(expected).commune.code_insee
        elif name in SENIORITY:
            # "4 ans de CDI" is 48 months where the profile knows 50.
            assert abs(value - expected) < 12, (pid, name, value, expected)
        else:
            assert value == expected, (pid, name, value, expected)
    missing = REQUIRED.get(pid, set()) - set(facts)
    assert not missing, f"{pid}: not found: {sorted(missing)}"


def test_p03_total_adds_previous_interim() -> None:
    msg = ("Je suis en CDD depuis 4 mois dans un EHPAD à Arras (avant j'ai fait 2 ans d'intérim). Mon contrat "
           "finit en juin, je voudrais faire la formation d'aide-soignante, est-ce que je peux être payée pendant ?")
    facts = extract(msg, today=TODAY).facts
    assert facts["seniority_months_company"] == 4
    assert facts["seniority_months_total"] == 28
    assert facts["contract"] == "cdd"  # the past intérim is not the current contract
    assert facts["cdd_months_last_12"] == 4


def test_p06_hypothetical_unemployment_is_no_fact() -> None:
    msg = ("4 ans de CDI dans la grande distrib à Calais, je veux démissionner pour faire la formation de "
           "conducteur routier. Je touche le chômage si je démissionne ?")
    facts = extract(msg, today=TODAY).facts
    assert facts["status"] == "salarie_prive"
    assert "registered_france_travail" not in facts
    assert facts["goal"] == "change_job"
