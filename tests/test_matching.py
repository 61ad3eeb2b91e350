"""The rules on sentences written like the annotation guide: every expected span is found, and
nothing else is (for the labels the example is about)."""
from __future__ import annotations

import pytest

from annotator.nlp import load_pipeline
from annotator.pipeline import annotate
from annotator.read import Article
from annotator.rules import load_rules, lower
from tests.inline import unmark

EXAMPLES = [
    # cue phrases and the source after them
    "[Selon|CUE] [des sources diplomatiques|SOURCE_ANONYMOUS], le sommet est reporté.",
    "[D'après|CUE] [l'AFP|SOURCE_MEDIA], le ministre a quitté Paris.",
    "[Selon|CUE] [un communiqué publié mardi par Matignon|SOURCE_DOCUMENT], la visite est annulée.",
    "[Pour|CUE] [de nombreux observateurs|SOURCE_VAGUE], la décision marque un tournant.",
    "Le suspect a été interpellé mardi, [de source|CUE] [policière|SOURCE_ANONYMOUS].",
    "[CNN|SOURCE_MEDIA], [citant|CUE] [des responsables américains|SOURCE_ANONYMOUS], [rapporte|CUE] que la rencontre aura lieu.",
    "[SELON|CUE] [L'AFP|SOURCE_MEDIA], LE MINISTRE A QUITTÉ PARIS.",  # phrases match in any case
    "Le maire [a dénoncé|CUE] la fermeture dans un entretien au [Parisien|SOURCE_MEDIA].",  # "au Parisien": "Le Parisien" contracted
    # reporting verbs, their subjects, incises
    "[La préfecture|SOURCE_NAMED] [a confirmé|CUE] que deux routes restaient fermées.",
    "Ils [ont annoncé|CUE] qu'un accord serait signé.",  # a future in the past: no hedge
    "« Nous ne céderons pas », [a déclaré|CUE] [le ministre de l'Intérieur|SOURCE_NAMED].",
    "« Le dialogue reste ouvert », [a indiqué|CUE] [un porte-parole|SOURCE_ANONYMOUS].",
    "« Nous reparlerons de tout cela bientôt », [a-t-il déclaré|CUE].",
    "[Les analystes politiques|SOURCE_VAGUE] [pensent|CUE] que la crise va durer.",
    "[Le président|SOURCE_NAMED] [a par ailleurs révélé|CUE] qu'une rencontre était en préparation.",
    "Le texte a été retiré, comme le [rapporte|CUE] [l'envoyée spéciale de France 2|SOURCE_MEDIA].",  # verb tagged a noun
    "La dette a doublé, comme l'[a souligné|CUE] [la ministre|SOURCE_NAMED] lundi.",  # not "La dette"
    "[Le journal|SOURCE_MEDIA] [cite|CUE] notamment [un courriel adressé au maire|SOURCE_DOCUMENT].",
    "Cette taxe, contre laquelle [Nordia|SOURCE_NAMED] [s'insurge|CUE], reste due.",  # not "laquelle"
    "Une seule solution pour la commune [dit|CUE] [Martin|SOURCE_NAMED].",  # an inverted name, no comma
    "Dans un entretien au [Parisien|SOURCE_MEDIA], [le maire|SOURCE_NAMED] [prend clairement position|CUE] pour le projet.",
    "Elle [avait été mise en garde|CUE] à deux reprises auparavant par [LaFNE|SOURCE_NAMED].",
    "Dans [un communiqué publié vendredi|SOURCE_DOCUMENT], [Jean Dupont|SOURCE_NAMED] [relève|CUE] qu'elle s'est engagée.",
    # the journalistic conditional and modals
    "Le suspect [aurait été arrêté|HEDGE_CONDITIONAL] mardi soir.",
    "Les négociateurs [seraient en train de boucler|HEDGE_CONDITIONAL] le texte.",
    "« Stabiliser la région est utile », [aurait affirmé|CUE] [le président|SOURCE_NAMED].",
    "Ce sommet [pourrait|HEDGE_MODAL] avoir lieu la semaine prochaine.",
    "Le projet [semble|HEDGE_MODAL] compromis après un [éventuel|HEDGE_MODAL] recours.",
    "L'élu, [soupçonné|HEDGE_MODAL] de fraude, a [sans doute|HEDGE_MODAL] menti.",
    "La facture [peut|HEDGE_MODAL] grimper de dix pour cent.",
    # quotes
    "Le maire a salué « [un dialogue franc et utile|QUOTE] » avec l'opposition.",
    "« [Rien n'est joué|QUOTE] », [a-t-elle dit|CUE], « [nous irons au bout|QUOTE] ».",
]
NEGATIVES = [
    "S'il pleuvait demain, le match serait annulé.",            # si + imparfait: a hypothesis
    "Je voudrais remercier les bénévoles.",                     # polite conditional
    "Le maire n'a pas confirmé la date du conseil.",            # negated
    "Le maire a évoqué la situation du quartier.",               # évoquer with a plain object
    "Venez le plus tôt possible.",                               # pseudo-hedge
    "En cas de grève, le trafic serait interrompu.",             # a hypothesis, not hearsay
    "Nous aurions aimé plus de clarté.",                         # the speaker's own conditional
    "Les abonnés peuvent consulter leur compte.",                # pouvoir of ability
    "Pour la première fois, le conseil a voté le budget.",       # pour + no source
    "Les écarts sont grands selon l'âge ou le niveau de revenus.",  # selon + a criterion
    "Il a lu le livre « La Peste » pendant les vacances.",       # a title, not a quote
]


@pytest.fixture(scope="module")
def run():
    rules = load_rules()
    nlp = load_pipeline(rules)

    def spans_of(text: str) -> list:
        (result,) = annotate([Article("t", text)], nlp, rules)
        return result.spans
    return spans_of


@pytest.mark.parametrize("marked", EXAMPLES)
def test_expected_spans_are_found(run, marked):
    text, expected = unmark(marked)
    found = {(s.label, s.text) for s in run(text)}
    labels = {label for label, _ in expected}
    assert expected <= found
    assert {f for f in found if f[0] in labels} == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_span_where_the_guide_says_none(run, text):
    assert [(s.label, s.text) for s in run(text)] == []


def test_a_cue_does_not_leak_into_the_next_sentence(run):
    spans = run("Le maire a parlé. Selon la préfecture, la route est coupée.")
    cue = next(s for s in spans if s.label == "CUE")
    source = next(s for s in spans if s.label.startswith("SOURCE"))
    assert (cue.text, source.text, source.cue_start) == ("Selon", "la préfecture", cue.start)
    assert cue.sent == source.sent == 1


def test_a_modal_inside_a_quotation_is_still_a_hedge(run):
    """The guide: annotate inside quotations too (a conditional there is the speaker's hypothesis)."""
    spans = run("« Il pourrait démissionner, selon moi », a déclaré le député.")
    assert {s.label for s in spans if s.start < 40} == {"QUOTE", "HEDGE_MODAL"}


def test_boilerplate_lines_get_no_span(run):
    text = "Titre : le maire pourrait partir\n\nCommentaires\nSelon Paul, il aurait menti.\nNoté 0 étoile sur 5."
    assert all(s.start < text.index("Commentaires") for s in run(text))


def test_lower_keeps_offsets():
    """Phrase patterns run on `lower(text)`: its offsets must be those of the text, even where
    `str.lower` would lengthen a character ("İ" becomes two)."""
    text = "İSTANBUL, Selon l'AFP"
    assert len(lower(text)) == len(text) and lower(text).endswith("selon l'afp")
