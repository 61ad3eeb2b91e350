"""The annotator's pipeline lemmatizes exactly as the stock French model, only faster, and can still
be saved."""
from __future__ import annotations

import spacy

from annotator.nlp import MODEL, with_quick_lemmatizer

# invented sentences, many words outside the tables, so that spaCy's suffix rules run
TEXT = ("Les cyberpatrouilleurs auraient déréférencé quinze plateformes, affirmeraient des blogueuses "
        "anglophiles. Selon les dépositaires, les reconfinements précipités ressemblaient à des "
        "surréglementations ; ils zoomaient et tiktokaient sans relâche, ont-elles grommelé.")


def test_the_quick_lemmatizer_gives_the_models_own_lemmas():
    stock = spacy.load(MODEL, exclude=["ner"])
    quick = with_quick_lemmatizer(spacy.load(MODEL, exclude=["ner"]))
    for text in (TEXT, TEXT.upper(), TEXT.replace("les", "nos")):
        expected = [(t.text, t.pos_, t.lemma_) for t in stock(text)]
        assert [(t.text, t.pos_, t.lemma_) for t in quick(text)] == expected
        assert len({lemma for *_, lemma in expected}) > 20


def test_a_quick_pipeline_still_saves_and_loads(tmp_path):
    quick = with_quick_lemmatizer(spacy.load(MODEL, exclude=["ner"]))
    quick.to_disk(tmp_path / "model")
    reloaded = spacy.load(tmp_path / "model")
    assert [t.lemma_ for t in reloaded(TEXT)] == [t.lemma_ for t in quick(TEXT)]



def test_annotate_keeps_the_first_words_and_forgets_the_new_words_of_later_chunks(monkeypatch):
    """Real news brings new words without end; kept in spaCy's vocabulary, they grew a long run's
    memory. The words of a process's first articles (the frequent ones) stay, to be looked up once."""
    from annotator import pipeline
    from annotator.nlp import load_pipeline
    from annotator.read import Article
    from annotator.rules import load_rules

    rules = load_rules()
    articles = [Article(f"a{n}", f"Les xylophonistes{n} auraient hyperdéréférencé la plateforme{n}, "
                                 f"a déclaré la porte-parole Zorglubette{n}.") for n in range(30)]
    for fast in (False, True):
        nlp = load_pipeline(rules, fast=fast)
        assert all(r.spans for r in pipeline.annotate(articles[:2], nlp, rules))
        assert "xylophonistes1" in nlp.vocab.strings  # a fresh vocabulary: these are the first words
        monkeypatch.setattr(pipeline, "KEPT_WORDS", len(nlp.vocab))
        before = len(nlp.vocab.strings)
        assert all(r.spans for r in pipeline.annotate(articles[2:], nlp, rules))
        assert "xylophonistes7" not in nlp.vocab.strings
        assert len(nlp.vocab.strings) - before < 30


def test_batches_cut_by_characters_give_the_same_annotations(monkeypatch):
    """Long paragraphs are parsed in smaller batches (memory); each paragraph keeps its own spans."""
    from annotator import pipeline
    from annotator.nlp import load_pipeline
    from annotator.read import Article
    from annotator.rules import load_rules

    rules = load_rules()
    nlp = load_pipeline(rules)
    paragraph = ("Selon des sources proches du dossier, le comité aurait renoncé au projet{n}. "
                 "« Nous verrons bien », a déclaré la porte-parole, Mme Zorglub{n}.")
    articles = [Article(f"a{n}", "\n\n".join(paragraph.format(n=f"{n}{k}") * (1 + k % 3) for k in range(5)))
                for n in range(6)]

    def spans(batch_chars: int) -> list:
        monkeypatch.setattr(pipeline, "BATCH_CHARS", batch_chars)
        return [[(s.start, s.end, s.label) for s in r.spans] for r in pipeline.annotate(articles, nlp, rules)]

    default = spans(pipeline.BATCH_CHARS)
    assert sum(map(len, default)) > 6 * 5 * 4
    assert spans(150) == default
