"""Development examples for the first-message families of issue 8 (NOT the held-out set).

Each case: a message and facts that must be found (value) or must be absent (None). Written for
development; the held-out set (tests/nlu/heldout_facts.yml) is scored separately by
scripts/extraction_gate.py and never tuned on.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.understanding import extract

TODAY = date(2026, 3, 15)

CASES: list[tuple[str, dict]] = [
    # a question about a scheme is not a goal
    ("est-ce que je peux faire une VAE ?", {"goal": None}),
    ("je peux faire un bilan de compétences si je suis en CDD ?", {"goal": None, "contract": None}),
    ("j'ai droit à la démission reconversion ? CDI depuis 7 ans", {"goal": None, "seniority_months_company": 84}),
    ("la VAE c'est long ?", {"goal": None}),
    ("je voudrais faire une VAE d'auxiliaire de vie", {"goal": "validate_experience"}),
    ("est-ce que le CPF finance le permis poids lourd ?", {"goal": None}),
    # numbers quoted from rules or about other people
    ("on m'a dit que c'était jusqu'à 30 ans, j'en ai 28", {"age": 28}),
    ("ma femme a 39 ans et elle est en CDI", {"age": None, "contract": None, "status": None}),
    ("il paraît qu'il faut 2 ans d'ancienneté, moi j'ai 1 an de CDD", {"seniority_months_company": 12}),
    ("mon fils de 19 ans est au RSA", {"age": None, "rsa": None}),
    ("les plus de 50 ans peuvent avoir une aide ? j'ai 52 ans", {"age": 52}),
    ("il faut 910 heures en intérim c'est ça ? je suis au chômage", {"interim_hours_branch_18m": None}),
    ("mon copain est fonctionnaire, moi je suis vendeuse en CDI", {"status": "salarie_prive", "contract": "cdi"}),
    # public-law contracts and self-insured employers
    ("je suis contractuel au conseil régional depuis 2 ans",
     {"status": "agent_public", "contract": "contractuel_public", "employer_self_insured_unemployment": True,
      "seniority_months_company": 24, "public_service_months": 24}),
    ("AESH depuis 3 ans à Douai", {"status": "agent_public", "contract": "contractuel_public",
                                    "seniority_months_company": 36}),
    ("je suis en CDD de droit public dans un lycée", {"status": "agent_public", "contract": "contractuel_public"}),
    ("agente hospitalière titulaire", {"status": "agent_public", "contract": "fonctionnaire",
                                       "employer_self_insured_unemployment": True}),
    ("je bosse à la RATP depuis 10 ans", {"employer_self_insured_unemployment": True,
                                          "seniority_months_company": 120}),
    ("je suis en CDI à la Poste", {"employer_self_insured_unemployment": True, "contract": "cdi"}),
    ("je suis en CDI dans une clinique privée", {"employer_self_insured_unemployment": None,
                                                "status": "salarie_prive"}),
    ("je veux travailler à la mairie", {"employer_self_insured_unemployment": None, "status": None}),
    ("ma soeur travaille à l'hôpital, moi je suis au chômage", {"employer_self_insured_unemployment": None,
                                                                 "status": "demandeur_emploi"}),
    # cadres
    ("je suis cadre dans une banque", {"is_cadre": True}),
    ("dans le cadre de mon projet je voudrais me former", {"is_cadre": None}),
    ("responsable de magasin, cadre, 15 ans de boîte", {"is_cadre": True, "seniority_months_company": 180}),
    ("directeur d'un supermarché en CDI", {"is_cadre": True}),
    ("mon directeur ne veut pas que je parte en formation", {"is_cadre": None}),
    ("je suis agent de maîtrise", {"is_cadre": False}),
    # places of the training
    ("je cherche une formation à Lille", {"commune": "Lille"}),
    ("une formation sur Lens ?", {"commune": "Lens"}),
    ("je voudrais me former du côté de Béthune", {"commune": "Béthune"}),
    ("j'habite Liévin et je cherche une formation vers Lens", {"commune": "Liévin"}),
    # dates, diploma, RSA, Mission locale
    ("en CDI depuis 2019", {"seniority_months_company": 80}),
    ("née en 1990, CAP coiffure", {"age": 36, "diploma_level": 3}),
    ("j'ai un bac+2", {"diploma_level": 5}),
    ("je suis au RSA depuis 2 ans", {"rsa": True, "registered_france_travail": True}),
    ("je suis suivie par la Mission locale de Lens", {"registered_france_travail": True}),
    # durations
    ("en CDD depuis 5 mois", {"cdd_months_last_12": 5}),
    ("j'ai travaillé 15 ans dans le bâtiment", {"seniority_months_total": 180}),
    ("20 ans d'expérience en cuisine", {"seniority_months_total": 240}),
    ("j'ai travaillé 40 mois sur les 5 dernières années", {"months_worked_last_60": 40}),
    ("inscrit à France Travail depuis 4 mois", {"registered_months_last_18": 4}),
    ("au chômage depuis 3 ans", {"registered_months_last_18": 18, "registered_france_travail": True}),
    # registration variants and benefits
    ("je suis inscrit au chômage", {"registered_france_travail": True}),
    ("demandeur d'emploi", {"registered_france_travail": True, "status": "demandeur_emploi"}),
    ("je suis à pôle emploi", {"registered_france_travail": True}),
    ("je touche le chômage", {"unemployment_benefit": True}),
    ("je ne touche plus rien, fin de droits", {"unemployment_benefit": False}),
    ("licenciée pour inaptitude", {"laid_off_economic_or_unfit": True}),
    ("mon entreprise prévoit un licenciement économique", {"laid_off_economic_or_unfit": True}),
    # disability cues and RQTH
    ("je suis malvoyante", {"rqth": None, "disability": True}),
    ("j'ai un handicap auditif", {"disability": True}),
    ("je me déplace en fauteuil roulant", {"disability": True}),
    ("mon fils est autiste", {"disability": None}),
    ("c'est quoi la RQTH ?", {"disability": None, "rqth": None}),
    ("j'ai la RQTH", {"rqth": True, "disability": True}),
    ("dossier RQTH déposé en janvier, j'attends", {"rqth_pending": True, "rqth": None}),
    # goals and targets
    ("je voudrais devenir éducateur sportif", {"target_field": "éducateur sportif"}),
    ("je veux me reconvertir dans la menuiserie", {"goal": "change_job", "target_field": "menuiserie"}),
    ("jveu trouver un taf", {"goal": "find_job"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_first_message(text: str, expected: dict) -> None:
    found = extract(text, today=TODAY)
    got = {**found.facts, **found.cues}
    for name, value in expected.items():
        if value is None:
            assert name not in got, (text, name, got.get(name))
        elif name in ("commune", "target_field"):
            assert name in got and value.lower() in got[name].lower(), (text, name, got.get(name))
        else:
            assert got.get(name) == value, (text, name, got.get(name))


def test_evidence_spans_point_at_the_words() -> None:
    text = "Je suis AESH depuis 2021 à Béthune, 43 ans, je veux devenir orthophoniste"
    found = extract(text, today=TODAY)
    for name in ("status", "contract", "age", "commune", "seniority_months_company"):
        spans = found.evidence[name]
        assert spans, name
        for ev in spans:
            assert text[ev.start:ev.end] == ev.text
    assert found.evidence["age"][0].text == "43 ans"
    assert [i["field"] for i in found.understood()][:2] == ["status", "contract"]


MORE: list[tuple[str, dict]] = [
    ("ma fille veut devenir infirmière", {"goal": None, "target_field": None}),
    ("j'ai fait une formation de cariste l'an dernier", {"goal": None}),
    ("je voudrais créer une chambre d'hôtes", {"goal": "create_business"}),
    ("j'ai bossé 3 ans sur les 5 dernières années", {"months_worked_last_60": 36, "seniority_months_total": None}),
    ("je suis au RSA depuis 3 ans", {"registered_months_last_18": None, "rsa": True}),
    ("licenciée il y a 2 mois, au chômage depuis", {"registered_months_last_18": None}),
    ("on peut garder le RSA pendant une formation ?", {"rsa": None}),
    ("je touche le RSA", {"rsa": True}),
    ("je n'ai pas le bac", {"diploma_level": 0}),
    ("pas le bac mais un CAP vente", {"diploma_level": 3}),
    ("j'ai un cap boulanger", {"diploma_level": 3}),
    ("je suis en CDI à 28h", {"part_time_hours_week": 28}),
    ("j'étais en arrêt, arrêtée 6 mois l'an dernier", {"sick_leave_months_last_24": 6}),
    ("je voudrais me mettre à mon compte comme plombier", {"status": None}),
    ("je ne travaille pas et je suis inscrit à France Travail", {"status": "demandeur_emploi", "contract": "aucun"}),
    ("j'ai démissionné le mois dernier, je suis inscrite à pôle emploi", {"status": "demandeur_emploi"}),
    ("mon contrat s'est terminé en décembre, je suis inscrit à France Travail", {"status": "demandeur_emploi",
                                                                               "contract": "aucun"}),
    ("je passe le bac en juin", {"diploma_level": None}),
    ("je voudrais une formation de maçon", {"goal": "get_qualification"}),
    ("je veux faire un apprentissage en plomberie", {"goal": "get_qualification"}),
    ("je cherche une formation dans le social", {"goal": "get_qualification"}),
    ("une formation en compta ça existe près d'Arras ?", {"goal": None}),
    ("je suis déscolarisée, 17 ans", {"status": "jeune_neet"}),
    # number words, read by text2num (Belgian and Swiss forms too)
    ("j'ai septante ans", {"age": 70}),
    ("j'ai quatre-vingt-dix-huit ans", {"age": 98}),
    ("en CDI depuis nonante mois", {"seniority_months_company": 90}),
    ("j'ai soixante et un ans", {"age": 61}),
    ("inscrit chômage depuis 3 mois", {"registered_france_travail": True, "registered_months_last_18": 3,
                                       "status": "demandeur_emploi"}),
    ("jsuis a pole emploi depuis 6 mois", {"registered_months_last_18": 6}),
    ("depuis 2021 je suis en CDI", {"seniority_months_company": 56}),
    ("j'ai travaillé 15 ans chez Renault", {"seniority_months_total": 180, "seniority_months_company": None}),
    ("assistante d'éducation dans un collège", {"status": "agent_public", "contract": "contractuel_public",
                                                "employer_self_insured_unemployment": True}),
    ("né le 12 mai 1980", {"age": 45}),
    ("inscrite a pole emplois depuis 1 an", {"registered_france_travail": True, "registered_months_last_18": 12}),
    ("je suis inscri a france travaille", {"registered_france_travail": True}),
    ("j'ai 19 ans et je suis en terminale", {"status": "etudiant"}),
    ("je suis accompagnée par Cap emploi", {"registered_france_travail": True, "status": None}),
    ("le PTP c'est à partir de 2 ans d'ancienneté ?", {"seniority_months_company": None}),
    ("mon conseiller dit que je dois avoir 3 ans de CDI", {"seniority_months_company": None, "contract": None}),
    ("il faut combien d'heures d'intérim ? j'ai fait 500 heures", {"status": None}),
    ("il faut que je quitte mon CDI", {"contract": "cdi"}),
    ("j'aimerais me lancer dans la pâtisserie", {"target_field": "pâtisserie"}),
    ("je me sens un peu perdue", {"goal": "explore"}),
    ("j'ai fait 6 mois de CDD cette année", {"cdd_months_last_12": 6, "contract": None}),
    ("j'ai 12 ans d'ancienneté en tout", {"seniority_months_total": 144}),
    ("ça fait 25 ans que je travaille", {"seniority_months_total": 300}),
    ("plus de 10 ans dans le métier", {"seniority_months_total": 120}),
    ("ça fait 7 mois que je suis en CDD", {"cdd_months_last_12": 7, "contract": "cdd"}),
    ("je veux changer de vie", {"goal": "change_job"}),
    ("j'ai peur d'être licencié pour motif économique", {"laid_off_economic_or_unfit": None, "status": None}),
    ("je viens d'être licenciée pour motif économique", {"laid_off_economic_or_unfit": True,
                                                         "status": "demandeur_emploi"}),
    ("c'est quoi le licenciement pour inaptitude ?", {"laid_off_economic_or_unfit": None}),
    ("j'ai travaillé avec des personnes handicapées", {"disability": None}),
    ("je voudrais un travail dans la petite enfance", {"goal": "find_job", "target_field": "petite enfance"}),
    ("Je voudrais quitter mon job pour faire du jardinage", {"goal": "change_job", "target_field": "jardinage"}),
]


@pytest.mark.parametrize(("text", "expected"), MORE)
def test_more_first_messages(text: str, expected: dict) -> None:
    test_first_message(text, expected)
