"""Boundary tables: each threshold one unit either side, exceptions, and dates either side of 2026-01-01."""

from __future__ import annotations

from datetime import date

import pytest

from bot.eligibility.engine import evaluate

AS_OF = date(2026, 3, 15)
LISTS = ("recommended", "to_check", "not_eligible", "other_options")


def verdict(profile: dict, dispositif: str, as_of: date = AS_OF) -> tuple[str, dict]:
    result = evaluate(profile, as_of)
    for key in LISTS:
        for item in result[key]:
            if item["id"] == dispositif:
                return key, item
    raise AssertionError(f"{dispositif} missing from the result")


LILLE = {"commune": "Lille", "rqth": False, "registered_france_travail": False, "rsa": False}
CDI = {**LILLE, "status": "salarie_prive", "contract": "cdi", "goal": "change_job", "age": 35, "diploma_level": 4,
       "sick_leave_months_last_24": 0, "laid_off_economic_or_unfit": False}
CDD = {**CDI, "contract": "cdd"}
INTERIM = {**CDI, "status": "interimaire", "contract": "mission_interim"}


@pytest.mark.parametrize(("total", "company", "expected", "months"), [
    (23, 12, "not_eligible", 1),
    (24, 12, "recommended", None),
    (24, 11, "not_eligible", 1),
    (30, 12, "recommended", None),
    (20, 10, "not_eligible", 4),
])
def test_ptp_cdi_24_months_including_12_in_the_company(total, company, expected, months):
    where, item = verdict({**CDI, "seniority_months_total": total, "seniority_months_company": company}, "ptp")
    assert where == expected
    if expected == "not_eligible":
        assert item["eligible_in_months"] == months
        assert f"possible dans {months} mois" in " ".join(item["why"])


@pytest.mark.parametrize(("total", "cdd_months", "expected"), [
    (24, 3, "not_eligible"), (24, 4, "recommended"), (23, 4, "not_eligible"), (60, 12, "recommended"),
])
def test_ptp_cdd_24_months_in_5_years_including_4_months_of_cdd(total, cdd_months, expected):
    profile = {**CDD, "seniority_months_total": total, "seniority_months_company": 2, "cdd_months_last_12": cdd_months}
    assert verdict(profile, "ptp")[0] == expected


@pytest.mark.parametrize(("branch", "agency", "expected"), [
    (1599, 600, "not_eligible"), (1600, 600, "recommended"), (1600, 599, "not_eligible"), (1700, 700, "recommended"),
])
def test_ptp_interim_1600_hours_including_600_in_the_agency(branch, agency, expected):
    profile = {**INTERIM, "interim_hours_branch_18m": branch, "interim_hours_same_agency_18m": agency}
    where, item = verdict(profile, "ptp")
    assert where == expected
    if expected == "not_eligible":
        assert any("1\u00a0600" in c["text"] or "600" in c["text"] for c in item["conditions"] if c["ok"] is False)


@pytest.mark.parametrize("exception", [
    {"rqth": True},
    {"sick_leave_months_last_24": 7},
    {"sick_leave_cause": "maladie_professionnelle", "sick_leave_months_last_24": 2},
])
def test_ptp_no_seniority_with_rqth_or_after_long_sick_leave(exception):
    profile = {**CDI, "seniority_months_total": 3, "seniority_months_company": 3, **exception}
    assert verdict(profile, "ptp")[0] == "recommended"


def test_ptp_six_months_of_sick_leave_is_not_enough():
    profile = {**CDI, "seniority_months_total": 3, "seniority_months_company": 3, "sick_leave_months_last_24": 6,
               "sick_leave_cause": "maladie"}
    assert verdict(profile, "ptp")[0] == "not_eligible"


def test_ptp_unknown_exception_is_not_a_refusal_but_the_settling_question():
    profile = {k: v for k, v in CDI.items() if k not in ("rqth", "sick_leave_months_last_24")}
    result = evaluate({**profile, "seniority_months_total": 23, "seniority_months_company": 23}, AS_OF)
    item = next(i for i in result["to_check"] if i["id"] == "ptp")
    assert "rqth" in item["missing"] and "sick_leave_months_last_24" in item["missing"]
    assert "possible dans 1 mois" in " ".join(item["why"])  # the main condition is still explained
    assert "rqth" in result["questions"]


@pytest.mark.parametrize(("total", "leave", "expected", "months"), [
    (59, 0, "not_eligible", 1), (60, 0, "recommended", None), (72, 0, "recommended", None),
    (62, 3, "not_eligible", 3),  # unpaid / sabbatical leave does not count: at most 57 of the last 60 months
])
def test_demission_reconversion_five_years(total, leave, expected, months):
    profile = {**CDI, "seniority_months_total": total, "seniority_months_company": total,
               "unpaid_or_sabbatical_leave_last_60m": leave, "employer_self_insured_unemployment": False}
    where, item = verdict(profile, "demission_reconversion")
    assert where == expected
    if months:
        assert item["eligible_in_months"] == months


@pytest.mark.parametrize("contract", ["cdd", "mission_interim"])
def test_demission_reconversion_needs_a_cdi(contract):
    status = "interimaire" if contract == "mission_interim" else "salarie_prive"
    profile = {**CDI, "status": status, "contract": contract, "seniority_months_total": 100}
    where, item = verdict(profile, "demission_reconversion")
    assert where == "not_eligible" and item["eligible_in_months"] is None


def test_demission_reconversion_excludes_self_insured_employers():
    profile = {**CDI, "seniority_months_total": 100, "employer_self_insured_unemployment": True}
    assert verdict(profile, "demission_reconversion")[0] == "not_eligible"


YOUNG = {**LILLE, "status": "jeune_neet", "goal": "get_qualification", "diploma_level": 0,
         "registered_france_travail": True}


@pytest.mark.parametrize(("age", "rqth", "expected"), [
    (14, False, "not_eligible"), (15, False, "to_check"), (16, False, "recommended"), (29, False, "recommended"),
    (30, False, "to_check"), (35, False, "to_check"), (36, False, "not_eligible"), (30, True, "recommended"),
    (55, True, "recommended"),
])
def test_apprentissage_16_to_29_unless_rqth(age, rqth, expected):
    profile = {**YOUNG, "age": age, "rqth": rqth, "status": "demandeur_emploi" if age > 25 else "jeune_neet"}
    assert verdict(profile, "apprentissage")[0] == expected


def test_apprentissage_for_a_business_creation_project_has_no_age_limit_if_the_diploma_is_required():
    profile = {**YOUNG, "age": 40, "status": "demandeur_emploi", "goal": "create_business"}
    where, item = verdict(profile, "apprentissage")
    assert where == "to_check" and "exigé pour ce projet" in " ".join(item["why"])


@pytest.mark.parametrize(("age", "status", "registered", "expected"), [
    (25, "salarie_prive", False, "recommended"),
    (26, "salarie_prive", False, "not_eligible"),
    (26, "demandeur_emploi", True, "recommended"),
    (26, "demandeur_emploi", False, "not_eligible"),
    (45, "demandeur_emploi", True, "recommended"),
])
def test_contrat_pro_25_26_years(age, status, registered, expected):
    profile = {**LILLE, "age": age, "status": status, "registered_france_travail": registered,
               "goal": "get_qualification"}
    if status == "salarie_prive":
        profile["contract"] = "cdd"
    assert verdict(profile, "contrat_pro")[0] == expected


def test_contrat_pro_any_age_with_rsa():
    profile = {**LILLE, "age": 50, "status": "salarie_prive", "contract": "cdd", "rsa": True,
               "goal": "get_qualification"}
    assert verdict(profile, "contrat_pro")[0] == "recommended"


@pytest.mark.parametrize(("age", "rqth", "expected"), [
    (25, False, "recommended"), (26, False, "not_eligible"), (29, True, "recommended"), (30, True, "not_eligible"),
])
def test_cej_25_26_and_29_30_with_rqth(age, rqth, expected):
    assert verdict({**YOUNG, "age": age, "rqth": rqth}, "cej")[0] == expected


@pytest.mark.parametrize(("age", "expected"), [(25, "recommended"), (26, "not_eligible")])
def test_mission_locale_up_to_25(age, expected):
    assert verdict({**YOUNG, "age": age}, "mission_locale")[0] == expected


@pytest.mark.parametrize(("services", "expected"), [(35, "not_eligible"), (36, "recommended")])
def test_conge_formation_fonctionnaire_three_years(services, expected):
    profile = {**LILLE, "status": "agent_public", "contract": "fonctionnaire", "seniority_months_total": services,
               "public_service_months": services, "goal": "change_job"}
    assert verdict(profile, "cfp_fonction_publique")[0] == expected


# -- dates either side of 2026-01-01 -----------------------------------------------------------

P01_LIKE = {**CDI, "seniority_months_total": 48, "seniority_months_company": 36}


def test_pro_a_still_offered_on_2025_12_31():
    assert verdict(P01_LIKE, "pro_a", date(2025, 12, 31))[0] == "recommended"
    where, item = verdict(P01_LIKE, "periode_reconversion", date(2025, 12, 31))
    assert where == "not_eligible" and "à partir du 1er janvier 2026" in item["why"][0]


def test_periode_de_reconversion_replaces_pro_a_on_2026_01_02():
    assert verdict(P01_LIKE, "periode_reconversion", date(2026, 1, 2))[0] == "recommended"
    where, item = verdict(P01_LIKE, "pro_a", date(2026, 1, 2))
    assert where == "not_eligible"
    assert "supprimé" in item["why"][0] and "Période de reconversion" in item["why"][0]


def test_pro_a_needed_a_diploma_below_licence():
    assert verdict({**P01_LIKE, "diploma_level": 6}, "pro_a", date(2025, 6, 1))[0] == "not_eligible"


@pytest.mark.parametrize(("as_of", "amount"), [
    (date(2025, 6, 1), "102,23"), (date(2026, 1, 2), "103,20"), (date(2024, 6, 1), "100"),
])
def test_cpf_flat_contribution_is_dated(as_of, amount):
    _, item = verdict(P01_LIKE, "cpf", as_of)
    assert f"{amount} €" in " ".join(item["why"])


@pytest.mark.parametrize(("diploma", "rqth", "amount"), [(0, False, "800 €"), (3, False, "500 €"), (3, True, "800 €")])
def test_cpf_amount_depends_on_diploma_and_rqth(diploma, rqth, amount):
    _, item = verdict({**P01_LIKE, "diploma_level": diploma, "rqth": rqth}, "cpf")
    assert f"crédité de {amount}" in " ".join(item["why"])


def test_acre_was_for_every_creator_before_2026_and_is_targeted_after():
    creator = {**P01_LIKE, "goal": "create_business", "business_in_qpv_or_zfrr": False}
    assert verdict(creator, "acre", date(2025, 12, 31))[0] == "recommended"
    assert verdict(creator, "acre", date(2026, 1, 2))[0] == "not_eligible"
    assert verdict({**creator, "business_in_qpv_or_zfrr": True}, "acre", date(2026, 1, 2))[0] == "recommended"


def test_hauts_de_france_schemes_need_a_commune_in_the_region():
    assert verdict(P01_LIKE, "mon_cep_hdf")[0] == "recommended"
    where, item = verdict({**P01_LIKE, "commune": "Lyon"}, "mon_cep_hdf")
    assert where == "not_eligible" and "mon-cep.org" in " ".join(item["why"])
    no_place = {k: v for k, v in P01_LIKE.items() if k != "commune"}
    where, item = verdict(no_place, "mon_cep_hdf")
    assert where == "to_check" and item["missing"] == ["commune"]


def test_dunkerque_agglomeration_services():
    creator = {**LILLE, "commune": "Grande-Synthe", "status": "demandeur_emploi", "registered_france_travail": True,
               "goal": "create_business", "age": 40}
    assert verdict(creator, "la_turbine_dunkerque")[0] == "recommended"
    assert verdict({**creator, "commune": "Calais"}, "la_turbine_dunkerque")[0] == "not_eligible"


def test_dont_know_keeps_the_scheme_to_check_and_says_where_to_find_out():
    profile = {**CDI, "seniority_months_company": 36, "employer_self_insured_unemployment": False}
    profile.pop("rqth")
    result = evaluate(profile, AS_OF, skip_fields=["months_worked_last_60", "rqth"])
    item = next(i for i in result["to_check"] if i["id"] == "demission_reconversion")
    assert item["missing"] == ["months_worked_last_60"]
    assert any("bulletins de salaire" in w for w in item["why"])
    assert "months_worked_last_60" not in result["questions"] and "rqth" not in result["questions"]
