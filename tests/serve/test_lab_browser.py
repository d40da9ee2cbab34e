"""The web lab in a real browser: Debian's Chromium driven by Playwright.

Against the tiny server: a chat message streams its reply (the reply element changes
many times before it is done), the temperature set on the page is the one the request
carries, the conversation is kept, Stop ends the request on the server, the playground shows each token with its
alternatives, every tab opens without a console error, and an API error is shown in
words. Screenshots of the chat and the playground are stored in ``tmp_path``
(``scripts/lab_screenshots.py`` makes the README's, with SmolLM2).

Playwright never downloads a browser here: it drives /usr/bin/chromium, and the tests
skip when that is missing (CI installs it, see ``.ci/run``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nlpjourney.serve.app import ServerSettings
from tests.serve.conftest import Running, serve_tiny

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PROGRESS = {"workspace": "/tmp/journey-work", "done": 1, "total": 2, "areas": [
    {"id": "6", "title": "Inference, deployment, production", "topics": [
        {"id": "6.2", "title": "Serving", "done": True, "attempts": 1, "passed": 5, "total": 5},
        {"id": "6.3", "title": "The web lab", "done": False, "attempts": 0, "passed": None,
         "total": None}]}]}  # fmt: skip

# Counts the changes to the reply while it streams: more than one means streamed tokens.
WATCH_REPLY = """() => {
  window.replyUpdates = 0;
  new MutationObserver((changes) => {
    for (const c of changes) {
      const target = c.target.nodeType === 1 ? c.target : c.target.parentElement;
      if (target && target.closest('.message.assistant.streaming')) window.replyUpdates++;
    }
  }).observe(document.getElementById('conversation'),
             {subtree: true, childList: true, characterData: true});
}"""


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, with nothing reaching out to the network."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium: `apt-get install chromium` runs these")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev package")
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab_server(smollm2_tokenizer) -> Iterator[Running]:
    running = serve_tiny(smollm2_tokenizer, ServerSettings(progress=lambda: PROGRESS),
                         max_batch=4, context=256)  # fmt: skip
    yield running
    running.stop()


class Page:
    """A page of the lab, with its console errors and the chat requests it sent."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 820})
        self.errors: list[str] = []
        self.chat_requests: list[dict[str, Any]] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._seen)
        self.page.goto(url)
        self.page.wait_for_function("document.getElementById('model-id').textContent !== '…'")

    def _seen(self, request: Any) -> None:
        if request.url.endswith("/v1/chat/completions") and request.method == "POST":
            self.chat_requests.append(request.post_data_json)

    def send(self, text: str) -> str:
        """Send a chat message; the reply's text once it is complete."""
        self.page.fill("#chat-input", text)
        self.page.press("#chat-input", "Enter")
        self.page.wait_for_selector(".message.assistant", state="attached")
        self.page.wait_for_function("!document.querySelector('.message.streaming')")
        return self.page.locator(".message.assistant .text").last.inner_text()


def test_lab_browser_chat_streams_and_sends_the_temperature(
    browser: Any, lab_server: Running, tmp_path: Path
) -> None:
    lab = Page(browser, lab_server.url)
    page = lab.page
    assert page.inner_text("#model-id") == "tiny-llama"
    page.fill("#chat-temperature", "1.3")
    page.fill("#chat-max-tokens", "40")
    page.fill("#chat-seed", "7")
    page.evaluate(WATCH_REPLY)
    first = lab.send("Hello there")
    assert first and page.evaluate("window.replyUpdates") > 1  # streamed, not all at once
    sent = lab.chat_requests[-1]
    assert sent["stream"] is True and sent["temperature"] == 1.3
    assert sent["max_tokens"] == 40 and sent["seed"] == 7 and sent["model"] == "tiny-llama"
    assert sent["messages"][0]["role"] == "system"
    page.fill("#chat-temperature", "0")
    lab.send("And again")
    sent = lab.chat_requests[-1]
    assert sent["temperature"] == 0
    roles = [m["role"] for m in sent["messages"]]
    assert roles == ["system", "user", "assistant", "user"]  # the conversation is kept
    assert sent["messages"][2]["content"] == first
    assert page.locator(".message").count() == 4
    page.screenshot(path=str(tmp_path / "lab-chat.png"))
    assert (tmp_path / "lab-chat.png").stat().st_size > 1000
    assert not lab.errors
    page.close()


def test_lab_browser_playground_shows_probabilities(
    browser: Any, lab_server: Running, tmp_path: Path
) -> None:
    lab = Page(browser, lab_server.url)
    page = lab.page
    page.click("#tab-playground")
    for mode, max_tokens in (("completion", "12"), ("chat", "15")):
        page.check(f'input[name="play-mode"][value="{mode}"]')
        page.fill("#play-max-tokens", max_tokens)
        page.click("#play-run")
        page.wait_for_function("document.querySelectorAll('#play-output .tok').length > 0 && "
                               "!document.getElementById('play-run').disabled")  # fmt: skip
        tokens = page.locator("#play-output .tok")
        assert 0 < tokens.count() <= int(max_tokens)
        tokens.first.focus()
        detail = page.inner_text("#play-detail")
        assert "Chosen" in detail and "%" in detail
        assert page.locator("#play-detail tbody tr").count() == 5  # the top 5 alternatives
        assert "%" in tokens.first.get_attribute("aria-label")
    assert lab.chat_requests[-1]["logprobs"] is True and lab.chat_requests[-1]["top_logprobs"] == 5
    page.screenshot(path=str(tmp_path / "lab-playground.png"))
    assert (tmp_path / "lab-playground.png").stat().st_size > 1000
    assert not lab.errors
    page.close()


def test_lab_browser_every_tab_opens_cleanly(browser: Any, lab_server: Running) -> None:
    lab = Page(browser, lab_server.url)
    page = lab.page
    page.focus("#tab-chat")
    page.keyboard.press("ArrowRight")  # the tabs follow the arrow keys
    assert page.get_attribute("#tab-playground", "aria-selected") == "true"
    assert page.is_visible("#panel-playground") and not page.is_visible("#panel-chat")
    page.click("#tab-tokenizer")
    page.wait_for_selector("#tok-output .piece")
    expected = lab_server.chat.tokenizer.encode(page.input_value("#tok-text"))
    ids = [int(x) for x in page.locator("#tok-output .piece .id").all_inner_texts()]
    assert ids == expected
    page.click("#tab-attention")
    page.wait_for_selector("#att-heads button")
    n_heads = lab_server.chat.model.config.n_heads
    assert page.locator("#att-heads button").count() == n_heads
    page.select_option("#att-layer", "1")
    page.wait_for_function(
        "document.getElementById('att-summary').textContent.startsWith('Layer 1')"
    )
    page.click("#att-heads button >> nth=2")
    assert "head 2" in page.get_attribute("#att-canvas", "aria-label")
    page.click("#tab-progress")
    page.wait_for_selector("#prog-output .area")
    assert "1 of 2 topics done" in page.inner_text("#prog-summary")
    assert "✓ done" in page.inner_text("#prog-output")
    for control in page.locator("input, textarea, select").all():  # every control is labelled
        name = control.get_attribute("id")
        kind = control.get_attribute("type")
        assert kind == "radio" or page.locator(f'label[for="{name}"]').count() == 1, name
    assert not lab.errors
    page.close()


def test_lab_browser_shows_api_errors_in_words(browser: Any, smollm2_tokenizer) -> None:
    running = serve_tiny(smollm2_tokenizer, ServerSettings(api_keys=("sekret",)), max_batch=1,
                         context=128)  # fmt: skip
    try:
        lab = Page(browser, running.url)
        page = lab.page
        page.fill("#chat-input", "hi")
        page.press("#chat-input", "Enter")
        page.wait_for_selector("#chat-error:not([hidden])")
        assert "needs an API key" in page.inner_text("#chat-error")
        page.fill("#api-key", "sekret")
        page.dispatch_event("#api-key", "change")
        page.fill("#chat-max-tokens", "5")
        page.fill("#chat-input", "hi again")
        page.press("#chat-input", "Enter")
        page.wait_for_function("document.getElementById('chat-error').hidden && "
                               "!document.querySelector('.message.streaming') && "
                               "document.querySelector('.message.assistant')")  # fmt: skip
        assert page.evaluate("localStorage.getItem('nlpjourney-lab-api-key')") == "sekret"
        page.close()
    finally:
        running.stop()


def test_lab_browser_stop_frees_the_slot(browser: Any, smollm2_tokenizer) -> None:
    running = serve_tiny(smollm2_tokenizer, max_batch=2, context=256)
    # each model step sleeps, so the answer is still streaming when Stop is pressed
    hook = running.chat.model.register_forward_hook(lambda *_: time.sleep(0.02))
    try:
        lab = Page(browser, running.url)
        page = lab.page
        page.fill("#chat-max-tokens", "200")
        page.fill("#chat-input", "Tell me a long story")
        page.press("#chat-input", "Enter")
        page.wait_for_function("(document.querySelector('.message.streaming .text') || "
                               "{textContent: ''}).textContent.length > 0")  # fmt: skip
        page.click("#chat-stop")
        page.wait_for_function("!document.querySelector('.message.streaming')")
        assert page.locator(".message.assistant .text").last.inner_text().endswith("[stopped]")
        deadline = time.monotonic() + 10
        while httpx.get(f"{running.url}/health").json()["active"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert httpx.get(f"{running.url}/health").json()["active"] == 0
        assert page.is_enabled("#chat-send") and not lab.errors
        page.close()
    finally:
        hook.remove()
        running.stop()
