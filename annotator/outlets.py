"""The outlet registry: rules/outlets.yml (generated from public lists by scripts/build_outlets.py)
merged with the hand-kept rules/media.yml. Finds an outlet by the text of a SOURCE_MEDIA span or by
a web address, and gives an article its outlet columns.

A rating is its source's published judgement ("Décodex 2017"), never the tool's verdict.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .rules import Rules, fold
from .spans import Span
from .yamlfile import load_yaml

OUTLET_COLUMNS = ["outlet_domain", "outlet_rating", "outlet_rating_source", "outlet_kind",
                  "n_media_sources_rated_low", "rated_media_cited"]
LOW_RATINGS = (1, 2, 3)
# the Décodex scale (médialab's crawl), in the words shown to analysts
RATING_WORDS = {1: "parodique", 2: "très peu fiable", 3: "peu fiable", 4: "plutôt fiable"}
# what may precede an outlet's name in a span: an article or a contracted one ("au Monde", "du Figaro")
LEADING = re.compile(r"^(?:à |de )?(?:l'|le |la |les |au |aux |du |des )")
ARTICLES = ("", "le ", "la ", "les ", "l'")
# host prefixes of an edition of the same site: "www.", mobile ("m.", "mobile."), AMP, French edition
HOST_PREFIXES = re.compile(r"^(?:www\d?|m|mobile|amp|fr)\.")


@dataclass(frozen=True)
class Outlet:
    """One registry entry. `rating` is 1–4 on the Décodex scale, None when unrated."""

    id: str
    name: str
    kind: str
    country: str = ""
    domains: tuple[str, ...] = ()
    rating: int | None = None
    rating_source: str = ""  # e.g. "Décodex 2017"


def slug(name: str) -> str:
    """The id of an outlet: its canonical name without accents, lower case, words joined by '-'."""
    plain = "".join(c for c in unicodedata.normalize("NFD", fold(name)) if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9+]+", "-", plain).strip("-")


def domain_of(url: str) -> str:
    """The host of a web address, lower case, without scheme, port, path or "www." ("" when none)."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower()).split("/")[0].split("?")[0].split("#")[0]
    host = host.rsplit("@", 1)[-1].split(":")[0].strip(".")
    host = re.sub(r"^www\d?\.", "", host)
    return host if "." in host and " " not in host else ""


class Registry:
    """Outlets by id, by folded name or alias, and by web domain."""

    def __init__(self, outlets: list[Outlet], names: dict[str, str]):
        self.outlets = {o.id: o for o in outlets}
        self.by_name = names
        self.by_domain = {d: o.id for o in outlets for d in o.domains}

    def by_text(self, text: str) -> Outlet | None:
        """The outlet a span's text names: the whole text ("l'AFP", "au Monde", "du Figaro") or, else,
        the first name in it (the longest at that word) written with its capital ("l'agence
        britannique Reuters")."""
        written = unicodedata.normalize("NFC", " ".join(text.split()))
        words = fold(written)
        found = self._name(LEADING.sub("", words))
        if found:
            return found
        ends = sorted((m.end() for m in re.finditer(r"\w(?!\w)", words)), reverse=True)
        for start in (m.start() for m in re.finditer(r"(?<![\w'])\w", words)):
            for end in (e for e in ends if e > start):
                outlet = self._name(words[start:end])
                if outlet and (written[start:start + 1].isupper() or not outlet.name[:1].isupper()):
                    return outlet
        return None

    def named(self, name: str) -> Outlet | None:
        """The outlet a byline or Source line names: the whole name, or its part before a comma, a
        dash or a parenthesis ("L'Aisne Nouvelle, édition de Laon"); never a name inside it
        ("Santé Magazine Ouest" is not Santé Magazine)."""
        key = " ".join(fold(name).split())
        before_edition = re.split(r"\s*(?:,|\(| - | – )", key)[0]
        return self._name(LEADING.sub("", key)) or self._name(LEADING.sub("", before_edition))

    def _name(self, key: str) -> Outlet | None:
        for article in ARTICLES:
            if article + key in self.by_name:
                return self.outlets[self.by_name[article + key]]
        return None

    def by_url(self, url: str) -> Outlet | None:
        """The outlet of a web address: its host, then without edition prefixes ("m.", "fr."), then
        its parent domains."""
        host = domain_of(url)
        candidates = [host]
        while HOST_PREFIXES.match(candidates[-1]):
            candidates.append(HOST_PREFIXES.sub("", candidates[-1]))
        labels = candidates[-1].split(".")
        candidates += [".".join(labels[i:]) for i in range(1, len(labels) - 1)]
        return next((self.outlets[self.by_domain[c]] for c in candidates if c in self.by_domain), None)


def compact(name: str) -> str:
    """A name written together, without its web suffix: "Jeuneafrique.com", "Jeune Afrique" -> jeuneafrique."""
    return slug(re.sub(r"\.(?:com|fr|net|org|info|co\.uk)$", "", fold(name))).replace("-", "")


@lru_cache(maxsize=4)
def load_registry(directory: Path) -> Registry:
    """The registry of a rules folder. Hand-kept entries (media.yml) take in the generated entries
    (outlets.yml) that share a name with them, even written together ("DailyMail", "Konbini.com"):
    their domains and rating, the other names as aliases."""
    entries: dict[str, dict] = {}
    names: dict[str, str] = {}
    hand: dict[str, str] = {}
    for file in ("media.yml", "outlets.yml"):
        for item in load_yaml(directory / file).get("outlets") or []:
            folded = [fold(n) for n in [item["name"], *item.get("aliases", [])]]
            known = next((names[n] for n in folded if n in names), None) or next(
                (hand[compact(n)] for n in folded if file == "outlets.yml" and compact(n) in hand), None)
            entry = entries.setdefault(known or slug(item["name"]), {"name": str(item["name"]),
                                                                       "kind": str(item["kind"]), "domains": []})
            entry.setdefault("country", item.get("country", ""))
            entry["domains"] += [d for d in item.get("domains", []) if d not in entry["domains"]]
            if "rating" in item and "rating" not in entry:
                entry["rating"] = item["rating"]
            for n in folded:
                names.setdefault(n, known or slug(item["name"]))
                if file == "media.yml":
                    hand.setdefault(compact(n), known or slug(item["name"]))
    outlets = [Outlet(key, e["name"], e["kind"], e["country"] or "",
                      tuple(sorted(e["domains"], key=lambda d: (d.count("."), len(d), d))),
                      int(e["rating"]["value"]) if "rating" in e else None,
                      f"{e['rating']['source']} {e['rating']['year']}" if "rating" in e else "")
               for key, e in entries.items()]
    return Registry(outlets, names)


def registry_of(rules: Rules) -> Registry:
    return load_registry(Path(rules.directory).resolve())


def with_media_ids(spans: list[Span], registry: Registry) -> list[Span]:
    """The spans, each SOURCE_MEDIA one naming its registry entry in `media_id` ("" when unknown)."""
    return [replace(s, media_id=_id(registry.by_text(s.text))) if s.label == "SOURCE_MEDIA" and not s.media_id
            else s for s in spans]


def outlet_columns(spans: list[Span], outlet_name: str, url: str, registry: Registry) -> dict:
    """The outlet columns of a profile: the article's own outlet (from its web address, else from the
    outlet its byline or Source line names) and how many of the media it cites are rated 1–3."""
    own = registry.by_url(url) if url else None
    if own is None and outlet_name:
        own = registry.named(outlet_name)
    cited = [registry.outlets.get(s.media_id) or registry.by_text(s.text) for s in spans if s.label == "SOURCE_MEDIA"]
    rated = {o.id: o for o in cited if o and o.rating}
    return {"outlet_domain": domain_of(url) if url else (own.domains[0] if own and own.domains else ""),
            "outlet_rating": str(own.rating) if own and own.rating else "",
            "outlet_rating_source": own.rating_source if own else "",
            "outlet_kind": own.kind if own else "",
            "n_media_sources_rated_low": sum(1 for o in cited if o and o.rating in LOW_RATINGS),
            "rated_media_cited": "; ".join(f"{o.name} : {rating_text(o)}" for o in rated.values()),
            "outlet_name": own.name if own else ""}


def rating_text(outlet: Outlet) -> str:
    """A rating as its source published it: "3 – peu fiable (Décodex 2017)"."""
    return f"{outlet.rating} – {RATING_WORDS[outlet.rating]} ({outlet.rating_source})" if outlet.rating else ""


def _id(outlet: Outlet | None) -> str:
    return outlet.id if outlet else ""
