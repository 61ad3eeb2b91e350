"""Candidate rules from the spans analysts added that no rule found: each missed span is parsed for
its head word (a verb's lemma and construction, a noun, a name, a conditional's stem), the misses are
grouped by label and head, and each group gets the edit of the rules that would find it (a verb into
the group whose constructions fit, a word into its list, an outlet into the registry; see
`annotator.rule_edit`), or, when the rules already list that word or no word list decides, the
reason the rules missed it (parse error, wrong construction, label confusion, a missed cue)."""
from __future__ import annotations

import json
import re
from html import escape
from dataclasses import dataclass

import pandas as pd

from .rule_edit import Edit, flow_scalar
from .rules import CONSTRUCTIONS, Rules, fold, strip_accents
from .spans import LABELS, SOURCE_LABELS

CANDIDATE_COLUMNS = ["id", "label", "key", "n_misses", "n_articles", "doc_ids", "examples", "also_predicted_as",
                     "known_as", "why_missed", "rule_file", "target", "field", "value", "example", "snippet"]
QUOTE_MARKS = ("«", "“", '"', ":")
INCISE_MARKS = (",", "»", "”", '"', "—", "–")
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
    pos: str = ""   # the head word's part of speech


def analyse(missed: pd.DataFrame, nlp) -> list[Head]:
    """One Head per missed span, parsed within its sentence when the sentence holds the span text."""
    from .lexicon import VerbForms
    from .nlp import parse_form

    forms = VerbForms(nlp).forms
    pairs = list(zip(missed["text"], missed["sentence"].fillna("")))
    found = [_find_word(text, sentence) for text, sentence in pairs]
    texts = [sentence if at >= 0 else text for (text, sentence), at in zip(pairs, found)]
    heads = []
    for row, doc, at in zip(missed.itertuples(), nlp.pipe(parse_form(t) for t in texts), found):
        span = doc.char_span(max(at, 0), max(at, 0) + len(row.text), alignment_mode="expand")
        heads.append(_head(row.label, row.text, span if span is not None and len(span) else doc[:], forms))
    return heads


def _find_word(text: str, sentence: str) -> int:
    """Where `text` stands in `sentence` as whole words (-1 when it does not)."""
    match = re.search(rf"(?<!\w){re.escape(text)}(?!\w)", sentence) if text else None
    return match.start() if match else -1


def _head(label: str, text: str, span, forms) -> Head:
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
        if verb is not None:
            return Head(_verb_lemma(verb), "verb", _construction(span))
        # a verb the small model tagged otherwise ("relève", "pensent"): the lemmatiser's tables know its lemma
        guesses = [fold(g) for g in forms(folded) if fold(g).endswith(("er", "ir", "re"))] if " " not in folded else []
        return Head(guesses[0], "verb", _construction(span)) if guesses else Head(folded, "phrase", "")
    if label == "SOURCE_MEDIA" and (root.pos_ == "PROPN" or root.text[:1].isupper()) or label == "SOURCE_NAMED":
        return Head(fold(_no_article(text)), "name", "")
    return Head(fold(root.lemma_), "noun", "", pos=root.pos_)


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

    from .nlp import MODEL, with_quick_lemmatizer

    return with_quick_lemmatizer(spacy.load(MODEL, exclude=["ner"]))


def candidates(missed: pd.DataFrame, rules: Rules, nlp) -> pd.DataFrame:
    """candidates.csv: the missed spans grouped by label and key, each group with the edit that would
    find them (or why the rules missed them although they list the word) and its YAML snippet."""
    if missed.empty:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    heads = analyse(missed, nlp)
    table = missed.assign(key=[h.key for h in heads], head=heads)
    cue_missed = set(zip(table.loc[table["label"] == "CUE", "doc_id"], table.loc[table["label"] == "CUE", "sentence"]))
    rows = []
    for (label, key), group in table.groupby(["label", "key"], sort=False):
        group_heads = list(group["head"])
        known = known_as(label, group_heads[0], group, rules)
        edit, why = candidate_edit(label, group_heads, group, known, rules)
        if label in SOURCE_LABELS and all(pair in cue_missed for pair in zip(group["doc_id"], group["sentence"])):
            edit, why = None, "no cue was found in its sentence: the CUE candidate of that sentence finds it too"
        rows.append({"id": candidate_id(label, key), "label": label, "key": key, "n_misses": len(group),
                     "n_articles": group["doc_id"].nunique(), "doc_ids": " | ".join(dict.fromkeys(group["doc_id"])),
                     "examples": " | ".join(dict.fromkeys(group["text"])),
                     "also_predicted_as": ", ".join(sorted({a for a in group["also_predicted_as"] if a})),
                     "known_as": known, "why_missed": why, "rule_file": edit.file if edit else "",
                     "target": edit.target if edit else "", "field": edit.field if edit else "",
                     "value": edit.value if edit else "", "example": edit.example if edit else "",
                     "snippet": snippet(edit, why)})
    table = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    order = table["label"].map(LABELS.index)
    return table.assign(order=order).sort_values(["n_misses", "order", "key"], ascending=[False, True, True]) \
        .drop(columns="order").reset_index(drop=True)


def candidate_id(label: str, key: str) -> str:
    """A stable id for `rules accept`: the label and the key, in lower-case ASCII."""
    return f"{label.lower()}.{re.sub(r'[^a-z0-9]+', '_', strip_accents(key.lower())).strip('_')}"


def edit_of(row) -> Edit | None:
    """The edit a candidates.csv row proposes (None for a note without an edit)."""
    return Edit(row["rule_file"], row["target"], row["field"], row["value"], row["example"]) if row["field"] else None


def snippet(edit: Edit | None, why: str) -> str:
    """What the candidate changes, as the YAML lines `rules accept` writes, after a `#` comment."""
    if edit is None:
        return f"# {why}"
    if edit.field == "item":
        return f"# rules/{edit.file}, at the end of {edit.target}:\n{edit.value}"
    example = f"\n# example: {json.dumps(edit.example, ensure_ascii=False)}" if edit.example else ""
    return f"# rules/{edit.file}, {edit.target}: add to {edit.field}\n{edit.value}{example}"


def as_html(candidates: pd.DataFrame) -> str:
    """Each candidate's heading, estimate and YAML snippet as HTML, every text from the articles escaped."""
    parts = []
    for c in candidates.to_dict("records"):
        flag = " ✔ recommandée" if str(c.get("recommended")) == "True" else ""
        adds = f"<br>passages qu'elle ajouterait : {escape(str(c['would_add']))}" if c.get("would_add") else ""
        parts.append(f"<p><b>{escape(c['id'])}</b>{flag} ({c['n_misses']} passage(s) manqué(s)){adds}</p>"
                     f"<pre><code>{escape(c['snippet'])}</code></pre>")
    return "".join(parts)


def known_as(label: str, head: Head, group: pd.DataFrame, rules: Rules) -> str:
    """Where the rules already list this key ("" when they do not): the lexicon is not what missed it."""
    if head.kind == "verb" and label == "CUE":
        return ", ".join(sorted(verb_groups_listing(head.key, rules)))
    if head.kind == "phrase":
        return ", ".join(c.id for c in rules.cues if c.pattern.fullmatch(head.key))
    if head.kind == "noun":
        name = SOURCE_LISTS.get(label)
        return f"sources.yml {name}" if name and head.key in getattr(rules, name) else ""
    if head.kind == "name" and label == "SOURCE_MEDIA":
        names = {fold(t) for text in group["text"] for t in (text, _no_article(text))}
        return "media.yml" if any(n in rules.media or f"le {n}" in rules.media or f"la {n}" in rules.media
                                  or f"les {n}" in rules.media for n in names) else ""
    if label == "HEDGE_MODAL":
        return rules.modal_lemmas.get(head.key, "") or rules.modal_words.get(head.key, "")
    if head.kind == "conditional":
        stems = rules.conditional.get("stems", {})
        return "conditional.stems" if not head.stem or stems.get(head.key) == head.stem or (
            head.key not in stems and _regular_stem(head.key) == head.stem) else ""
    return ""


def verb_groups_listing(lemma: str, rules: Rules) -> list[str]:
    """The verb groups that list `lemma` itself ("se dire" does not list "dire")."""
    words = fold(lemma).replace("s'", "se ").split()
    reflexive = words[0] == "se" and len(words) > 1
    words = words[1:] if reflexive else words
    return [e.group for e in rules.verbs.get(words[0], ()) if e.rest == tuple(words[1:]) and e.reflexive == reflexive]


def _regular_stem(lemma: str) -> str:
    return lemma[:-1] if lemma.endswith("re") else lemma


def candidate_edit(label: str, heads: list[Head], group: pd.DataFrame, known: str,
                   rules: Rules) -> tuple[Edit | None, str]:
    """(the edit that would find these misses, or None; why the rules missed them)."""
    head = heads[0]
    example = _example(group)
    relabelled = ", ".join(sorted({a for a in group["also_predicted_as"] if a}))
    if relabelled and label in SOURCE_LABELS and not (set(relabelled.split(", ")) - set(SOURCE_LABELS)):
        confused = f"label confusion: the rules found these sources but typed them {relabelled}"
        # a head word the label's own list lacks is what typed them wrong: that list is the edit
        edit, why = _source_edit(label, head, group, known, example)
        return (edit, f"{confused}; {why}") if edit else (None, confused)
    if label == "CUE" and head.kind == "verb":
        return _verb_edit(head.key, [c for c in CONSTRUCTIONS if c in {h.context for h in heads}], known, example,
                          rules)
    if label == "CUE":
        if known:
            return None, f"already listed ({known}): the context, not the phrase list, missed these"
        if len(head.key.split()) < 2:
            return None, f"{head.key!r} is a single word that is not a verb: no cue phrase proposed"
        item = (f"  - id: cue.candidate.{_slug(head.key)}\n    phrases: [{flow_scalar(head.key)}]\n    source: after"
                + (f"\n    examples:\n      match: [{json.dumps(example, ensure_ascii=False)}]" if example else ""))
        return Edit("cues.yml", "cues", "item", item), "no cue phrase lists it"
    if label in SOURCE_LABELS:
        return _source_edit(label, head, group, known, example)
    if label == "HEDGE_MODAL":
        if known:
            return None, f"already listed ({known}): the parse or the context missed these"
        if head.key in rules.conditional.get("modal_lemmas", []):
            return None, (f"{head.key} is a hedge in the conditional or before some infinitives (hedges.yml "
                          f"conditional, possibility); a lemma rule would flag it in every tense")
        if head.kind == "verb":
            return Edit("hedges.yml", "hedge.modal.verb", "lemmas", head.key, example), "no modal rule lists the verb"
        words = [fold(t) for t in dict.fromkeys(group["text"])]
        if not all(re.fullmatch(r"[a-zà-ÿ' -]+", w) for w in words):
            return None, "not a word or a phrase"
        return Edit("hedges.yml", "hedge.modal.word", "words", words[0], example), "no modal rule lists the word"
    if label == "HEDGE_CONDITIONAL":
        if known:
            return None, f"the stem of {head.key} is known; the parser did not read these verbs as conditionals"
        return None, f"hedges.yml conditional.stems lacks {head.key}: {head.stem} (add it by hand)"
    if head.key == "one word":
        return None, "one-word quotations: see quotes.yml single_word_needs_cue"
    return None, "no word list decides quotations: check their marks (pairs) and title_words"


def _verb_edit(lemma: str, takes: list[str], known: str, example: str, rules: Rules) -> tuple[Edit | None, str]:
    """A reporting verb goes into the group whose constructions fit those it was missed in."""
    groups = verb_groups(rules)
    if known:
        taken = {c for g in known.split(", ") for c in groups.get(g, (frozenset(),))[0]}
        missing = [c for c in takes if c not in taken and "any" not in taken]
        if missing:
            return None, (f"wrong construction: {lemma} is in {known}, which does not take [{', '.join(missing)}]; "
                          f"move it to a group that does")
        return None, f"parse error: {lemma} is in {known}, which takes these constructions; the parse missed them"
    if not re.fullmatch(r"(?:se |s')?[a-zà-ÿ-]+(?:er|ir|re)(?: [a-zà-ÿ' -]+)?", lemma):
        return None, f"{lemma!r} does not read as an infinitive (a lemmatiser error or a misspelling)"
    fitting = [(len(t), "any" in t, -n, g) for g, (t, s, n) in groups.items()
               if s == frozenset({"subject"}) and (set(takes) <= t or "any" in t)]
    if not fitting:
        return None, f"no verb group takes [{', '.join(takes)}]"
    group = min(fitting, key=lambda f: (f[1], f[0], f[2]))[3]
    return Edit("verbs.yml", group, "lemmas", lemma, example), f"no verb group lists {lemma}"


def verb_groups(rules: Rules) -> dict[str, tuple[frozenset, frozenset, int]]:
    """Verb group id -> (its constructions, its source roles, its number of lemmas)."""
    groups: dict[str, tuple[frozenset, frozenset, int]] = {}
    for entries in rules.verbs.values():
        for e in entries:
            takes, sources, n = groups.get(e.group, (e.takes, e.sources, 0))
            groups[e.group] = (takes, sources, n + 1)
    return groups


def _source_edit(label: str, head: Head, group: pd.DataFrame, known: str, example: str) -> tuple[Edit | None, str]:
    if label == "SOURCE_NAMED":
        return None, "SOURCE_NAMED comes from proper names and definite roles, not from a word list: no cue was found"
    if known:
        return None, f"already listed ({known}): the context, not the word list, missed these"
    if head.kind == "name":
        text = group["text"].iloc[0].strip()
        name = _no_article(text) if text[:1].islower() else text  # "le Zinc" -> Zinc; "La Gazette" stays
        if not name[:1].isupper():
            return None, "not a name"
        return Edit("media.yml", "outlets", "item", f"  - {{name: {flow_scalar(name)}, kind: site}}"), \
            "the outlet registry lacks it"
    if head.pos != "NOUN" or not re.fullmatch(r"[a-zà-ÿ-]{3,}", head.key):
        return None, f"{head.key!r} is not a noun: no source word proposed"
    return Edit("sources.yml", SOURCE_LISTS[label], "words", head.key, example), f"{SOURCE_LISTS[label]} lacks it"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", strip_accents(text.lower())).strip("_")


def _example(group: pd.DataFrame, longest: int = 300) -> str:
    sentences = sorted((s.strip() for s in group["sentence"].fillna("") if s.strip()), key=len)
    return " ".join(sentences[0].split()) if sentences and len(sentences[0]) <= longest else ""
