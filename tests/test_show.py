"""`annotator show` writes one article as an HTML page that headless Chromium (Debian's) opens: the
spans are drawn with their labels, the rule id is the label's hover title, and markup in the
article text stays text. A screenshot goes to test-artifacts/show.png."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from annotator.cli import main

from .test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

ARTICLE = ("Selon l'AFP, le maire <script>window.pwned = 1</script> aurait démissionné mardi.\n\n"
           "« Nous partons <img src=x onerror=\"window.pwned = 2\"> demain », a déclaré le préfet.\n")


def test_show_writes_a_page_chromium_draws_with_rule_ids_and_no_injected_markup(tmp_path: Path):
    article = tmp_path / "maire.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    page_file = tmp_path / "maire.html"
    assert main(["show", str(article), "--html", str(page_file)]) == 0
    html = page_file.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            assert page.evaluate("window.pwned") is None
            body = page.inner_text("body")
            assert "maire.txt" not in body and "maire" in page.title()
            assert "script" in body and "onerror" in body  # shown as text
            selon = page.locator('span[title="cue.selon"]')
            assert selon.count() == 1 and selon.inner_text().strip() == "CUE"
            assert page.locator('span[title="source.media_head"]').inner_text().strip() == "SOURCE_MEDIA"
            assert page.locator('span[title="hedge.conditional"]').count() == 1
            assert page.locator('span[title="quote.marks"]').count() == 1
            selon.hover()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "show.png"), full_page=True)
        finally:
            browser.close()
