"""The analyst's screen in a real browser: Debian's Chromium, driven by Playwright, logs in to a real
Label Studio, opens the triage queue (riskiest article first), shows the rules' predictions on a pushed
article, refuses a submission without the overall judgement, takes a correction made with the mouse
and the keyboard (a boundary fix in 4 gestures, no relation drawn), and `annotator pull` brings back
exactly that correction.

Screenshots of the queue, the labeling screen before and after the correction go to test-artifacts/.
"""
from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect, sync_playwright

from annotator.cli import main
from annotator.labelstudio.client import find_project, list_tasks
from annotator.guide import KEYBOARD
from annotator.labelstudio.config import DEFINITIONS, hotkeys
from annotator.labelstudio.queue import QUEUE_TITLE
from annotator.spans import Span

from .conftest import ROOT, Article, LiveServer, parse_marked, write_tasks

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing that would reach beyond 127.0.0.1.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 30_000
MIN_PANEL_WIDTH = 800

# One paragraph per line, so that no region wraps (Label Studio draws a wrapped region's relation
# arrows from the middle of its whole box). The rules cut "la préfecture" short and got two spans wrong:
# a witness is an anonymous source, not a vague one, and a pronoun is never a source. They missed the radio.
MARKED = (
    "[Selon|CUE] la [préfecture|SOURCE_NAMED>Selon], le pont de Varades [serait fermé|HEDGE_CONDITIONAL] "
    "jusqu’à lundi.\n"
    "[Un témoin|SOURCE_VAGUE>a raconté] [a raconté|CUE] à Radio Estuaire : « [L’eau montait très "
    "vite|QUOTE>a raconté] ».\n"
    "[Il|SOURCE_ANONYMOUS>a ajouté] [a ajouté|CUE] que les travaux [pourraient|HEDGE_MODAL] durer tout l’été.\n"
)
RELABELLED = ("Un témoin", "SOURCE_VAGUE", "SOURCE_ANONYMOUS")
DELETED = ("Il", "SOURCE_ANONYMOUS")
ADDED = ("Radio Estuaire", "SOURCE_MEDIA")
RECUT = ("préfecture", "la préfecture", "SOURCE_NAMED")  # the rules' span, the analyst's
MAX_EDGE_GESTURES = 4
# Two more articles for the queue: the lower the transparency score, the higher in the queue.
QUEUE = (("b0_sans_risque", "[Selon|CUE] [le maire|SOURCE_NAMED>Selon], la route est rouverte.\n", 91.0),
         ("b2_rumeur", "[Des rumeurs|SOURCE_VAGUE] [évoquent|CUE] une démission qui [serait|HEDGE_CONDITIONAL] "
                       "imminente.\n", 22.5))
ARTICLE_SCORE = 48.0
JUDGEMENT = "mitigé"
COMMENT = "Le témoin reste anonyme, la radio est une source de fait."  # letters that are hotkeys elsewhere

# The on-screen box of the first occurrence of `words` in the element `root`.
TEXT_BOX = """([root, words]) => {
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    const box = range.getBoundingClientRect();
    return {x: box.x, y: box.y, width: box.width, height: box.height};
  }
  return null;
}"""


@pytest.fixture
def chromium(tmp_path) -> Iterator[BrowserContext]:
    """Debian's Chromium with a fresh profile (Playwright's own browsers are never downloaded)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh --tests (it installs Debian's chromium)",
                    pytrace=False)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "chromium-profile", executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1400, "height": 1050})
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def log_in(page: Page, server: LiveServer) -> None:
    """Log in through Label Studio's own login form."""
    page.goto(f"{server.url}/user/login/")
    page.fill("#email", server.account.email)
    page.fill("#password", server.account.password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/(projects/?)?$"))


def region(page: Page, text: str) -> Locator:
    """The highlighted region whose text is exactly `text`."""
    return page.locator(".htx-highlight", has_text=re.compile(rf"^{re.escape(text)}$"))


def shows_label(page: Page, text: str, label: str) -> None:
    """Wait until the region `text` is on screen with `label` written beside it ("4:SOURCE_VAGUE")."""
    expect(region(page, text)).to_have_attribute("data-label", re.compile(rf"^\d+:{label}$"))


def shows_relations(page: Page, article: Article) -> None:
    """The Relations panel lists the rules' links, one per span hung on a cue, then goes back to Regions."""
    page.locator(".lsf-panel-tabs__tab", has_text="Relations").first.click()
    linked = [s.label for s in article.spans if s.cue_start >= 0]
    expect(page.locator(".lsf-relations__item")).to_have_text([re.compile(rf"{label}.*CUE|CUE.*{label}")
                                                               for label in linked])
    page.locator(".lsf-panel-tabs__tab", has_text="Regions").first.click()
    expect(page.locator(".lsf-relations__item")).to_have_count(0)


def drag_over(page: Page, words: str) -> None:
    """Select `words` of the article with the mouse, from inside the first word to inside the last."""
    box = page.evaluate(TEXT_BOX, [".lsf-richtext__container", words])
    assert box, f"{words!r} is not in the article on screen"
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 2, y, steps=10)
    page.mouse.up()


def check_instructions(page: Page) -> None:
    """The French instructions panel, wide enough to read, lists every label's definition and the keyboard sheet."""
    page.get_by_role("button", name="Instructions").first.click()
    for definition, examples in DEFINITIONS.values():
        expect(page.get_by_role("cell", name=definition, exact=True)).to_be_visible()
        expect(page.get_by_role("cell", name=examples, exact=True)).to_be_visible()
    for key, _ in KEYBOARD:
        expect(page.get_by_role("cell", name=key, exact=True).last).to_be_attached()
    box = page.get_by_role("cell", name=DEFINITIONS["CUE"][0]).locator("xpath=ancestor::table").bounding_box()
    assert box and box["width"] >= MIN_PANEL_WIDTH, box  # wide enough to read the definitions
    page.screenshot(path=ARTIFACTS / "instructions.png")
    page.keyboard.press("Escape")
    expect(page.get_by_role("cell", name=DEFINITIONS["CUE"][0])).to_be_hidden()


def correct(page: Page) -> None:
    """The analyst's correction: relabel by clicking, delete with Backspace, add with the label's hotkey
    and a mouse drag, re-cut a span in 4 gestures without drawing its relation."""
    text, _, new_label = RELABELLED
    region(page, text).click()
    page.locator(".lsf-label", has_text=re.compile(rf"^{new_label}\d*$")).click()
    shows_label(page, text, new_label)
    page.keyboard.press("Escape")

    region(page, DELETED[0]).click()
    page.keyboard.press("Backspace")
    expect(region(page, DELETED[0])).to_have_count(0)

    text, label = ADDED
    page.keyboard.press(hotkeys()[label])
    drag_over(page, text)
    shows_label(page, text, label)
    page.keyboard.press("Escape")
    recut(page)


def recut(page: Page) -> None:
    """A boundary fix as the instructions teach it: click the span, Backspace, the label's key, drag
    over the right words. Each gesture is counted."""
    old, new, label = RECUT
    gestures = [lambda: region(page, old).click(), lambda: page.keyboard.press("Backspace"),
                lambda: page.keyboard.press(hotkeys()[label]), lambda: drag_from_to(page, new.split()[0], old)]
    for gesture in gestures:
        gesture()
    assert len(gestures) <= MAX_EDGE_GESTURES
    shows_label(page, new, label)
    page.keyboard.press("Escape")


def judge(page: Page) -> None:
    """Submitting without the overall judgement is refused with the config's message; then judge and comment."""
    page.get_by_test_id("bottombar-submit-button").click()
    expect(page.get_by_text(re.compile("Donnez un jugement global"))).to_be_visible()
    page.screenshot(path=ARTIFACTS / "judgement_required.png")
    page.get_by_role("button", name="OK").click()
    page.get_by_role("radio", name=JUDGEMENT).check()
    comment = page.get_by_placeholder("Commentaire (facultatif)")
    comment.press_sequentially(COMMENT)
    comment.press("Shift+Enter")
    expect(page.get_by_text(COMMENT)).to_be_visible()
    expect(page.get_by_role("radio", name=JUDGEMENT)).to_be_checked()


def drag_from_to(page: Page, first: str, last: str) -> None:
    """Select with the mouse the words from `first` to `last`, dragging back from inside the last word
    to inside the first (where a deleted region was, a forward drag is not taken as a selection)."""
    start = page.evaluate(TEXT_BOX, [".lsf-richtext__container", first])
    end = page.evaluate(TEXT_BOX, [".lsf-richtext__container", last])
    assert start and end, f"{first!r} or {last!r} is not in the article on screen"
    page.mouse.move(end["x"] + end["width"] - 2, end["y"] + end["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 2, start["y"] + start["height"] / 2, steps=10)
    page.mouse.up()


def check_queue(page: Page, server: LiveServer, project_id: int, doc_ids: list[str]) -> None:
    """The project opens on the triage tab: the riskiest article (lowest transparency) first."""
    page.goto(f"{server.url}/projects/{project_id}/data")
    expect(page.get_by_text(QUEUE_TITLE).first).to_be_visible()
    rows = page.locator(".lsf-table__row-wrapper")
    expect(rows).to_have_count(len(doc_ids))
    for i, doc_id in enumerate(doc_ids):
        expect(rows.nth(i)).to_contain_text(doc_id)
    page.screenshot(path=ARTIFACTS / "queue.png")


def submit(page: Page) -> None:
    """Click Submit and wait until the server has stored the annotation."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/annotations" in r.url) as answer:
        page.get_by_test_id("bottombar-submit-button").click()
    assert answer.value.status == 201, answer.value.text()
    expect(page.get_by_role("status")).to_contain_text("Annotation saved successfully")


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_an_analyst_corrects_the_predictions_in_the_browser_and_pull_gets_exactly_that(
        ls_server, chromium, project_title, tmp_path):
    article = parse_marked("b1_pont_varades", MARKED)
    server = ["--url", ls_server.url, "--api-key", ls_server.account.token]
    others = [(parse_marked(doc_id, marked), score) for doc_id, marked, score in QUEUE]
    tasks = [with_score(a.task(), score) for a, score in [(article, ARTICLE_SCORE), *others]]
    out = write_tasks(tmp_path / "out", tasks)
    assert main(["push", str(out), "--project", project_title, *server]) == 0
    conn = ls_server.connect()
    project = find_project(conn, project_title)
    task = next(t for t in list_tasks(conn, project.id) if t["data"]["doc_id"] == article.doc_id)
    ARTIFACTS.mkdir(exist_ok=True)

    page = chromium.new_page()
    log_in(page, ls_server)
    check_queue(page, ls_server, project.id, ["b2_rumeur", article.doc_id, "b0_sans_risque"])
    page.goto(f"{ls_server.url}/projects/{project.id}/data?task={task['id']}")
    for span in article.spans:
        shows_label(page, span.text, span.label)
    expect(page.locator(".htx-highlight[data-label]")).to_have_count(len(article.spans))
    page.screenshot(path=ARTIFACTS / "labeling.png")
    shows_relations(page, article)
    check_instructions(page)
    correct(page)
    judge(page)
    submit(page)
    page.screenshot(path=ARTIFACTS / "task_after.png")

    assert main(["pull", "--project", project_title, "--out", str(out), *server]) == 0
    changes = read_csv(out / "changes.csv")
    assert Counter(c["change"] for c in changes) == {
        "kept": len(article.spans) - 3, "relabelled": 1, "deleted": 1, "added": 1, "boundary_changed": 1}
    text, old_label, new_label = RELABELLED
    selon = article.span("Selon", "CUE")
    added = article.span(*ADDED, cue=article.span("a raconté", "CUE"))  # no relation drawn: pull links it
    old, new, label = RECUT
    recut = article.span(new, label, cue=selon)
    assert {(c["change"], c["predicted_label"], c["predicted_text"], c["label"], c["text"], c["start"])
            for c in changes if c["change"] != "kept"} == {
        ("relabelled", old_label, text, new_label, text, str(article.text.index(text))),
        ("deleted", DELETED[1], DELETED[0], "", "", ""),
        ("added", "", "", added.label, added.text, str(added.start)),
        ("boundary_changed", label, old, label, new, str(recut.start))}
    human = [replace(s, label=new_label) if s.text == text else s for s in article.spans
             if s.text not in (DELETED[0], old)]
    rule = next(s.rule for s in article.spans if s.text == old)
    corrected = [Span.from_row(r) for r in read_csv(out / "markers_corrected.csv")]
    assert sorted(corrected, key=_key) == sorted([*human, added, replace(recut, rule=rule)], key=_key)
    [annotation] = read_csv(out / "annotations.csv")
    assert (annotation["judgement"], annotation["comment"], annotation["annotator"]) == (
        JUDGEMENT, COMMENT, ls_server.account.email)
    assert annotation["changed"] == "True" and float(annotation["lead_time"]) > 0


def with_score(task: dict, score: float) -> dict:
    """The task with the article's transparency score, as `annotate` writes it."""
    task["data"]["transparency_score"] = score
    task["predictions"][0]["score"] = round(score / 100, 3)
    return task


def _key(s: Span) -> tuple[int, int, str]:
    return s.start, s.end, s.label


REPORT_DATA = ROOT / "tests" / "data" / "report"
# Each report's title and the heading its first screen must show (the answer, not the details).
# a12 was submitted untouched in 5 s: a rubber stamp, left out of precision and recall.
STAMPED = ("doc_id,annotation_id,chosen,judgement,comment,lead_time,changed\n"
           "a05_sommet_budget_ue,1,True,mitigé,données insuffisantes <b>,95.0,True\n"
           "a12_incendie_etoile,2,True,solide,,5.0,False\n")
REPORTS = {"sourcing_report": ("Rapport de sourcing", "À surveiller"),
           "rule_quality": ("Qualité des règles", "Précision, rappel et F1 par étiquette")}


def test_both_reports_open_on_their_answer_at_1400_px(chromium, tmp_path):
    """The first screen of each report, 1400 px wide: a real page title, the answer in view, no `NaN`,
    nothing wider than the window."""
    out, corrections = tmp_path / "report", tmp_path / "corrections"
    shutil.copytree(REPORT_DATA / "corrections", corrections)
    (corrections / "annotations.csv").write_text(STAMPED, encoding="utf-8")
    assert main(["report", "--from", str(REPORT_DATA / "annotate"), "--corrections", str(corrections),
                 "--out", str(out)]) == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page = chromium.new_page()
    for name, (title, first) in REPORTS.items():
        page.goto((out / f"{name}.html").as_uri())
        expect(page).to_have_title(title)
        expect(page.get_by_role("heading", name=first)).to_be_in_viewport()
        assert "NaN" not in page.inner_text("body")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        page.screenshot(path=ARTIFACTS / f"{name}.png")
    expect(page.get_by_text("1 annotation(s) écartée(s)")).to_be_visible()  # the rubber stamp, counted out
    page.goto((out / "sourcing_report.html").as_uri())
    expect(page.get_by_role("cell", name="données insuffisantes <b>")).to_be_visible()  # a comment, as text
