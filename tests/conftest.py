"""Fixtures for the Label Studio tests: a real server on 127.0.0.1 and small hand-marked articles.

The database is migrated once (about 35 s) into a template kept in .venv-ls beside the server it
belongs to; each test module then runs its own server on a fresh copy of it (about 8 s to start).
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from annotator.labelstudio.client import Connection, connect
from annotator.labelstudio.server import (
    LABEL_STUDIO_VERSION,
    Account,
    free_port,
    init_database,
    start_server,
    stop_server,
    wait_until_up,
)
from annotator.labelstudio.tasks import build_task
from annotator.profile import sentence_index
from annotator.spans import Span

ROOT = Path(__file__).resolve().parents[1]
LS_BIN = ROOT / ".venv-ls" / "bin" / "label-studio"
TEMPLATE = ROOT / ".venv-ls" / f"annotator-test-db-{LABEL_STUDIO_VERSION}"
VERSION = "rules-test-v1"

# `[text|LABEL]` marks a span; `[text|LABEL>cue]` also links it to the CUE span whose text is `cue`.
MARK = re.compile(r"\[([^\[\]|]+)\|([A-Z_]+)(?:>([^\]]+))?\]")
SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s|$)|$)", re.S)

ARTICLES = {
    # CRLF line endings, a quote across a line break, an emoji, a curly apostrophe.
    "t1_crlf": "[Selon|CUE] le [ministère|SOURCE_NAMED>Selon] 🚆, la réforme [serait adoptée|HEDGE_CONDITIONAL] "
               "en juin.\r\n[Le porte-parole|SOURCE_ANONYMOUS>a déclaré] [a déclaré|CUE] : « Nous\r\nattendons "
               "le vote ». [Plusieurs analystes|SOURCE_VAGUE] [pourraient|HEDGE_MODAL] s’y opposer.\r\n",
    # Accents and elisions.
    "t2_accents": "[D’après|CUE] [l’AFP|SOURCE_MEDIA>D’après], le maire de Bréval-sur-Loire [aurait "
                  "démissionné|HEDGE_CONDITIONAL] mardi. Il [a démenti|CUE] jeudi.\n",
    # A flag (two code points) and another emoji before the spans.
    "t3_emoji": "🇫🇷 [Le gouvernement|SOURCE_NAMED>a confirmé] [a confirmé|CUE] la hausse 💶 des tarifs, "
                "[selon|CUE] [un communiqué|SOURCE_DOCUMENT>selon] publié lundi.\n",
}


@dataclass(frozen=True)
class Article:
    doc_id: str
    text: str
    spans: list[Span]
    sentences: list[tuple[int, int]]

    def task(self, version: str = VERSION, spans: list[Span] | None = None) -> dict:
        """The task `annotate` would write for this article."""
        meta = {"title": f"Titre {self.doc_id}", "author": "Rédaction", "date": "3 mars 2025", "outlet": "Test",
                "n_words": len(self.text.split()), "sentences": [list(s) for s in self.sentences]}
        return build_task(self.doc_id, self.text, self.spans if spans is None else spans, version, meta)

    def span(self, surface: str, label: str, rule: str = "manual", cue: Span | None = None) -> Span:
        """A span on the first occurrence of `surface`, with its sentence filled in."""
        start = self.text.index(surface)
        return make_span(self.doc_id, self.text, self.sentences, start, start + len(surface), label, rule, cue)


def make_span(doc_id: str, text: str, sentences: list[tuple[int, int]], start: int, end: int, label: str,
              rule: str, cue: Span | None = None) -> Span:
    sent = sentence_index(start, sentences)
    sentence = text[slice(*sentences[sent])] if sent >= 0 else ""
    return Span(doc_id, start, end, label, text[start:end], rule, sent, sentence,
                cue.start if cue else -1, cue.end if cue else -1)


def parse_marked(doc_id: str, marked: str) -> Article:
    """The text without its marks, and the marked spans (rule `test.<label>`)."""
    parts, found, pos, length = [], [], 0, 0
    for m in MARK.finditer(marked):
        parts.append(marked[pos:m.start()])
        length += m.start() - pos
        found.append((length, length + len(m[1]), m[2], m[3]))
        parts.append(m[1])
        length += len(m[1])
        pos = m.end()
    text = "".join(parts) + marked[pos:]
    sentences = [(m.start(), m.end()) for m in SENTENCE.finditer(text)]
    cues = {text[a:b]: (a, b) for a, b, label, _ in found if label == "CUE"}
    spans = []
    for start, end, label, cue in found:
        link = Span(doc_id, *cues[cue], "CUE", cue, "") if cue else None
        spans.append(make_span(doc_id, text, sentences, start, end, label, f"test.{label.lower()}", link))
    return Article(doc_id, text, spans, sentences)


@pytest.fixture
def articles() -> list[Article]:
    return [parse_marked(doc_id, marked) for doc_id, marked in ARTICLES.items()]


def write_tasks(directory: Path, tasks: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "tasks.json").write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return directory


@pytest.fixture(autouse=True)
def no_user_studio(tmp_path, monkeypatch):
    """Never read the user's own studio or server settings."""
    monkeypatch.setenv("ANNOTATOR_STUDIO_DIR", str(tmp_path / "studio"))
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)


@dataclass(frozen=True)
class LiveServer:
    url: str
    account: Account
    data_dir: Path

    def connect(self, key: str | None = None) -> Connection:
        return connect(self.url, key or self.account.token)


@pytest.fixture(scope="session")
def ls_template() -> tuple[Path, Account]:
    """A migrated database with an admin, made once and kept for later runs."""
    if not LS_BIN.exists():
        pytest.fail(f"{LS_BIN} is missing: run scripts/install_label_studio.sh", pytrace=False)
    account_file = TEMPLATE / "account.json"
    if not account_file.exists():
        work = Path(tempfile.mkdtemp(dir=TEMPLATE.parent, prefix=".template-"))
        account = Account.new("admin@annotator.test")
        init_database(work, account, LS_BIN)
        (work / "account.json").write_text(json.dumps(asdict(account)), encoding="utf-8")
        try:
            work.rename(TEMPLATE)
        except OSError:  # another session built it first
            shutil.rmtree(work)
    return TEMPLATE, Account(**json.loads(account_file.read_text(encoding="utf-8")))


def run_server(template: tuple[Path, Account], data_dir: Path, ml_backend: bool = False):
    """Start a server on a fresh copy of the template (`ml_backend`: allowed to call one on 127.0.0.1);
    yields it and stops it."""
    source, account = template
    shutil.copytree(source, data_dir)
    port = free_port()
    proc = start_server(data_dir, port, account, LS_BIN, ml_backend)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc, data_dir)
        yield LiveServer(f"http://127.0.0.1:{port}", account, data_dir)
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def ls_server(ls_template, tmp_path_factory):
    """One real Label Studio per test module, on its own copy of the migrated database."""
    yield from run_server(ls_template, tmp_path_factory.mktemp("ls-data") / "data")


@pytest.fixture
def project_title(request) -> str:
    """A title of the test's own (tests of a module share a server, never a project); 50 characters at most."""
    name = request.node.name.removeprefix("test_")
    return f"{name[:36]} · {zlib.crc32(name.encode()):08x}"
