"""Render the README's hero image: the Playground after some training on the default config.

    python scripts/screenshots.py [--out docs/playground.png] [--epochs 10] [--steps 0]

Starts the app headless on a free loopback port (``tests/browser/appserver.py``), opens it in
Debian's Chromium through Playwright (nothing is downloaded, and requests that are not for
the app are blocked), trains with the Epoch and Step buttons, and saves the main area, from
the title down to the cost curve, as an optimised PNG under ``--max-kb`` (downscaled if
needed).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.appserver import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

LIVE_READY_JS = """n => [...document.querySelectorAll('div.bp-live-plot')]
    .filter(d => d.querySelector('.main-svg')).length >= n"""
METRIC_IS_JS = """([i, want]) => {
    const m = document.querySelectorAll('.bp-counters .bp-value')[i];
    return m !== undefined && m.innerText.replace(/,/g, '') === String(want);
}"""
REVISION_JS = """want => [...document.querySelectorAll('div.bp-live-plot')]
    .every(d => Number(d.dataset.revision) >= want)"""
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""
# from the page title to the bottom of the cost curve, across the main column
CLIP_JS = """() => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const title = main.querySelector('h1');
    const cost = document.querySelector('[data-key=live_cost]');
    const m = main.getBoundingClientRect(), t = title.getBoundingClientRect();
    const c = cost.getBoundingClientRect();
    const pad = 24;
    return {x: Math.max(0, m.left + 40), y: Math.max(0, t.top - pad),
            width: m.width - 80, height: c.bottom - t.top + 2 * pad};
}"""


def capture(base: str, epochs: int, steps: int, width: int, height: int) -> bytes:
    """The PNG bytes of the Playground's main area after ``epochs`` epochs and ``steps`` steps."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route(lambda url: not url.startswith(base), lambda route: route.abort())
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(base + "/playground")
            page.wait_for_function(LIVE_READY_JS, arg=3)
            for i in range(epochs):
                page.locator(".st-key-epoch button:visible").click()
                page.wait_for_function(METRIC_IS_JS, arg=[1, i + 1])
            done = int(page.locator(".bp-counters .bp-value")
                       .first.inner_text().replace(",", ""))  # fmt: skip
            for i in range(steps):
                page.locator(".st-key-step button:visible").click()
                page.wait_for_function(METRIC_IS_JS, arg=[0, done + i + 1])
            page.wait_for_function(REVISION_JS, arg=epochs + steps)
            page.wait_for_function(IDLE_JS)
            if page.locator('[data-testid="stException"]').count():
                raise RuntimeError("the Playground shows an exception; no screenshot taken")
            page.mouse.move(0, 0)  # no hover labels or tooltips in the picture
            clip = page.evaluate(CLIP_JS)
            needed = int(clip["y"] + clip["height"]) + 1
            if needed > height:  # Streamlit scrolls inside its main element: grow instead
                page.set_viewport_size({"width": width, "height": needed})
                page.wait_for_timeout(500)
                clip = page.evaluate(CLIP_JS)
            page.wait_for_timeout(500)  # plotly transitions
            return page.screenshot(clip=clip, animations="disabled")
        finally:
            browser.close()


def optimise(png: bytes, max_bytes: int) -> tuple[bytes, tuple[int, int]]:
    """``png`` re-encoded to fit ``max_bytes``: lossless if it fits, else a 256-colour palette,
    then downscaled by 10 % steps."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    scale = 1.0
    while True:
        w, h = round(img.width * scale), round(img.height * scale)
        frame = img if scale == 1.0 else img.resize((w, h), Image.Resampling.LANCZOS)
        for candidate in (frame, frame.quantize(colors=256, dither=Image.Dither.NONE)):
            buf = io.BytesIO()
            candidate.save(buf, format="PNG", optimize=True)
            if buf.tell() <= max_bytes:
                return buf.getvalue(), (w, h)
        if scale < 0.3:
            raise RuntimeError(f"cannot fit the screenshot in {max_bytes} bytes")
        scale *= 0.9


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "playground.png")
    ap.add_argument("--epochs", type=int, default=10, help="Epoch clicks (default 10)")
    ap.add_argument("--steps", type=int, default=0, help="Step clicks after them (default 0)")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    ap.add_argument("--max-kb", type=int, default=380, help="size limit of the PNG")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "app.log"
        try:
            with running_app(log=log) as base:
                png = capture(base, args.epochs, args.steps, args.width, args.height)
        except Exception:
            print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
            raise
    data, size = optimise(png, args.max_kb * 1024)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({size[0]}x{size[1]}, {len(data) / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
