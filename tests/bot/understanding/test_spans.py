"""Entity spans and values per docs/nlu-guide.md (text[start:end] is the span)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.understanding import extract

TODAY = date(2026, 3, 15)

SPANS = [
    # (message, entity, span, value)
    ("je suis en CDI depuis 3 ans", "contract", "CDI", "cdi"),
    ("je suis en CDI depuis 3 ans", "duration", "3 ans", 36),
    ("j'ai 31 ans", "age", "31 ans", 31),
    ("Denain, 45 ans.", "age", "45 ans", 45),
    ("j'ai fait 1700 heures", "hours", "1700 heures", 1700),
    ("dont 700 h avec la même agence", "hours", "700 h", 700),
    ("inscrit à France Travail", "france_travail", "France Travail", True),
    ("je suis inscrite à pôle emploi", "france_travail", "pôle emploi", True),
    ("pas inscrit à france travail", "france_travail", "france travail", False),
    ("pas de diplôme", "diploma", "pas de diplôme", 0),
    ("sans diplôme", "diploma", "sans diplôme", 0),
    ("j'ai un bac+2", "diploma", "bac+2", 5),
    ("j'ai un CAP", "diploma", "CAP", 3),
    ("j'ai un BEP", "diploma", "BEP", 3),
    ("j'ai le bac", "diploma", "bac", 4),
    ("j'ai un bac pro", "diploma", "bac pro", 4),
    ("j'ai un BTS", "diploma", "BTS", 5),
    ("j'ai un DUT", "diploma", "DUT", 5),
    ("j'ai une licence", "diploma", "licence", 6),
    ("j'ai un BUT", "diploma", "BUT", 6),
    ("j'ai un master", "diploma", "master", 7),
    ("j'ai un doctorat", "diploma", "doctorat", 8),
    ("j'ai juste le brevet", "diploma", "brevet", 0),
    ("j'ai une RQTH", "rqth", "RQTH", True),
    ("je suis reconnue travailleuse handicapée", "rqth", "travailleuse handicapée", True),
    ("pas de RQTH", "rqth", "RQTH", False),
    ("je suis au RSA", "rsa", "RSA", True),
    ("j'habite à Lille", "commune", "Lille", "Lille"),
    ("mon code postal c'est 59000", "commune", "59000", "59000"),
    ("je bosse vers Béthune", "commune", "Béthune", "Béthune"),
    ("j'habite à st omer", "commune", "st omer", "st omer"),
    ("le fongecif ça existe encore ?", "dispositif", "fongecif", "transitions_pro_hdf"),
    ("c'est quoi le CIF ?", "dispositif", "CIF", "ptp"),
    ("et le CPF de transition ?", "dispositif", "CPF de transition", "ptp"),
    ("la Pro-A ?", "dispositif", "Pro-A", "pro_a"),
    ("la pro a c'est fini ?", "dispositif", "pro a", "pro_a"),
    ("je veux le faire en alternance", "dispositif", "alternance", "apprentissage"),
    ("j'ai vu Mon CEP", "dispositif", "Mon CEP", "mon_cep_hdf"),
    ("le CEP peut m'aider ?", "dispositif", "CEP", "mon_cep_hdf"),
    ("une POE c'est possible ?", "dispositif", "POE", "poei"),
    ("c'est quoi la VAE ?", "dispositif", "VAE", "vae"),
    ("un bilan de compétences", "dispositif", "bilan de compétences", "bilan_competences"),
    ("la démission reconversion", "dispositif", "démission reconversion", "demission_reconversion"),
    ("un contrat pro", "dispositif", "contrat pro", "contrat_pro"),
    ("pôle emploi ça existe encore ?", "dispositif", "pôle emploi", "france_travail"),
    ("c'est quoi la RQTH ?", "dispositif", "RQTH", "rqth"),
    ("je voudrais devenir plombier", "target_field", "plombier", "plombier"),
    ("faire la formation d'aide-soignante", "target_field", "aide-soignante", "aide-soignante"),
    ("me former à la data", "target_field", "data", "data"),
    ("me reconvertir comme technicienne informatique à Lille", "target_field", "technicienne informatique",
     "technicienne informatique"),
    ("je voudrais passer les caces cariste", "target_field", "caces cariste", "caces cariste"),
    ("faire un CAP électricien", "target_field", "électricien", "électricien"),
    ("je veux devenir conducteur d'engins.", "target_field", "conducteur d'engins", "conducteur d'engins"),
    ("je voudrais me reconvertir", "goal", "me reconvertir", "change_job"),
    ("créer mon entreprise", "goal", "créer mon entreprise", "create_business"),
    ("je veux monter un food truck", "goal", "monter un food truck", "create_business"),
    ("valider mon expérience", "goal", "valider mon expérience", "validate_experience"),
    ("je veux trouver un travail", "goal", "trouver un travail", "find_job"),
    ("j'ai besoin de faire le point", "goal", "faire le point", "explore"),
    ("je voudrais passer un diplôme", "goal", "passer un diplôme", "get_qualification"),
    ("je voudrais me former", "goal", "me former", "get_qualification"),
    ("je suis au chômage", "status", "au chômage", "demandeur_emploi"),
    ("je suis demandeur d'emploi", "status", "demandeur d'emploi", "demandeur_emploi"),
    ("licencié il y a 3 mois", "status", "licencié", "demandeur_emploi"),
    ("je suis fonctionnaire", "status", "fonctionnaire", "agent_public"),
    ("agent territorial depuis 5 ans", "status", "agent territorial", "agent_public"),
    ("intérimaire dans le BTP", "status", "intérimaire", "interimaire"),
    ("je suis auto-entrepreneur", "status", "auto-entrepreneur", "independant"),
    ("je suis étudiant", "status", "étudiant", "etudiant"),
    ("je suis salariée", "status", "salariée", "salarie_prive"),
    ("j'ai signé le CSP", "status", "CSP", "csp"),
    ("je suis proche aidante", "status", "proche aidante", "inactif_proche_aidant"),
    ("je bosse en intérim", "contract", "intérim", "mission_interim"),
    ("titulaire à la mairie", "contract", "titulaire", "fonctionnaire"),
    ("je suis contractuelle", "contract", "contractuelle", "contractuel_public"),
    ("en CDD depuis 18 mois", "duration", "18 mois", 18),
    ("depuis 2 ans et demi", "duration", "2 ans et demi", 30),
    ("en CDI depuis 2019", "duration", "depuis 2019", 80),
    ("ça fait un an", "duration", "un an", 12),
]


@pytest.mark.parametrize(("text", "entity", "span", "value"), SPANS)
def test_span(text: str, entity: str, span: str, value: object) -> None:
    found = [e for e in extract(text, today=TODAY).entities if e.entity == entity]
    assert found, f"no {entity} in {text!r}"
    e = found[0]
    assert text[e.start:e.end] == e.text == span
    assert e.value == value


@pytest.mark.parametrize(("text", "absent"), [
    ("je veux faire un CAP électricien", "diploma"),      # a diploma aimed at is no diploma entity
    ("je voudrais passer mon bac", "diploma"),
    ("je suis étudiant en BTS", "diploma"),
    ("garder le cap", "diploma"),
    ("j'ai 31 ans", "duration"),
    ("depuis 3 ans", "age"),
    ("j'ai 15 ans d'expérience", "age"),
    ("c'est quoi Cap Reconversion", "goal"),
    ("Pas-de-Calais", "commune"),
    ("je suis titulaire d'un CAP", "contract"),
    ("les salariés peuvent faire un PTP ?", "status"),
])
def test_no_entity(text: str, absent: str) -> None:
    assert not [e for e in extract(text, today=TODAY).entities if e.entity == absent]


def test_entities_are_ordered_and_do_not_overlap() -> None:
    msg = ("Bonjour, je suis en CDI depuis 3 ans dans une boîte de logistique à Lille et j'en peux plus. "
           "Je voudrais devenir plombier, comment je peux me former sans perdre mon salaire ?")
    entities = extract(msg).entities
    assert [e.entity for e in entities] == ["contract", "duration", "commune", "target_field", "goal"]
    for a, b in zip(entities, entities[1:], strict=False):
        assert a.end <= b.start
    for e in entities:
        assert msg[e.start:e.end] == e.text


def test_durations_carry_a_role() -> None:
    msg = "inscrit à France Travail depuis 5 mois, avant j'ai fait 2 ans d'intérim, arrêt maladie depuis 8 mois"
    roles = [(e.text, e.role) for e in extract(msg).entities if e.entity == "duration"]
    assert roles == [("5 mois", "registration"), ("2 ans", "previous"), ("8 mois", "sick_leave")]


def test_dispositifs_listed_in_order() -> None:
    result = extract("entre le CPF, la VAE et le fongecif, et encore le CPF, je suis perdu")
    assert result.dispositifs == ["cpf", "vae", "transitions_pro_hdf"]
