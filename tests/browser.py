"""Open an HTML file in real headless Chromium with the network off; report what happened.

Reusable by any test that writes HTML (maps, reports)::

    from browser import open_html, requires_chromium

    @requires_chromium
    def test_page(tmp_path):
        report = open_html(path, screenshot=tmp_path / "page.png")
        assert report.ok, report.problems()

or, to interact with the page (click, evaluate JavaScript) before the report is final::

    with offline_page(path) as (page, report):
        page.click(".leaflet-marker-icon")
    assert not report.console_errors

Uses Debian's ``/usr/bin/chromium`` driven by the ``playwright`` package (never
``playwright install``), a fresh profile per call, the context switched offline and every
request other than ``file:``, ``data:``, ``blob:`` and ``about:`` aborted and recorded.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "DEFAULT_COUNTS",
    "PageReport",
    "offline_page",
    "open_html",
    "requires_chromium",
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: CSS selectors counted by default.
DEFAULT_COUNTS = (
    ".leaflet-container",
    ".leaflet-marker-icon",
    ".leaflet-control-layers-overlays label",
    ".leaflet-control-layers-base label",
    "img",
    "script[src]",
    "link[href]",
)
_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

#: Marker for tests that need the browser: skipped with a reason when Chromium is missing.
requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)",
)


@dataclass
class PageReport:
    """What happened while a page was open.

    Attributes
    ----------
    url : str
    console_errors : list of str
        Console messages of type ``error`` and uncaught exceptions (``pageerror``).
    failed_requests : list of str
        Network requests that were blocked (anything not local) or failed (missing files).
    dialogs : list of str
        ``alert`` / ``confirm`` / ``prompt`` dialogs opened by the page (dismissed).
    counts : dict
        CSS selector to number of matching elements, taken when the page was ready.
    load_s : float
        Seconds from navigation start until ``load`` fired and two frames were painted.
    screenshot : pathlib.Path or None
    """

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    load_s: float = float("nan")
    screenshot: Path | None = None

    @property
    def ok(self) -> bool:
        """True when there were no console errors, failed requests or dialogs."""
        return not (self.console_errors or self.failed_requests or self.dialogs)

    def problems(self) -> str:
        """Readable summary for assertion messages."""
        return (
            f"console errors: {self.console_errors[:5]}; failed requests: "
            f"{self.failed_requests[:5]}; dialogs: {self.dialogs[:5]}"
        )


def _block_remote(report: PageReport) -> Callable[[Any], None]:
    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith(_LOCAL_SCHEMES):
            route.continue_()
        else:
            report.failed_requests.append(f"blocked: {url}")
            route.abort("internetdisconnected")

    return handle


@contextlib.contextmanager
def offline_page(
    path: str | Path,
    *,
    counts: Sequence[str] = DEFAULT_COUNTS,
    screenshot: str | Path | None = None,
    viewport: tuple[int, int] = (1280, 800),
    timeout_s: float = 60.0,
    route: Callable[[Any], None] | None = None,
) -> Iterator[tuple[Any, PageReport]]:
    """Open ``path`` offline in headless Chromium; yield ``(page, report)``.

    The page is loaded and ready (``load`` event plus two painted frames) when the block
    starts. On exit the selectors in ``counts`` are counted (unless already counted), the
    screenshot is taken, and the browser closed.

    Parameters
    ----------
    path : path-like
        The HTML file.
    counts : sequence of str, keyword-only
        CSS selectors to count.
    screenshot : path-like, keyword-only, optional
        Where to save a PNG of the viewport.
    viewport : (int, int), keyword-only
        Width and height in CSS pixels.
    timeout_s : float, keyword-only
        Navigation timeout.
    route : callable, keyword-only, optional
        Replace the request handler (benchmarks use it to serve CDN files locally); by
        default every non-local request is aborted and recorded in ``failed_requests``.
    """
    from playwright.sync_api import sync_playwright

    url = Path(path).resolve().as_uri()
    report = PageReport(url=url)
    with tempfile.TemporaryDirectory(prefix="netopt-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=list(CHROMIUM_ARGS),
            offline=route is None,
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        try:
            context.route("**/*", route or _block_remote(report))
            page = context.pages[0] if context.pages else context.new_page()
            page.on(
                "console",
                lambda m: (
                    m.type == "error"
                    and report.console_errors.append(
                        f"{m.text} @ {m.location.get('url', '')}:{m.location.get('lineNumber', '')}"
                    )
                ),
            )
            page.on("pageerror", lambda e: report.console_errors.append(f"uncaught: {e}"))
            page.on(
                "requestfailed", lambda r: report.failed_requests.append(f"{r.failure}: {r.url}")
            )

            def on_dialog(dialog: Any) -> None:
                report.dialogs.append(f"{dialog.type}: {dialog.message}")
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(url, wait_until="load", timeout=timeout_s * 1000)
            ms = page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => "
                "requestAnimationFrame(() => r(performance.now()))))"
            )
            report.load_s = float(ms) / 1000.0
            report.counts = {sel: page.locator(sel).count() for sel in counts}
            yield page, report
            if screenshot is not None:
                report.screenshot = Path(screenshot)
                report.screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(report.screenshot))
        finally:
            context.close()


def open_html(path: str | Path, **options: Any) -> PageReport:
    """Open ``path`` offline, wait until it is ready, and return the :class:`PageReport`.

    Parameters
    ----------
    path : path-like
        The HTML file.
    **options
        Keyword options of :func:`offline_page` (``counts``, ``screenshot``, ...).

    Returns
    -------
    PageReport
    """
    with offline_page(path, **options) as (_page, report):
        pass
    return report
