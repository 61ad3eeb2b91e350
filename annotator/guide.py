"""The annotation guide as data: each label's definition, examples and counter-examples, and the edge
cases. docs/annotation_guide.md is written from it (`python -m annotator.guide`) and the Label Studio
instructions panel shows the same definitions, so the two cannot drift apart."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

GUIDE_PATH = Path(__file__).resolve().parent.parent / "docs" / "annotation_guide.md"
GUIDE_NAME = "docs/annotation_guide.md"


@dataclass(frozen=True)
class LabelDefinition:
    """One label: a short definition (the panel's), examples and what does not get the label."""

    label: str
    definition: str
    examples: tuple[str, ...]
    not_this: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgeCase:
    """A decision the definitions alone leave open; `in_panel` ones are also in the Label Studio panel."""

    topic: str
    rule: str
    in_panel: bool = False


FAMILIES = {
    "Qui est à l'origine de l'information (SOURCE_*)": (
        "Un passage SOURCE couvre le groupe nominal auquel une information est attribuée, et seulement s'il "
        "l'est : par un CUE, par un verbe de parole, par deux-points devant une citation ou par une incise "
        "inversée (« a expliqué la maire »). Une personne simplement mentionnée n'est pas une source. On garde "
        "le déterminant et les compléments qui identifient la source (*un cadre de la direction régionale*), "
        "jamais le marqueur (*selon*, *d'après*).",
        ("SOURCE_NAMED", "SOURCE_ANONYMOUS", "SOURCE_DOCUMENT", "SOURCE_MEDIA", "SOURCE_VAGUE")),
    "Comment l'information est attribuée (CUE)": (
        "Le CUE est le marqueur d'attribution lui-même : une locution (*selon*, *d'après*, le *de source* de "
        "*de source judiciaire*) ou un verbe de parole, de pensée ou de prévision avec son auxiliaire "
        "(*a précisé*, *rapporte*, *a-t-on appris*). Un verbe de parole au conditionnel (*aurait reconnu*) "
        "reçoit deux passages sur les mêmes caractères : CUE et HEDGE_CONDITIONAL.",
        ("CUE",)),
    "Le degré de certitude (HEDGE_*)": (
        "Deux façons de présenter une information comme incertaine : le conditionnel journalistique, et les "
        "mots qui disent le possible ou le probable.",
        ("HEDGE_CONDITIONAL", "HEDGE_MODAL")),
    "Ce qui est rapporté mot pour mot (QUOTE)": (
        "Le texte entre guillemets (« », “ ”, \" \") quand ce sont des paroles ou des écrits rapportés.",
        ("QUOTE",)),
}

DEFINITIONS = (
    LabelDefinition(
        "SOURCE_NAMED",
        "Personne ou institution identifiable (nom propre, ou fonction qui ne désigne qu'une personne ou un "
        "organisme)",
        ("Emmanuel Macron", "le ministre de l'Intérieur", "l'Élysée", "Amélie Roux, maire de Vierzon",
         "la préfecture du Rhône", "Berlin (le gouvernement allemand)"),
        ("il, elle (un pronom n'est jamais une source)", "un ministre cité sans rien dire")),
    LabelDefinition(
        "SOURCE_ANONYMOUS",
        "Personnes ou sources qui restent non identifiées",
        ("une source proche du dossier", "un porte-parole", "les enquêteurs", "un cadre du ministère",
         "des sources sécuritaires", "ses collègues"),
        ("on (SOURCE_VAGUE)",)),
    LabelDefinition(
        "SOURCE_DOCUMENT",
        "Déclaration écrite ou document",
        ("un communiqué officiel", "le rapport", "une note interne consultée mardi", "l'étude",
         "un sondage Ifop pour Le Parisien"),
        ("le Journal officiel cité comme simple date de publication",)),
    LabelDefinition(
        "SOURCE_MEDIA",
        "Autre média ou agence, origine de l'information ou qui a recueilli les propos",
        ("l'AFP", "Reuters", "BFMTV", "Le Monde", "le quotidien (pour un journal déjà nommé)",
         "l'envoyé spécial de France 2"),
        ("PARIS (AFP) - en tête de dépêche", "le média qui parle de lui-même (selon nos informations)")),
    LabelDefinition(
        "SOURCE_VAGUE",
        "Attribution collective ou floue",
        ("plusieurs analystes", "de nombreux observateurs", "certains", "on", "les milieux financiers",
         "62 % des sondés"),
        ("les enquêteurs (SOURCE_ANONYMOUS)",)),
    LabelDefinition(
        "CUE",
        "Marqueur d'attribution, le verbe avec son auxiliaire ; la source en est exclue",
        ("selon", "d'après", "a déclaré", "a-t-on appris", "citant", "juge", "redoute", "table sur",
         "s'est félicité"),
        ("interrogé par, contacté, questionné (seuls)", "le pronom ou le nom de la source")),
    LabelDefinition(
        "HEDGE_CONDITIONAL",
        "Conditionnel journalistique (information non confirmée), tout le groupe verbal",
        ("aurait affirmé", "serait", "aurait été arrêté", "se seraient rencontrés", "coûterait",
         "auraient déjà commencé à négocier"),
        ("si la loi passait, les prix baisseraient (hypothèse)", "je voudrais (politesse)",
         "pourrait, devrait (HEDGE_MODAL)", "elle a dit qu'elle viendrait (futur dans le passé)")),
    LabelDefinition(
        "HEDGE_MODAL",
        "Marqueur de possibilité ou d'incertitude",
        ("pourrait", "semble", "probablement", "présumé", "éventuel", "peut-être", "sans doute", "il est possible",
         "soupçonné", "l'hypothèse"),
        ("il peut voter (capacité)", "elle doit remettre son rapport (obligation)", "au plus vite possible")),
    LabelDefinition(
        "QUOTE",
        "Paroles ou écrits rapportés entre guillemets, guillemets exclus",
        ("« une décision brutale »", "“Nous irons jusqu'au bout”", "« inacceptable » (citation partielle)"),
        ("le titre d'une œuvre entre guillemets", "un mot isolé mis entre guillemets par ironie")),
)

EDGE_CASES = (
    EdgeCase("Pronoms", "Un pronom (*il*, *elles*, *lui*) n'est jamais un passage SOURCE ; le verbe qui "
             "l'accompagne reste un CUE : dans « Il a démenti », seul *a démenti* est annoté.", in_panel=True),
    EdgeCase("De source…", "Dans *de source policière* ou *de sources concordantes*, *de source(s)* est le CUE et "
             "la suite (*policière*, *concordantes*) le passage SOURCE_ANONYMOUS."),
    EdgeCase("Anonymes, vagues ou nommés", "Des responsables ou des groupes qu'on ne nomme pas (*les secouristes*, "
             "*des élus locaux*, *ses proches*) sont SOURCE_ANONYMOUS ; le *on* impersonnel est SOURCE_VAGUE ; une "
             "fonction dont les titulaires ont été nommés plus haut (*les deux avocats*, après leurs noms) est "
             "SOURCE_NAMED."),
    EdgeCase("Médias", "Le média qui a obtenu ou diffusé les propos est SOURCE_MEDIA : *a confié à Ouest-France*, "
             "*sur France Inter*, *interrogée par Libération*, *l'hebdomadaire* pour un titre déjà cité. Le média "
             "qui parle de lui-même et la mention d'agence en tête de dépêche (*LYON (AFP) -*) ne le sont pas."),
    EdgeCase("Verbes d'attribution", "La liste est ouverte : tout verbe qui introduit ce que quelqu'un dit, écrit, "
             "pense ou prévoit est un CUE (*s'alarme*, *rétorque*, *titre*, *s'inquiète*, *anticipe*, "
             "*mise sur*, *soupçonne*)."),
    EdgeCase("Prévisions au conditionnel", "Un conditionnel qui rapporte la prévision d'une source (*le chômage "
             "baisserait l'an prochain*, selon un institut) est HEDGE_CONDITIONAL ; le futur dans le passé après un "
             "verbe au passé (*ils ont promis que la ligne rouvrirait*) ne l'est pas."),
    EdgeCase("Hypothèses", "Un conditionnel qui suit une hypothèse explicite (*si*, *en cas de*, *dans "
             "l'hypothèse où*) n'est pas HEDGE_CONDITIONAL : *en cas de grève, le trafic serait réduit*."),
    EdgeCase("Groupe verbal coupé", "Un adverbe au milieu du groupe verbal ne le coupe pas : *aurait ainsi "
             "reconnu*, *serait pourtant prévue* forment un seul passage."),
    EdgeCase("Sondages et études", "Un sondage ou une étude est SOURCE_DOCUMENT (*une enquête Elabe pour BFMTV*, "
             "*l'étude*) et le verbe qui en rapporte les chiffres (*montre*, *révèle*, *classe*) un CUE ; les "
             "personnes interrogées (*55 % des Français estiment*) sont SOURCE_VAGUE."),
    EdgeCase("Interrogé par, contacté", "*Interrogé par*, *questionné*, *contacté* ne sont pas des CUE à eux seuls "
             "(le média de *interrogé par RTL* reste SOURCE_MEDIA) ; un média qui se cite lui-même (*selon nos "
             "informations*) a son CUE mais pas de SOURCE."),
    EdgeCase("Journalistes", "Un journaliste qui parle pour son média (*la correspondante de RFI*) est "
             "SOURCE_MEDIA."),
    EdgeCase("Sources coordonnées", "Des sources reliées par *et* ou une virgule (*Marine Tondelier et Fabien "
             "Roussel*) font un passage chacune."),
    EdgeCase("Soupçons et modaux", "*Soupçonné*, *suspecté*, *présumé*, *soupçons* sont HEDGE_MODAL. Les modaux "
             "de capacité, de permission ou d'obligation (*peut s'inscrire*, *doit être rendu*, *nous "
             "pourrons*) ne sont pas des hedges ; *possible* n'en est un que s'il dit une possibilité (pas dans "
             "*dès que possible*)."),
    EdgeCase("Gérondif et inversion", "Un CUE au gérondif (*en assurant*) ne couvre que le verbe ; une incise "
             "inversée (*a-t-elle précisé*, *explique-t-on*) est un seul passage."),
    EdgeCase("Publications de réseaux sociaux", "Le texte d'une publication insérée s'annote ; sa ligne de "
             "signature (*— Nom (@compte) date*) est une signature, sans passage."),
    EdgeCase("Guillemet ouvrant manquant", "Si le guillemet ouvrant manque, la citation commence à son premier "
             "mot cité."),
    EdgeCase("Dans les citations", "On annote aussi à l'intérieur des citations : un hedge ou un CUE cité en est "
             "un ; une citation dans une citation n'est pas une seconde QUOTE."),
    EdgeCase("Hors de l'article", "Menus, boutons de partage, commentaires de lecteurs, notes (*Noté 4 étoiles "
             "sur 5*), noms de fichiers d'images et signatures ne reçoivent aucun passage. Une ligne *Crédit : …* "
             "ou *Source : …* est une métadonnée du profil (média, auteur, date), pas un passage.", in_panel=True),
)

# Where a span starts and ends: the edges analysts most often disagree on, each with an example.
SPAN_EDGES = (
    EdgeCase("Nom après une fonction", "La fonction fait partie de la source quand elle l'identifie : "
             "*le ministre de l'Intérieur Gérald Darmanin* est un seul passage SOURCE_NAMED, titre compris."),
    EdgeCase("Sigle entre parenthèses", "Le sigle qui suit le nom entre parenthèses est dans le passage : *la "
             "Confédération générale du travail (CGT)* ; les parenthèses seules ne le sont pas."),
    EdgeCase("Agence de presse", "Une agence est un média : *l'AFP*, *Reuters*, *l'agence Reuters* sont "
             "SOURCE_MEDIA, article compris, marqueur (*selon*, *d'après*) exclu."),
    EdgeCase("Déterminant et compléments", "On garde le déterminant et les compléments qui identifient la "
             "source (*un cadre de la direction régionale*), jamais la virgule ni le marqueur."),
    EdgeCase("Guillemets", "Une QUOTE commence après le guillemet ouvrant et finit avant le fermant : "
             "« *une décision brutale* »."),
)

# The keys an analyst needs, in the order of the work.
KEYBOARD = (
    ("1 à 9", "choisir une étiquette (puis sélectionner les mots)"),
    ("Échap", "désélectionner le passage en cours, à faire avant de taper un chiffre"),
    ("Alt+.", "passer d'un passage au suivant (il est sélectionné)"),
    ("Retour arrière", "supprimer le passage sélectionné"),
    ("Ctrl+Z", "annuler la dernière action"),
    ("S, M, F", "jugement global : solide, mitigé, faible"),
    ("Ctrl+Entrée", "valider (Submit)"),
)

INTRODUCTION = (
    "Ce guide est le contrat entre les règles, le projet Label Studio et les analystes qui corrigent les "
    "annotations ; les jeux de référence qui mesurent l'annotateur (`annotator score`) le suivent. Un passage "
    "est une plage de caractères du texte **tel qu'il a été lu** (indices de `str` Python, fins de ligne "
    "comprises, avant tout nettoyage), avec l'une des neuf étiquettes ci-dessous. Deux passages de la même "
    "étiquette ne se chevauchent jamais ; des étiquettes différentes peuvent se recouvrir (un CUE et un "
    "HEDGE_CONDITIONAL sur *aurait déclaré*, une SOURCE dans la phrase d'une QUOTE)."
)
PROFILE = (
    "Chaque article reçoit un profil calculé à partir de ses passages : le nombre de passages par étiquette, "
    "les sources nommées distinctes, la part des phrases attribuées (un CUE ou une SOURCE), la part des phrases "
    "modalisées (un HEDGE), la part des sources anonymes ou vagues et un score de transparence dont la formule "
    "est dans `rules/profile.yml`, pas dans le code."
)


def definition(label: str) -> LabelDefinition:
    return next(d for d in DEFINITIONS if d.label == label)


def render() -> str:
    """docs/annotation_guide.md."""
    lines = ["# Guide d'annotation : sources et précautions dans la presse française", "",
             "<!-- Généré par `python -m annotator.guide` depuis annotator/guide.py : ne pas modifier à la main. -->",
             "", INTRODUCTION, "", "## Les étiquettes", ""]
    lines += ["| étiquette | définition | exemples |", "|---|---|---|"]
    lines += [f"| `{d.label}` | {d.definition} | {', '.join(f'*{e}*' for e in d.examples)} |" for d in DEFINITIONS]
    for title, (text, labels) in FAMILIES.items():
        lines += ["", f"### {title}", "", text]
        for label in labels:
            d = definition(label)
            lines += ["", f"**`{label}`** — {d.definition}.", "",
                      f"- Oui : {', '.join(f'*{e}*' for e in d.examples)}."]
            if d.not_this:
                lines.append(f"- Non : {' ; '.join(f'*{e}*' for e in d.not_this)}.")
    lines += ["", "## Limites des passages", ""]
    lines += [f"- **{case.topic}.** {case.rule}" for case in SPAN_EDGES]
    lines += ["", "## Cas particuliers", ""]
    lines += [f"- **{case.topic}.** {case.rule}" for case in EDGE_CASES]
    lines += ["", "## Raccourcis clavier dans Label Studio", "", "| touche | action |", "|---|---|"]
    lines += [f"| {key} | {action} |" for key, action in KEYBOARD]
    lines += ["", "## Profil de l'article", "", PROFILE, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write docs/annotation_guide.md (or the path given)."""
    path = Path(argv[0]) if argv else GUIDE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
