"""Candidate rules from the spans analysts added that no rule found: each missed span is parsed for
its head word (a verb's lemma and construction, a noun, a name, a conditional's stem), the misses are
grouped by label and head, and each group gets a ready-to-paste YAML snippet for the rule file it
belongs in, or a note on what to change when the rules already list that word."""
from __future__ import annotations

import json
import re
from html import escape
from dataclasses import dataclass

import pandas as pd

from .rules import CONSTRUCTIONS, Rules, fold, strip_accents
from .spans import LABELS, SOURCE_LABELS

CANDIDATE_COLUMNS = ["label", "key", "n_misses", "n_articles", "examples", "also_predicted_as", "known_as",
                     "rule_file", "snippet"]
QUOTE_MARKS = ("«", "“", '"', ":")
INCISE_MARKS = (",", "»", "”", '"', "—", "–")
YAML_RESERVED = {"on", "off", "yes", "no", "y", "n", "true", "false", "null", "~"}
CONDITIONAL_ENDINGS = ("aient", "ions", "iez", "ais", "ait")
SOURCE_LISTS = {"SOURCE_MEDIA": "media_heads", "SOURCE_DOCUMENT": "document_heads",
                "SOURCE_ANONYMOUS": "anonymous_heads", "SOURCE_VAGUE": "vague_heads"}

@dataclass(frozen=True)
class Head:
    """What a missed span says about the rule that would have found it."""

    key: str        # the grouping key: lemma of the head word, or the folded text for phrases
    kind: str       # verb, phrase, noun, name, word, conditional or quote
    context: str    # for a verb: the construction it stands in (que, quote, incise, object)
    stem: str = ""  # for a conditional: the stem its form shows ("arriver" in "arriveraient")


def analyse(missed: pd.DataFrame, nlp) -> list[Head]:
    """One Head per missed span, parsed within its sentence when the sentence holds the span text."""
    from .nlp import parse_form

    pairs = list(zip(missed["text"], missed["sentence"].fillna("")))
    found = [_find_word(text, sentence) for text, sentence in pairs]
    texts = [sentence if at >= 0 else text for (text, sentence), at in zip(pairs, found)]
    heads = []
    for row, doc, at in zip(missed.itertuples(), nlp.pipe(parse_form(t) for t in texts), found):
        span = doc.char_span(max(at, 0), max(at, 0) + len(row.text), alignment_mode="expand")
        heads.append(_head(row.label, row.text, span if span is not None and len(span) else doc[:]))
    return heads


def _find_word(text: str, sentence: str) -> int:
    """Where `text` stands in `sentence` as whole words (-1 when it does not)."""
    match = re.search(rf"(?<!\w){re.escape(text)}(?!\w)", sentence) if text else None
    return match.start() if match else -1


def _head(label: str, text: str, span) -> Head:
    root = span.root
    folded = fold(text)
    if label == "QUOTE":
        return Head("one word" if len([t for t in span if not t.is_punct]) == 1 else "several words", "quote", "")
    if label == "HEDGE_CONDITIONAL":
        first = span[0]
        form = fold(first.text)
        ending = next((e for e in CONDITIONAL_ENDINGS if form.endswith(e)), "")
        return Head(fold(first.lemma_), "conditional", "", form[: len(form) - len(ending)] if ending else "")
    if label == "HEDGE_MODAL":
        return Head(_verb_lemma(root) if root.pos_ in ("VERB", "AUX") else folded,
                    "verb" if root.pos_ in ("VERB", "AUX") else "word", "")
    if label == "CUE":
        verb = _cue_verb(span)
        return Head(_verb_lemma(verb), "verb", _construction(span)) if verb is not None else Head(folded, "phrase", "")
    if label == "SOURCE_MEDIA" and (root.pos_ == "PROPN" or root.text[:1].isupper()) or label == "SOURCE_NAMED":
        return Head(fold(_no_article(text)), "name", "")
    return Head(fold(root.lemma_), "noun", "")


def _no_article(text: str) -> str:
    return re.sub(r"^(le |la |les |l'|l’)", "", text.strip(), flags=re.IGNORECASE)


def _cue_verb(span):
    """The reporting verb a CUE span opens with, after auxiliaries, adverbs and clitics (None for
    a phrase such as `selon` or `à en croire`). The small model tags some verbs ADV ("tablent"):
    a lemma that differs from the word and ends like an infinitive also counts."""
    for token in span:
        if token.pos_ == "AUX" or fold(token.text) in ("se", "s'") or token.pos_ == "ADV" and token.i > span.start:
            continue
        lemma = fold(token.lemma_)
        infinitive = lemma != fold(token.text) and lemma.endswith(("er", "ir", "re"))
        return token if token.pos_ == "VERB" or infinitive else None
    return None


def _verb_lemma(token) -> str:
    """The verb's lemma, written `s'indigner` / `se féliciter` when reflexive."""
    lemma = fold(token.lemma_)
    if any(fold(t.text) in ("se", "s'") for t in token.children if t.i < token.i):
        return ("s'" if lemma[:1] in "aeiouyhéèêâîôû" else "se ") + lemma
    return lemma


def _construction(span) -> str:
    """How a reporting verb stands in its sentence, in the terms of rules/verbs.yml `takes`."""
    doc = span.doc
    after = next((t for t in doc[span.end:] if not t.is_space), None)
    before = next((t for t in reversed(doc[:span.start]) if not t.is_space), None)
    if after is not None and fold(after.text) in ("que", "qu'"):
        return "que"
    if before is not None and before.text in INCISE_MARKS:
        return "incise"
    if after is not None and after.text in QUOTE_MARKS:
        return "quote"
    return "object"


def load_parser():
    """The French model, to find the head word of missed spans (no entity recogniser needed)."""
    import spacy

    from .nlp import MODEL

    return spacy.load(MODEL, exclude=["ner"])


def candidates(missed: pd.DataFrame, rules: Rules, nlp) -> pd.DataFrame:
    """candidates.csv: the missed spans grouped by label and key, each group with a rule snippet."""
    if missed.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    heads = analyse(missed, nlp)
    table = missed.assign(key=[h.key for h in heads], head=heads)
    rows = []
    for (label, key), group in table.groupby(["label", "key"], sort=False):
        group_heads = list(group["head"])
        known = known_as(label, group_heads[0], rules)
        rule_file, snippet = rule_snippet(label, group_heads, group, known, rules)
        rows.append({"label": label, "key": key, "n_misses": len(group), "n_articles": group["doc_id"].nunique(),
                     "examples": " | ".join(dict.fromkeys(group["text"])),
                     "also_predicted_as": ", ".join(sorted({a for a in group["also_predicted_as"] if a})),
                     "known_as": known, "rule_file": rule_file, "snippet": snippet})
    table = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    order = table["label"].map(LABELS.index)
    return table.assign(order=order).sort_values(["n_misses", "order", "key"], ascending=[False, True, True]) \
        .drop(columns="order").reset_index(drop=True)


def as_html(candidates: pd.DataFrame) -> str:
    """Each candidate's heading and YAML snippet as HTML, every text from the articles escaped."""
    return "".join(f"<p><b>{escape(c.label)} · {escape(c.key)}</b> ({c.n_misses} passage(s) manqué(s))</p>"
                   f"<pre><code>{escape(c.snippet)}</code></pre>" for c in candidates.itertuples())


def known_as(label: str, head: Head, rules: Rules) -> str:
    """Where the rules already list this key ("" when they do not): the lexicon is not what missed it."""
    if head.kind == "verb" and label == "CUE":
        words = head.key.replace("s'", "se ").split()
        verb = words[1] if words[0] == "se" else words[0]
        return ", ".join(sorted({e.group for e in rules.verbs.get(verb, ())}))
    if head.kind == "phrase":
        return ", ".join(c.id for c in rules.cues if c.pattern.fullmatch(head.key))
    if head.kind == "noun":
        name = SOURCE_LISTS.get(label)
        return f"sources.yml {name}" if name and head.key in getattr(rules, name) else ""
    if head.kind == "name" and label == "SOURCE_MEDIA":
        return "media.yml" if head.key in rules.media else ""
    if label == "HEDGE_MODAL":
        return rules.modal_lemmas.get(head.key, "") or rules.modal_words.get(head.key, "")
    if head.kind == "conditional":
        stems = rules.conditional.get("stems", {})
        return "conditional.stems" if not head.stem or stems.get(head.key) == head.stem or (
            head.key not in stems and _regular_stem(head.key) == head.stem) else ""
    return ""


def _regular_stem(lemma: str) -> str:
    return lemma[:-1] if lemma.endswith("re") else lemma


def rule_snippet(label: str, heads: list[Head], group: pd.DataFrame, known: str, rules: Rules) -> tuple[str, str]:
    """(rule file, YAML snippet) for one candidate; a `#` comment line says where it goes, and for a
    word the rules already list, what to change instead."""
    head = heads[0]
    slug = re.sub(r"[^a-z0-9]+", "_", strip_accents(head.key)).strip("_")
    example = _example(group)
    if label == "CUE" and head.kind == "verb":
        takes = [c for c in CONSTRUCTIONS if c in {h.context for h in heads}]
        if known:
            return "verbs.yml", _known_verb(head.key, known, takes, rules)
        return "verbs.yml", (f"# rules/verbs.yml, under groups:\n  - id: verb.candidate.{slug}\n"
                             f"    takes: [{', '.join(takes)}]\n    lemmas: [{_scalar(head.key)}]{example}")
    if label == "CUE":
        return "cues.yml", _already(known, "cues.yml") or (
            f"# rules/cues.yml, under cues:\n  - id: cue.candidate.{slug}\n    phrases: [{_scalar(head.key)}]\n"
            f"    source: after{example}")
    if label in SOURCE_LABELS:
        return _source_snippet(label, head, group, known)
    if label == "HEDGE_MODAL":
        field = "lemmas" if head.kind == "verb" else "words"
        return "hedges.yml", _already(known, "hedges.yml") or (
            f"# rules/hedges.yml, under modal:\n  - id: hedge.modal.candidate.{slug}\n"
            f"    {field}: [{_scalar(head.key)}]{example}")
    if label == "HEDGE_CONDITIONAL":
        return "hedges.yml", (
            f"# rules/hedges.yml: the stem of {head.key} is known; the parser did not read these verbs as "
            f"conditionals (Mood=Cnd)" if known else
            f"# rules/hedges.yml: add to conditional.stems\nconditional:\n  stems: {{{_scalar(head.key)}: "
            f"{_scalar(head.stem)}}}")
    if head.key == "one word":
        return "quotes.yml", ("# rules/quotes.yml: a one-word quotation is dropped unless its sentence holds a "
                              "cue\nquotes:\n  single_word_needs_cue: false")
    return "quotes.yml", "# rules/quotes.yml: no word list decides these; check their marks (pairs) and title_words"


def _known_verb(lemma: str, groups: str, takes: list[str], rules: Rules) -> str:
    taken = {c for entries in rules.verbs.values() for e in entries if e.group in groups.split(", ") for c in e.takes}
    missing = [c for c in takes if c not in taken and "any" not in taken]
    if missing:
        return (f"# rules/verbs.yml: {lemma} is already in {groups}; these misses stand in [{', '.join(missing)}]: "
                f"add it to that group's takes, or move {lemma} to a group that takes it")
    return (f"# rules/verbs.yml: {lemma} is already in {groups}, which takes these constructions: run annotate "
            f"again; if still missed, the parse missed them")


def _source_snippet(label: str, head: Head, group: pd.DataFrame, known: str) -> tuple[str, str]:
    if label == "SOURCE_NAMED":
        typed = ", ".join(sorted({a for a in group["also_predicted_as"] if a}))
        why = (f"the rules found these sources but typed them {typed} (check the head noun and determiner)"
               if typed else "no cue was found for these sources (see the CUE candidates)")
        return "", f"# SOURCE_NAMED comes from proper names and definite roles, not from a word list: {why}"
    text = group["text"].iloc[0]
    if head.kind == "name":
        return "media.yml", _already(known, "media.yml") or (
            f"# rules/media.yml, under outlets (check the kind):\n  - {{name: {_scalar(_no_article(text))}, "
            f"kind: online}}")
    name = SOURCE_LISTS[label]
    return "sources.yml", _already(known, "sources.yml") or (
        f"# rules/sources.yml: append to the words of {name}\n{name}:\n  words: [{_scalar(head.key)}]")


def _already(known: str, file: str) -> str:
    return f"# rules/{file}: already listed ({known}); the context, not the word list, missed these" if known else ""


def _example(group: pd.DataFrame, longest: int = 300) -> str:
    sentences = sorted((s.strip() for s in group["sentence"].fillna("") if s.strip()), key=len)
    if not sentences or len(sentences[0]) > longest:
        return ""
    return f"\n    examples:\n      match: [{json.dumps(' '.join(sentences[0].split()), ensure_ascii=False)}]"


def _scalar(text: str) -> str:
    """A YAML flow scalar: bare when safe, else double-quoted."""
    bare = re.fullmatch(r"[^\W\d][\w' .-]*", text) and text.lower() not in YAML_RESERVED and not text.endswith(" ")
    return text if bare else json.dumps(text, ensure_ascii=False)
