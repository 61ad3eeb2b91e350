"""The Label Studio labeling config and analyst instructions, generated from the label set."""
from __future__ import annotations

import re
from html import escape
from xml.sax.saxutils import quoteattr

from ..guide import DEFINITIONS as GUIDE_DEFINITIONS
from ..guide import EDGE_CASES, GUIDE_NAME, KEYBOARD, SPAN_EDGES
from ..spans import HEDGE_LABELS, LABELS, SOURCE_LABELS
from .tasks import FROM_NAME, TO_NAME

JUDGEMENT_NAME = "judgement"
COMMENT_NAME = "comment"
# The analyst's overall judgement of the article's sourcing, each with its mnemonic hotkey.
JUDGEMENT_HOTKEYS = {"solide": "s", "mitigé": "m", "faible": "f"}
JUDGEMENTS = tuple(JUDGEMENT_HOTKEYS)

# One colour family per role, so a glance tells sources, cues, hedges and quotes apart.
FAMILY_COLOURS = {
    "source": ("#1d4e89", "#2f6fb5", "#4a90d9", "#74afe8", "#a3cbf2"),
    "cue": ("#e67e22",),
    "hedge": ("#c0392b", "#e57368"),
    "quote": ("#2e9e5b",),
}

# Each label's short definition and examples, from the annotation guide's table.
DEFINITIONS = {d.label: (d.definition, ", ".join(d.examples)) for d in GUIDE_DEFINITIONS}

STEPS = (
    "<b>Garder</b> : ne touchez pas à un passage juste.",
    "<b>Corriger l'étiquette</b> : cliquez sur le passage puis sur la bonne étiquette (ou sa touche).",
    "<b>Corriger les limites</b> (4 gestes) : cliquez sur le passage, Retour arrière, touche de l'étiquette, "
    "sélectionnez les bons mots.",
    "<b>Supprimer</b> : cliquez sur le passage et appuyez sur Retour arrière.",
    "<b>Ajouter</b> : Échap, touche de l'étiquette, puis sélectionnez les mots.",
)
# The panel is a pop-up about 630 px wide: this style (Label Studio 1.23 class names) widens the pop-up
# that holds these instructions, so the definitions table reads on one screen.
PANEL_CLASS = "annotator-instructions"
PANEL_STYLE = (f"<style>.lsf-modal-ls__content:has(.{PANEL_CLASS}) {{width: min(1150px, 94vw) !important; "
               "max-width: none !important}</style>")

def _html(text: str) -> str:
    """The guide's Markdown emphasis (`*mot*`) as HTML italics."""
    return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", escape(text, quote=False))


CONVENTIONS = (
    "Les relations sont facultatives : une SOURCE ou une QUOTE ajoutée ou recoupée sans relation est reliée au "
    "CUE le plus proche de sa phrase ; n'en tracez une (Alt+R) que si ce n'est pas le bon. Un verbe "
    "d'attribution au conditionnel (<i>aurait affirmé</i>) reçoit "
    "deux passages : CUE et HEDGE_CONDITIONAL.",
    *(_html(case.rule) for case in EDGE_CASES if case.in_panel),
)


def _edges() -> str:
    return "".join(f"<li><b>{escape(e.topic)}</b> : {_html(e.rule)}</li>" for e in SPAN_EDGES)


def _keys() -> str:
    return "".join(f"<tr><td><b>{escape(key)}</b></td><td>{escape(action)}</td></tr>" for key, action in KEYBOARD)


def _row(key: str, label: str) -> str:
    definition, examples = (escape(x, quote=False) for x in DEFINITIONS[label])
    return f"<tr><td><b>{key}</b></td><td><b>{label}</b></td><td>{definition}</td><td><i>{examples}</i></td></tr>"


def _hint(label: str) -> str:
    definition, examples = DEFINITIONS[label]
    return f"{definition}. Ex. : {examples}"


def hotkeys(labels: tuple[str, ...] = LABELS) -> dict[str, str]:
    """The key that picks each label: 1 to 9 in the label set's order (labels past the ninth have none)."""
    return {label: str(i + 1) for i, label in enumerate(labels[:9])}


def instructions(labels: tuple[str, ...] = LABELS) -> str:
    """The French instructions panel: how to correct, each label's definition and examples, the judgement.

    One line of HTML: Label Studio shows it with `white-space: pre-wrap`, so line breaks would show.
    """
    keys = hotkeys(labels)
    rows = "".join(_row(keys.get(label, ""), label) for label in labels if label in DEFINITIONS)
    judgements = ", ".join(f"<i>{j}</i> (touche {JUDGEMENT_HOTKEYS[j].upper()})" for j in JUDGEMENTS)
    return (
        f'{PANEL_STYLE}<div class="{PANEL_CLASS}">'
        "<h3>Relecture des sources et des précautions</h3>"
        "<p>Les règles ont pré-annoté chaque article. Corrigez-les, donnez un jugement global, puis validez "
        "avec <b>Submit</b> (Ctrl+Entrée).</p>"
        f"<ul>{''.join(f'<li>{step}</li>' for step in STEPS)}</ul>"
        "<h4>Les étiquettes</h4>"
        "<table><tr><th>Touche</th><th>Étiquette</th><th>Définition</th><th>Exemples</th></tr>"
        f"{rows}</table>"
        f"<h4>Où commence et finit un passage</h4><ul>{_edges()}</ul>"
        f"<p>{' '.join(CONVENTIONS)}</p>"
        f"<h4>Clavier</h4><table>{_keys()}</table>"
        f"<p>Le jugement global sur le sourçage de l'article est obligatoire : {judgements} ; un commentaire "
        "si besoin. Le guide d'annotation complet, qui fait foi : "
        f"<code>{GUIDE_NAME}</code> dans le dépôt de l'annotateur.</p></div>"
    )


INSTRUCTIONS = instructions()


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
    """The XML labeling config: span labels with hotkeys and hints, word-level selection with the labels
    shown on the text, relations, an overall judgement and a comment."""
    colours, keys = label_colours(labels), hotkeys(labels)
    lines = [f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}" showInline="true">']
    for label in labels:
        hotkey = f' hotkey="{keys[label]}"' if label in keys else ""
        hint = f" hint={quoteattr(_hint(label))}" if label in DEFINITIONS else ""
        lines.append(f'    <Label value="{label}" background="{colours[label]}"{hotkey}{hint}/>')
    lines.append("  </Labels>")
    choices = "".join(f'    <Choice value="{j}" hotkey="{JUDGEMENT_HOTKEYS[j]}"/>\n' for j in JUDGEMENTS)
    return (
        "<View>\n" + "\n".join(lines) + "\n"
        f'  <Text name="{TO_NAME}" value="${TO_NAME}" granularity="word" showLabels="true"/>\n'
        '  <Relations>\n    <Relation value="attribution"/>\n  </Relations>\n'
        '  <Header value="Jugement global sur le sourçage de l\'article"/>\n'
        f'  <Choices name="{JUDGEMENT_NAME}" toName="{TO_NAME}" choice="single-radio" showInline="true"'
        ' required="true" requiredMessage="Donnez un jugement global (touche S, M ou F) avant de valider.">\n'
        f"{choices}  </Choices>\n"
        f'  <TextArea name="{COMMENT_NAME}" toName="{TO_NAME}" rows="2" maxSubmissions="1" editable="true"'
        ' placeholder="Commentaire (facultatif)"/>\n'
        "</View>\n"
    )
