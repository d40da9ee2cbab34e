"""Screenshots of the web lab serving the real SmolLM2, for the README.

Serves ``smollm2-135m-instruct`` on a free loopback port (as ``journey serve`` does, in
this process), drives Debian's Chromium through Playwright (never a downloaded browser),
asks one chat question and one playground prompt with fixed seeds, and writes
``docs/images/lab-chat.png`` and ``docs/images/lab-playground.png``.

Run from the repository root::

    .venv/bin/python scripts/lab_screenshots.py [--out docs/images] [--extra /tmp/lab]
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from nlpjourney.serve.app import ServerSettings, create_app
from nlpjourney.serve.models import load_chat_model

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
LIMIT_BYTES = 150_000


def serve() -> tuple[str, uvicorn.Server, threading.Thread]:
    chat = load_chat_model("smollm2-135m-instruct", device="cpu", max_batch=4, context=1024)
    from nlpjourney.course.roadmap import roadmap_progress

    app = create_app(chat, None, ServerSettings(progress=roadmap_progress))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}", server, thread


def shoot(url: str, out: Path, extra: Path | None) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)  # fmt: skip
        page = browser.new_page(viewport={"width": 1100, "height": 780})
        page.goto(url)
        page.wait_for_function("document.getElementById('model-id').textContent !== '…'")
        page.fill("#chat-seed", "3")
        page.fill("#chat-max-tokens", "120")
        for question in ("What is a tokenizer, in two sentences?", "Give me one example."):
            page.fill("#chat-input", question)
            page.press("#chat-input", "Enter")
            page.wait_for_selector(".message.assistant", state="attached")
            page.wait_for_function("!document.querySelector('.message.streaming')")
        page.locator("#chat-input").blur()
        page.screenshot(path=str(out / "lab-chat.png"))

        page.click("#tab-playground")
        page.check('input[name="play-mode"][value="completion"]')
        page.fill("#play-prompt", "The capital of France is")
        page.fill("#play-seed", "1")
        page.fill("#play-max-tokens", "30")
        page.click("#play-run")
        page.wait_for_function("document.querySelectorAll('#play-output .tok').length > 0 && "
                               "!document.getElementById('play-run').disabled")  # fmt: skip
        page.locator("#play-output .tok").nth(1).focus()
        page.screenshot(path=str(out / "lab-playground.png"))
        if extra is not None:  # the other tabs, to look at (not committed)
            extra.mkdir(parents=True, exist_ok=True)
            page.click("#tab-tokenizer")
            page.wait_for_selector("#tok-output .piece")
            page.screenshot(path=str(extra / "lab-tokenizer.png"))
            page.click("#tab-attention")
            page.wait_for_selector("#att-heads button")
            page.select_option("#att-layer", "5")
            page.wait_for_function("document.getElementById('att-summary').textContent"
                                   ".startsWith('Layer 5')")  # fmt: skip
            page.screenshot(path=str(extra / "lab-attention.png"), full_page=True)
            page.click("#tab-progress")
            page.wait_for_selector("#prog-output .area, #prog-error:not([hidden])")
            page.screenshot(path=str(extra / "lab-progress.png"))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--extra", type=Path, help="also shoot the other tabs into this folder")
    args = parser.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    url, server, thread = serve()
    try:
        shoot(url, out, args.extra)
    finally:
        server.should_exit = True
        thread.join(30)
    for name in ("lab-chat.png", "lab-playground.png"):
        size = (out / name).stat().st_size
        print(f"{out / name}: {size / 1000:.0f} kB")
        if size > LIMIT_BYTES:
            raise SystemExit(f"{name} is over {LIMIT_BYTES // 1000} kB: make the viewport smaller")


if __name__ == "__main__":
    main()
