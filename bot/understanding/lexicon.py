"""Word lists used by the normaliser (all folded: lower case, no accents)."""

from __future__ import annotations

__all__ = ["KEYWORDS", "NUMBER_WORDS", "PROTECTED_WORDS", "SMS_WORDS", "UNIT_WORDS"]

#: Words whose one-letter typos are corrected ("inscite" → "inscrite", "diplom" → "diplome").
KEYWORDS = frozenset("""
inscrit inscrite inscrits inscrites diplome diplomes diplomee diplomees chomage chomeur chomeuse
interim interimaire interimaires licencie licenciee licencies licenciees licenciement alternance
apprentissage reconvertir reconversion reconvertie reconverti formation former entreprise
entrepreneur entrepreneuse demandeur demandeuse travailleur travailleuse handicape handicapee
fonctionnaire titulaire contractuel contractuelle etudiant etudiante professionnalisation
competences competence transition transitions fongecif travail emploi devenir salarie salariee
maladie accident semaine heures agence demission demissionner baccalaureat licence master
doctorat brevet experience metier changer boulot mission locale bilan cariste soignante
""".split())

#: Real French words one letter away from a key word: never "corrected". Derived from a French
#: spelling dictionary (every word at edit distance 1 of a key word), plus a few hand-picked forms.
PROTECTED_WORDS = frozenset("""
agente agentes agencer soignantes
accedent accidenta accidente accidents agenca agencee agencer agences agencez agende alternances
apprentissages aster baccalaureats baster bilai bilans bilant bilas bilat biplan boucot boulat
boulet boulon boulots breve breves breveta brevete brevets brulot carliste caviste change changea
changee changera changes changeur changez chanter charger choeur chomages chomer chomeurs
chomeuses chromage competente competentes contractuelles contractuels curiste demander demandeurs
demandeuses demissionne demissionnee demissionnera demissionnes demissionnez demissions detenir
devernir devetir diploma diplomas diplomer diplomez doctoral doctorats echanger emission empli
emploie emplois entrepreneurs entrepris entreprises entreprisse etier etudiait etudiantes
etudiants etudiat etudient experiences farmer fermer fission focale fonctionnaires forcer forer
forger formations forme formee formel formera formes formez goulot handicap handicapa handicapees
handicaper handicapes handicapez handicaps heres hetres heure heurtes heurts inscrire inscris
inscrive inscrives interims licences licencia licencias licenciements licencier licencierent
licenciez local locales locule loyale malade maladies maladif maladive malter mariste maser masser
mater mefier metiers metrer meures milan missions occident omission poignante poulot
professionnalisations reconversions reconverties reconvertira reconvertis reconvertit remission
remploi revenir revet saignante salaire salaria salariees salarier salaries salariez semaines
setier soignant soignantes soignants soulot titulaires tramail transigions transirions transitons
travailler travailleurs travailleuses vitulaire vocale
""".split())

#: SMS spellings → plain French.
SMS_WORDS = {
    "jsuis": "je suis", "jsui": "je suis", "jss": "je suis", "chui": "je suis", "chuis": "je suis",
    "jsuiis": "je suis", "shui": "je suis", "jai": "j'ai", "jveux": "je veux", "jveu": "je veux",
    "jvx": "je veux", "jvoudrais": "je voudrais", "jvoudrai": "je voudrais", "jpeux": "je peux",
    "jpx": "je peux", "jsais": "je sais", "jsai": "je sais", "chais": "je sais",
    "jsp": "je sais pas", "jcrois": "je crois", "jtravaille": "je travaille", "jbosse": "je bosse",
    "jhabite": "j'habite", "ya": "il y a", "pr": "pour", "ds": "dans", "koi": "quoi", "ke": "que",
    "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi", "cb": "combien",
    "cmb": "combien", "tjr": "toujours", "tjrs": "toujours", "tjs": "toujours", "bcp": "beaucoup",
    "tt": "tout", "qd": "quand", "qnd": "quand", "dc": "donc", "vrmt": "vraiment",
    "mtn": "maintenant", "mwa": "moi", "nn": "non", "tps": "temps", "chomdu": "chomage",
    "chommage": "chomage", "jamai": "jamais", "oci": "aussi", "ossi": "aussi", "dlm": "de la",
    "ki": "qui", "kel": "quel", "kelle": "quelle", "cmt": "comment", "cmnt": "comment",
    "tjours": "toujours", "enfaite": "en fait", "enfait": "en fait",
}

#: French number words: a run of them becomes digits, read by text2num (bot/understanding/normalize.py).
NUMBER_WORDS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100, "mille": 1000,
    "septante": 70, "huitante": 80, "octante": 80, "nonante": 90,
}

#: Units after which "un"/"une" are numbers ("un an", "une année").
UNIT_WORDS = frozenset({
    "an", "ans", "annee", "annees", "mois", "semaine", "semaines", "jour", "jours", "heure",
    "heures", "h",
})
