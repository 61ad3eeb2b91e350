"""The Label Studio labeling config and analyst instructions, generated from the label set."""
from __future__ import annotations

from xml.sax.saxutils import quoteattr

from ..spans import HEDGE_LABELS, LABELS, SOURCE_LABELS
from .tasks import FROM_NAME, TO_NAME

JUDGEMENT_NAME = "judgement"
COMMENT_NAME = "comment"
JUDGEMENTS = ("solide", "mitigé", "faible")

# One colour family per role, so a glance tells sources, cues, hedges and quotes apart.
FAMILY_COLOURS = {
    "source": ("#1d4e89", "#2f6fb5", "#4a90d9", "#74afe8", "#a3cbf2"),
    "cue": ("#e67e22",),
    "hedge": ("#c0392b", "#e57368"),
    "quote": ("#2e9e5b",),
}

HINTS = {
    "SOURCE_NAMED": "Personne ou institution identifiable : Donald Trump, le Kremlin, le président américain",
    "SOURCE_ANONYMOUS": "Source non identifiée : une source proche du dossier, un porte-parole, les enquêteurs",
    "SOURCE_DOCUMENT": "Texte ou document : un communiqué officiel, le rapport",
    "SOURCE_MEDIA": "Autre média ou agence à l'origine de l'information : l'AFP, Reuters, Le Monde",
    "SOURCE_VAGUE": "Attribution floue ou collective : plusieurs analystes, certains, on",
    "CUE": "Marqueur d'attribution : selon, d'après, a déclaré, a-t-on appris",
    "HEDGE_CONDITIONAL": "Conditionnel journalistique, tout le groupe verbal : aurait affirmé, serait",
    "HEDGE_MODAL": "Marqueur d'incertitude : pourrait, semble, probablement, présumé",
    "QUOTE": "Paroles rapportées entre guillemets, guillemets exclus",
}

INSTRUCTIONS = """<h3>Relecture des sources et des précautions</h3>
<p>Les règles ont pré-annoté chaque article. Corrigez-les, puis validez avec <b>Submit</b>.</p>
<ul>
<li><b>Garder</b> : ne touchez pas à un passage juste.</li>
<li><b>Corriger l'étiquette</b> : cliquez sur le passage puis sur la bonne étiquette (touches 1 à 9).</li>
<li><b>Corriger les limites</b> : supprimez le passage et resélectionnez-le.</li>
<li><b>Supprimer</b> : sélectionnez le passage et appuyez sur Retour arrière.</li>
<li><b>Ajouter</b> : choisissez l'étiquette puis sélectionnez le texte.</li>
</ul>
<p>Une SOURCE ou une QUOTE est reliée à son CUE par une relation (touche R).
Un verbe d'attribution au conditionnel (<i>aurait affirmé</i>) reçoit deux passages : CUE et HEDGE_CONDITIONAL.
Les pronoms (<i>il</i>, <i>elle</i>) ne sont jamais des sources. Aucune annotation dans les menus,
signatures, boutons de partage ou commentaires de lecteurs.</p>
<p>Pour finir, donnez un jugement global sur l'article (solide, mitigé, faible) et, si besoin, un commentaire.
Le guide d'annotation complet fait foi.</p>"""


def label_colours(labels: tuple[str, ...] = LABELS) -> dict[str, str]:
    """A colour per label, shades of its family's colour."""
    colours = {}
    for family, members in (("source", SOURCE_LABELS), ("cue", ("CUE",)), ("hedge", HEDGE_LABELS),
                            ("quote", ("QUOTE",))):
        shades = FAMILY_COLOURS[family]
        for i, label in enumerate(members):
            colours[label] = shades[i % len(shades)]
    return {label: colours.get(label, "#7f8c8d") for label in labels}


def labeling_config(labels: tuple[str, ...] = LABELS) -> str:
    """The XML labeling config: span labels with hotkeys, relations, an overall judgement and a comment."""
    colours = label_colours(labels)
    lines = [f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}" showInline="true">']
    for i, label in enumerate(labels):
        hotkey = f' hotkey="{i + 1}"' if i < 9 else ""
        hint = f" hint={quoteattr(HINTS[label])}" if label in HINTS else ""
        lines.append(f'    <Label value="{label}" background="{colours[label]}"{hotkey}{hint}/>')
    lines.append("  </Labels>")
    choices = "".join(f'    <Choice value="{j}"/>\n' for j in JUDGEMENTS)
    return (
        "<View>\n" + "\n".join(lines) + "\n"
        f'  <Text name="{TO_NAME}" value="${TO_NAME}" granularity="word"/>\n'
        '  <Relations>\n    <Relation value="attribution"/>\n  </Relations>\n'
        '  <Header value="Jugement global sur le sourçage de l\'article"/>\n'
        f'  <Choices name="{JUDGEMENT_NAME}" toName="{TO_NAME}" choice="single" showInline="true">\n'
        f"{choices}  </Choices>\n"
        f'  <TextArea name="{COMMENT_NAME}" toName="{TO_NAME}" rows="2" maxSubmissions="1" editable="true"'
        ' placeholder="Commentaire (facultatif)"/>\n'
        "</View>\n"
    )
