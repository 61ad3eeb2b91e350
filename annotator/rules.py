"""Load, check and compile the YAML rule files of `rules/`.

Every problem is reported as `rules/FILE.yml:LINE: what is wrong`; all problems of a load are
collected before `RuleError` is raised, so an analyst fixes them in one pass.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .spans import LABELS
from .yamlfile import LDict, YamlError, line_of, load_yaml

# the copy of rules/ an installed package holds, else the rules/ folder beside the package's source
DEFAULT_RULES_DIR = next(d for d in (Path(__file__).resolve().parent / "bundled_rules",
                                     Path(__file__).resolve().parent.parent / "rules") if d.is_dir())
RULE_FILES = ("verbs.yml", "cues.yml", "sources.yml", "media.yml", "outlets.yml", "hedges.yml", "quotes.yml",
              "boilerplate.yml", "profile.yml")
CONSTRUCTIONS = ("any", "object", "que", "quote", "incise", "passive", "assessment")
CUE_REQUIREMENTS = ("sentence_head", "source_head", "after_cue")
SOURCE_ROLES = ("subject", "object")
EXAMPLES = {"examples": ("map", {"match": "strlist", "no_match": "strlist"})}

# Schemas: key -> type; a key in `REQUIRED` must be present. Types: str, strlist, bool, number,
# regex, label, wordmap, pairs, numbers, ("list", schema), ("map", schema).
WORDS = {"id": "str", "words": "strlist", **EXAMPLES}
# an outlet, hand-kept (media.yml) or generated from public lists (outlets.yml, scripts/build_outlets.py)
OUTLET = {"name": "str", "kind": "str", "aliases": "strlist", "country": "str", "domains": "strlist",
          "context": "strlist", "rating": ("map", {"value": "number", "label": "str", "source": "str", "year": "str"})}
SOURCE_LEXICONS = ("media_heads", "media_phrases", "media_qualified", "media_carried", "media_context", "document_heads",
                   "document_channel", "anonymous_heads", "vague_heads", "vague_determiners", "media_channel", "people_heads")
SCHEMAS: dict[str, dict] = {
    "verbs.yml": {"groups": ("list", {"id": "str", "takes": "strlist", "sources": "strlist", "lemmas": "strlist",
                                      **EXAMPLES}),
                  "not_cues": ("map", {"id": "str", "phrases": "strlist"})},
    "cues.yml": {"cues": ("list", {"id": "str", "phrases": "strlist", "source": "str", "label": "label",
                                   "requires": "strlist", "emit": "str", "not_heads": "strlist", **EXAMPLES})},
    "sources.yml": {k: ("map", WORDS) for k in SOURCE_LEXICONS},
    "media.yml": {"outlets": ("list", OUTLET)},
    "outlets.yml": {"outlets": ("list", OUTLET)},
    "hedges.yml": {
        "conditional": ("map", {"id": "str", "modal_lemmas": "strlist", "modal_id": "str",
                                "skip_lemmas": "strlist", "polite_lemmas": "strlist", "polite_id": "str",
                                "stems": "wordmap", "hypothesis_id": "str", "future_in_past_id": "str",
                                "hypothesis_phrases": "strlist", "evaluative_subjects": "strlist", **EXAMPLES}),
        "possibility": ("map", {"id": "str", "lemmas": "strlist", "infinitives": "strlist", **EXAMPLES}),
        "modal": ("list", {"id": "str", "lemmas": "strlist", "words": "strlist", **EXAMPLES}),
        "pseudo": ("map", {"id": "str", "phrases": "strlist"}),
    },
    "quotes.yml": {"quotes": ("map", {"id": "str", "pairs": "pairs", "single_word_needs_cue": "bool",
                                      "title_words": "strlist", "split_id": "str",
                                      "colon_id": "str"})},
    "boilerplate.yml": {k: ("list", {"id": "str", "pattern": "regex", "field": "str"})
                        for k in ("skip", "metadata", "tail_markers")},
    "profile.yml": {"transparency": ("map", {"id": "str", "weights": "numbers", "attribution_target": "number",
                                             "hedging_ceiling": "number"})},
}
REQUIRED = {"id", "takes", "phrases", "source", "name", "kind", "pattern", "pairs", "weights"}
MEDIA_KINDS = ("agency", "daily", "newspaper", "magazine", "tv", "radio", "site", "platform")
WEIGHT_KEYS = ("identified_sources", "attribution", "certainty", "quotes_attributed")


class RuleError(Exception):
    """One or more problems in the rule files, each as `file:line: message`."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower-case, unify apostrophes and dashes: the form every lexicon lookup uses (memoised,
    bounded: the rules fold every token several times, and words repeat)."""
    text = text.replace("’", "'").replace("ʼ", "'").replace("‘", "'").replace("‑", "-").replace("–", "-")
    return unicodedata.normalize("NFC", text).lower().strip()


@lru_cache(maxsize=1 << 16)
def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


class _Checker:
    """Walks a parsed file against its schema and collects problems."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[str] = []

    def error(self, value, message: str, line: int = 0) -> None:
        self.problems.append(f"rules/{self.name}:{line or line_of(value, 1)}: {message}")

    def check(self, value, schema, where: str) -> None:
        if isinstance(schema, tuple):
            kind, sub = schema
            if kind == "list":
                if not isinstance(value, list):
                    return self.error(value, f"{where} must be a list")
                for item in value:
                    self.check(item, ("map", sub), where)
                return
            if not isinstance(value, dict):
                return self.error(value, f"{where} must be a mapping")
            for key, item in value.items():
                if key not in sub:
                    self.error(item, f"unknown key {key!r} in {where} (expected one of: {', '.join(sub)})")
                else:
                    self.check(item, sub[key], key)
            for key in sub:
                if key in REQUIRED and key not in value:
                    self.error(value, f"{where} is missing the key {key!r}")
            return
        self.check_scalar(value, schema, where)

    def check_scalar(self, value, kind: str, where: str) -> None:
        if kind in ("str", "label", "regex") and not (isinstance(value, str) and value.strip()):
            return self.error(value, f"{where} must be a non-empty string")
        if kind == "label" and value not in LABELS:
            self.error(value, f"unknown label {value!r} (expected one of: {', '.join(LABELS)})")
        if kind == "regex":
            try:
                re.compile(value)
            except re.error as exc:
                self.error(value, f"bad pattern {value!r}: {exc}")
        if kind == "strlist":
            if not isinstance(value, list) or not value:
                return self.error(value, f"{where} must be a non-empty list")
            seen = set()
            for item in value:
                if not isinstance(item, str) or not item.strip():
                    self.error(value, f"{where} holds {item!r}, not a word", line_of(item, line_of(value)))
                elif fold(item) in seen:
                    self.error(item, f"{item!r} is listed twice in {where}", line_of(item, line_of(value)))
                seen.add(fold(item) if isinstance(item, str) else item)
        if kind == "bool" and not isinstance(value, bool):
            self.error(value, f"{where} must be true or false")
        if kind == "number" and not (isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0):
            self.error(value, f"{where} must be a positive number")
        if kind == "numbers":
            if not isinstance(value, dict):
                return self.error(value, f"{where} must be a mapping of names to numbers")
            for key, item in value.items():
                if key not in WEIGHT_KEYS:
                    self.error(value, f"unknown weight {key!r} (expected one of: {', '.join(WEIGHT_KEYS)})")
                elif not isinstance(item, (int, float)) or isinstance(item, bool) or item < 0:
                    self.error(value, f"weight {key!r} must be a number >= 0")
        if kind == "wordmap" and not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            self.error(value, f"{where} must map words to words")
        if kind == "pairs" and not (isinstance(value, list) and all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(m, str) and len(m) == 1 for m in p)
                for p in value)):
            self.error(value, f"{where} must be a list of [opening, closing] one-character marks")


@dataclass(frozen=True)
class VerbEntry:
    """A reporting verb: the words after the lemma ("en garde"), reflexive or not, and its group."""

    rest: tuple[str, ...]
    reflexive: bool
    group: str
    takes: frozenset[str]
    sources: frozenset[str]


@dataclass(frozen=True)
class CueRule:
    id: str
    pattern: re.Pattern
    source: str
    label: str | None
    requires: frozenset[str]
    emit_cue: bool
    not_heads: frozenset[str]  # lemmas after which the cue word is manner ("selon la saison")


@dataclass(frozen=True)
class Example:
    rule: str
    file: str
    line: int
    text: str
    should_match: bool


@dataclass
class Rules:
    """The compiled rule set: lexicons as folded sets, phrases as regular expressions."""

    directory: Path
    version: str
    verbs: dict[str, list[VerbEntry]]
    not_cues: re.Pattern
    cues: list[CueRule]
    media_heads: frozenset[str]
    document_heads: frozenset[str]
    anonymous_heads: frozenset[str]
    vague_heads: frozenset[str]
    vague_determiners: frozenset[str]
    people_heads: frozenset[str]
    source_ids: dict[str, str]
    media: dict[str, tuple[str, str]]
    # folded outlet names that are also ordinary words: matched only in a media context
    media_context: frozenset[str]
    source_words: dict[str, frozenset[str]]
    media_pattern: re.Pattern
    media_contracted: dict[str, str]
    media_search: re.Pattern
    media_channel: dict
    conditional: dict
    modal_lemmas: dict[str, str]
    modal_words: dict[str, str]
    modal_phrases: re.Pattern
    pseudo_hedges: re.Pattern
    quotes: dict
    skip_lines: list[tuple[str, re.Pattern]]
    metadata_lines: list[tuple[str, re.Pattern, str | None]]
    tail_markers: list[tuple[str, re.Pattern]]
    transparency: dict
    examples: list[Example] = field(default_factory=list)
    # hedges.yml `possibility`: pouvoir outside the conditional, epistemic before these infinitives
    possibility: dict = field(default_factory=dict)
    # verb lemmas of a word form, from the model's lemmatizer tables (set by annotator.nlp)
    verb_forms: Callable[[str], tuple[str, ...]] | None = None


def lower(text: str) -> str:
    """The text in lower case, same length (same offsets): what phrase patterns are matched against."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def phrase_pattern(phrases: list[str]) -> re.Pattern:
    """One whole-word regex for a list of phrases, any apostrophe, any spacing, to match against
    `lower(text)`. The phrases are merged into a trie: a position is tried against a few first
    letters, not against every phrase, and the longest phrase that fits wins."""
    return re.compile(f"(?:{_first_letters(_trie(phrases), WORD_START)}){WORD_END}")


PHRASE_CHARS = {"'": "['’ʼ]\\s*", " ": r"\s+", "-": "[-‑]"}
WORD_END = r"(?![\w-])"
# (what precedes a phrase, as a lookbehind before its first letter, and the same after it)
WORD_START = (r"(?<![\w-])", r"(?<![\w-].)")
# the contracted article before an outlet's name: "au Monde", "du Figaro", "aux Échos", "des Échos"
CONTRACTED = tuple("(?:" + "|".join(f"(?<=\\b{a} {dot})" for a in ("au", "du", "aux", "des")) + ")"
                   for dot in ("", "."))


def _trie(phrases: list[str]) -> dict:
    trie: dict = {}
    for phrase in {" ".join(fold(p).split()) for p in phrases}:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return trie


def _first_letters(trie: dict, start: tuple[str, str]) -> str:
    """The phrases of `trie` as alternatives that open with a plain first letter and test the
    lookbehind `start` only after it: the regex engine then jumps from one possible first letter
    to the next instead of testing the lookbehind at every position (4x faster on news text; it
    cannot jump so in a case-insensitive regex, hence `lower`)."""
    before, after = start
    return "|".join((re.escape(c) + after if c not in PHRASE_CHARS else before + PHRASE_CHARS[c])
                    + _trie_pattern(child) for c, child in sorted(trie.items()) if c)


def _trie_pattern(node: dict) -> str:
    branches = [PHRASE_CHARS.get(c, re.escape(c)) + _trie_pattern(child) for c, child in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _media_search(names: list[str]) -> re.Pattern:
    """Outlet names as written in running text, with "au Monde" / "du Figaro" for "Le Monde";
    matched against `lower(text)`, as phrase patterns are."""
    contracted = [re.sub(r"^(?:le|les) ", "", fold(n)) for n in names if re.match(r"(?i)(le|les) ", n)]
    pattern = _first_letters(_trie(names), WORD_START)
    if contracted:
        pattern += "|" + _first_letters(_trie(contracted), CONTRACTED)
    return re.compile(f"(?:{pattern}){WORD_END}")


def rules_version(directory: Path) -> str:
    """A short hash of the rule files' bytes: the `model_version` of the predictions."""
    digest = hashlib.sha256()
    for name in RULE_FILES:
        path = directory / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"") + b"\0")
    return "rules-" + digest.hexdigest()[:12]


def _read_all(directory: Path) -> tuple[dict[str, LDict], list[str]]:
    docs, problems = {}, []
    for name in RULE_FILES:
        path = directory / name
        if not path.exists():
            problems.append(f"rules/{name}:0: file is missing from {directory}")
            continue
        try:
            data = load_yaml(path)
        except YamlError as exc:
            problems.append(f"rules/{name}:{exc.line}: YAML syntax error: {exc}")
            continue
        checker = _Checker(name)
        checker.check(data, ("map", SCHEMAS[name]), name)
        problems += checker.problems
        docs[name] = data
    return docs, problems


def _semantic_problems(docs: dict[str, LDict]) -> list[str]:
    """Checks across keys and files: constructions, duplicate ids, a lemma in two groups."""
    problems, ids, lemmas = [], {}, {}

    def error(name, value, message):
        problems.append(f"rules/{name}:{line_of(value, 1)}: {message}")

    def rule_ids(name, data):
        if isinstance(data, dict):
            if isinstance(data.get("id"), str):
                yield data["id"]
            for key, value in data.items():
                if key != "examples":
                    yield from rule_ids(name, value)
        elif isinstance(data, list):
            for item in data:
                yield from rule_ids(name, item)

    for name, data in docs.items():
        for rid in rule_ids(name, data):
            if rid in ids:
                error(name, rid, f"duplicate rule id {rid!r} (first defined in rules/{ids[rid]})")
            ids.setdefault(rid, f"{name}:{line_of(rid)}")
    for group in docs.get("verbs.yml", {}).get("groups", []) or []:
        if "lemmas" not in group:
            error("verbs.yml", group, "a verb group is missing the key 'lemmas'")
        for role in group.get("sources", []) or []:
            if role not in SOURCE_ROLES:
                error("verbs.yml", role, f"unknown source role {role!r} (expected one of: {', '.join(SOURCE_ROLES)})")
        for take in group.get("takes", []) or []:
            if take not in CONSTRUCTIONS:
                error("verbs.yml", take, f"unknown construction {take!r} (expected one of: {', '.join(CONSTRUCTIONS)})")
        for lemma in group.get("lemmas", []) or []:
            if isinstance(lemma, str) and fold(lemma) in lemmas and lemmas[fold(lemma)] != group.get("id"):
                error("verbs.yml", lemma, f"lemma {lemma!r} is already in group {lemmas[fold(lemma)]!r}")
            if isinstance(lemma, str):
                lemmas.setdefault(fold(lemma), group.get("id"))
    for cue in docs.get("cues.yml", {}).get("cues", []) or []:
        if cue.get("emit", "cue") not in ("cue", "source"):
            error("cues.yml", cue["emit"], f"emit must be 'cue' or 'source', not {cue['emit']!r}")
        if cue.get("source") not in (None, "after", "none"):
            error("cues.yml", cue["source"], f"source must be 'after' or 'none', not {cue['source']!r}")
        for req in cue.get("requires", []) or []:
            if req not in CUE_REQUIREMENTS:
                error("cues.yml", req, f"unknown requirement {req!r} (expected one of: {', '.join(CUE_REQUIREMENTS)})")
    for key, lexicon in docs.get("sources.yml", {}).items():
        if isinstance(lexicon, dict) and "words" not in lexicon:
            error("sources.yml", lexicon, f"{key} is missing the key 'words'")
    for name in ("media.yml", "outlets.yml"):
        for outlet in docs.get(name, {}).get("outlets", []) or []:
            if outlet.get("kind") not in MEDIA_KINDS:
                error(name, outlet.get("kind", outlet), f"unknown media kind {outlet.get('kind')!r} "
                      f"(expected one of: {', '.join(MEDIA_KINDS)})")
    for modal in docs.get("hedges.yml", {}).get("modal", []) or []:
        if ("lemmas" in modal) == ("words" in modal):
            error("hedges.yml", modal, "a modal rule takes either 'lemmas' or 'words'")
    return problems


def _verbs(groups) -> dict[str, list[VerbEntry]]:
    verbs: dict[str, list[VerbEntry]] = {}
    for group in groups:
        for lemma in group["lemmas"]:
            words = fold(lemma).replace("s'", "se ").split()
            reflexive = words[0] == "se"
            words = words[1:] if reflexive else words
            entry = VerbEntry(tuple(words[1:]), reflexive, group["id"], frozenset(group["takes"]),
                              frozenset(group.get("sources", ["subject"])))
            verbs.setdefault(words[0], []).append(entry)
    return verbs


def _examples(docs: dict[str, LDict]) -> list[Example]:
    found = []

    def walk(name, data):
        if isinstance(data, dict):
            for key, value in data.items():
                if key == "examples" and isinstance(value, dict):
                    for kind in ("match", "no_match"):
                        for text in value.get(kind, []) or []:
                            found.append(Example(data.get("id", "?"), name, line_of(text), str(text), kind == "match"))
                else:
                    walk(name, value)
        elif isinstance(data, list):
            for item in data:
                walk(name, item)

    for name, data in docs.items():
        walk(name, data)
    return found


def _outlets(docs: dict[str, LDict]) -> dict[str, tuple[str, str, bool]]:
    """Folded outlet name or alias -> (canonical name, kind, needs a media context). Hand-kept
    entries (media.yml) win over generated ones (outlets.yml) that share a name with them: they
    add their aliases, but the kind and the context are the hand-kept ones. Platforms are left out."""
    media: dict[str, tuple[str, str, bool]] = {}
    for outlet in docs["media.yml"]["outlets"]:
        context = {fold(n) for n in outlet.get("context", [])}
        for name in [outlet["name"], *outlet.get("aliases", [])]:
            media[fold(name)] = (str(outlet["name"]), str(outlet["kind"]), fold(name) in context)
    for outlet in docs["outlets.yml"]["outlets"]:
        names = [outlet["name"], *outlet.get("aliases", [])]
        hand = next((media[fold(n)] for n in names if fold(n) in media), None)
        context = {fold(n) for n in outlet.get("context", [])}
        for name in names:
            if fold(name) not in media and outlet["kind"] != "platform":
                media[fold(name)] = (hand[0], hand[1], False) if hand else (
                    str(outlet["name"]), str(outlet["kind"]), fold(name) in context)
    return media


def _lines(items) -> list:
    return [(i["id"], re.compile(i["pattern"], re.IGNORECASE), i.get("field")) for i in items or []]


def load_rules(directory: Path | str | None = None) -> Rules:
    """Read every rule file of `directory` (default: the bundled `rules/`), check and compile it."""
    directory = Path(directory) if directory else DEFAULT_RULES_DIR
    if not directory.is_dir():
        raise RuleError([f"{directory}: rules folder not found"])
    docs, problems = _read_all(directory)
    problems += _semantic_problems(docs) if not problems else []
    if problems:
        raise RuleError(problems)
    src, hedges = docs["sources.yml"], docs["hedges.yml"]
    outlets = _outlets(docs)
    media = {k: v[:2] for k, v in outlets.items()}
    modal_lemmas, modal_words, modal_phrases = {}, {}, []
    for rule in hedges["modal"]:
        for lemma in rule.get("lemmas", []):
            modal_lemmas[fold(lemma)] = rule["id"]
        for word in rule.get("words", []):
            (modal_phrases.append(word) if " " in word else None)
            modal_words[fold(word)] = rule["id"]
    return Rules(
        directory=directory,
        version=rules_version(directory),
        verbs=_verbs(docs["verbs.yml"]["groups"]),
        not_cues=phrase_pattern(docs["verbs.yml"].get("not_cues", {}).get("phrases", ["\0"])),
        cues=[CueRule(c["id"], phrase_pattern(c["phrases"]), c["source"], c.get("label"),
                      frozenset(c.get("requires", [])), c.get("emit", "cue") == "cue",
                      frozenset(fold(w) for w in c.get("not_heads", []))) for c in docs["cues.yml"]["cues"]],
        media_heads=frozenset(fold(w) for w in src["media_heads"]["words"]),
        document_heads=frozenset(fold(w) for w in src["document_heads"]["words"]),
        anonymous_heads=frozenset(fold(w) for w in src["anonymous_heads"]["words"]),
        vague_heads=frozenset(fold(w) for w in src["vague_heads"]["words"]),
        vague_determiners=frozenset(fold(w) for w in src["vague_determiners"]["words"]),
        people_heads=frozenset(fold(w) for w in src["people_heads"]["words"]),
        source_ids={k: src[k]["id"] for k in src},
        media=media,
        media_context=frozenset(k for k, v in outlets.items() if v[2]),
        source_words={k: frozenset(fold(w) for w in src[k]["words"]) for k in src},
        media_pattern=re.compile(r"(?:l'|le |la |les )?(?P<name>" + _trie_pattern(_trie(list(media))) + ")"),
        media_search=_media_search(list(media)),
        media_contracted={re.sub(r"^(?:le|les) ", "", k): v[0] for k, v in media.items() if re.match(r"(le|les) ", k)},
        media_channel={"id": src["media_channel"]["id"],
                       "words": frozenset(fold(w) for w in src["media_channel"]["words"])},
        conditional=dict(hedges["conditional"]),
        possibility=dict(hedges.get("possibility") or {}),
        modal_lemmas=modal_lemmas,
        modal_words=modal_words,
        modal_phrases=phrase_pattern(modal_phrases or ["\0"]),
        pseudo_hedges=phrase_pattern(hedges["pseudo"]["phrases"]),
        quotes={**docs["quotes.yml"]["quotes"],
                "title_words": frozenset(fold(w) for w in docs["quotes.yml"]["quotes"].get("title_words", []))},
        skip_lines=[(i, p) for i, p, _ in _lines(docs["boilerplate.yml"]["skip"])],
        metadata_lines=_lines(docs["boilerplate.yml"]["metadata"]),
        tail_markers=[(i, p) for i, p, _ in _lines(docs["boilerplate.yml"].get("tail_markers"))],
        transparency=dict(docs["profile.yml"]["transparency"]),
        examples=_examples(docs),
    )
