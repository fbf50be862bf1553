"""Head words of jobs and fields people aim at (folded), to spot a target_field without a verb.

"plombier", "aide-soignante", "data", "la logistique": a message or a phrase that starts with one
of these words names the job or field aimed at. The lists are deliberately broad: they are only
used after a cue ("faire X", "passer X", "vers X", "X ou Y", a one-phrase answer).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["is_job_word"]

_JOBS = """
plombier electricien soudeur cariste frigoriste chaudronnier boulanger patissier boucher charcutier
traiteur cuisinier serveur barman commis plongeur menuisier ebeniste charpentier couvreur carreleur
macon peintre platrier plaquiste facadier grutier coffreur ferrailleur terrassier paysagiste
jardinier horticulteur maraicher agriculteur viticulteur eleveur bucheron fleuriste mecanicien
carrossier garagiste chauffeur conducteur livreur routier ambulancier taxi magasinier logisticien
preparateur manutentionnaire emballeur cariste technicien ingenieur developpeur programmeur
informaticien administrateur analyste architecte designer webdesigner graphiste infographiste
photographe videaste monteur journaliste redacteur traducteur interprete enseignant professeur
formateur educateur animateur moniteur entraineur coach surveillant atsem aesh aes avs auxiliaire
aide accompagnant assistant secretaire comptable gestionnaire juriste avocat notaire clerc
commercial vendeur caissier conseiller coordinateur infirmier kine kinesitherapeute osteopathe
ergotherapeute psychomotricien orthophoniste psychologue sophrologue naturopathe dieteticien medecin
pharmacien preparatrice opticien audioprothesiste podologue dentiste prothesiste orthoptiste
radiologue manipulateur brancardier ash asv veterinaire toiletteur soigneur coiffeur estheticien
prothesiste maquilleur tatoueur couturier couturiere tailleur cordonnier bijoutier horloger
ferronnier vitrier serrurier electrotechnicien automaticien electromecanicien frigoriste climaticien
chauffagiste thermicien soudeur tuyauteur tourneur fraiseur usineur decolleteur regleur operateur
pilote opticien puericultrice sage nounou assistante maternelle policier gendarme pompier militaire
douanier surveillant securite vigile gardien hote hotesse steward receptionniste gouvernante
technicienne ingenieure boulangere patissiere bouchere cuisiniere serveuse menuisiere fleuriste
infirmiere educatrice animatrice monitrice formatrice conductrice chauffeuse livreuse vendeuse
caissiere conseillere secretaire comptable assistante auxiliaire accompagnante aide soignante
soignant aidesoignante aidesoignant developpeuse programmeuse analyste coiffeuse estheticienne
masseuse couturiere photographe graphiste journaliste traductrice psychologue sophrologue
naturopathe mecanicienne electricienne plombiere soudeuse menuisiere carreleuse peintre jardiniere
paysagiste agricultrice maraichere eleveuse commerciale gestionnaire coordinatrice conductrice
operatrice preparatrice magasiniere logisticienne dessinateur dessinatrice metreur geometre
topographe economiste urbaniste decorateur decoratrice styliste modeliste community webmaster data
datascientist dataanalyst devops testeur acheteur acheteuse approvisionneur logisticien transitaire
affreteur docker ambulanciere auxiliaire puericulteur puericultrice orthophoniste opticienne
dieteticienne chaudronniere boulanger boulangere charcutiere poissonnier poissonniere primeur
epicier epiciere caviste sommelier sommeliere barista crepier pizzaiolo glacier chocolatier
confiseur mediateur mediatrice educ moniteur-educateur moniteur-educatrice
""".split()

_FIELDS = """
data ia informatique logistique sante social soin soins batiment btp commerce vente restauration
hotellerie cuisine boulangerie patisserie boucherie industrie maintenance mecanique electricite
electronique electrotechnique automatisme plomberie menuiserie maconnerie couverture peinture
soudure chaudronnerie usinage transport routier aeronautique automobile agriculture agroalimentaire
environnement energie renovation paysage paysagisme horticulture maraichage viticulture elevage
animation sport enseignement enfance puericulture administratif administration secretariat
comptabilite gestion paie paye rh banque assurance immobilier juridique droit communication
marketing graphisme design web numerique cybersecurite reseau reseaux telecom telecoms fibre
developpement programmation dev codage surveillance proprete nettoyage coiffure esthetique beaute
couture textile artisanat bijouterie ebenisterie tourisme evenementiel audiovisuel cinema photo
photographie musique spectacle journalisme edition traduction langues anglais psychologie
sophrologie naturopathie bienetre massage medical paramedical pharmacie optique dentaire veterinaire
animalier animaux toilettage dressage equitation cloud devops multimedia video electricite froid
climatisation chauffage topographie geometrie urbanisme architecture decoration bureautique logiciel
systemes helpdesk metallurgie plasturgie chimie laboratoire biologie nucleaire ferroviaire maritime
portuaire naval peche handicap insertion mediation justice police defense armee douane pompiers
secours jardinage menage livraison conduite accueil hotesse
""".split()


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    words = set(_JOBS) | set(_FIELDS)
    # plural forms ("les métiers du bâtiment" aside, people write "soudeurs", "data analysts")
    words |= {w + "s" for w in _JOBS if not w.endswith("s")}
    return frozenset(words)


#: Two-word field names whose first word alone names nothing ("petite enfance").
_PAIRS = frozenset({
    ("petite", "enfance"), ("espaces", "verts"), ("aide", "domicile"), ("genie", "civil"), ("travaux", "publics"),
    ("ressources", "humaines"), ("intelligence", "artificielle"), ("machine", "learning"),
    ("personnes", "agees"), ("bien", "etre"), ("service", "personne"), ("services", "personne"),
    ("agent", "securite"), ("agent", "entretien"), ("agent", "accueil"), ("aide", "soignante"),
    ("aide", "soignant"), ("chef", "chantier"), ("chef", "cuisine"), ("chef", "equipe"), ("chef", "projet"),
    ("responsable", "logistique"), ("agent", "maintenance"), ("agent", "production"),
})
_SKIP = frozenset({"de", "d", "a", "la", "l", "du", "des", "en"})


def is_job_word(word: str, following: tuple[str, ...] = ()) -> bool:
    """Is this folded word the head of a job or field name (looking at the next words for pairs)?"""
    if word in _words():
        return True
    nxt = [w for w in following if w not in _SKIP][:1]
    return bool(nxt) and (word, nxt[0]) in _PAIRS
