"""PDF reports from one long-lived headless Chromium per worker.

Launching Chromium for every report (``chromium.html_to_pdf``, the ``chromium --print-to-pdf``
CLI) costs about 2 s per PDF here; one browser kept open by Playwright, with one page reused,
prints the same report in 0.25-0.5 s. Playwright drives Debian's ``chromium`` through
``executable_path`` (``playwright install`` is never used). Its async API runs on a private
event loop: the sync API would leave its loop marked as running in the thread, which stops
the kernel's loop from running. Without the ``playwright`` package the printer falls back to
the CLI route, so PDFs still work, only slower.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from nexos_model.errors import NexosError
from nexos_model.io.files import atomic_path, write_text
from nexos_model.report.chromium import chromium_path, html_to_pdf

__all__ = ["PdfPrinter"]

BROWSER_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-extensions"]
TIMEOUT_MS = 120_000


class PdfPrinter:
    """Prints HTML to PDF (page size from the template's CSS ``@page``: A4) in a kept browser."""

    def __init__(self) -> None:
        self._playwright = self._browser = self._page = None
        self._loop: asyncio.AbstractEventLoop | None = None
        try:
            import playwright.async_api  # noqa: F401  # lazy: optional dependency; without it, the CLI route
            self.kept = True
        except ImportError:
            self.kept = False

    async def _open(self):
        from playwright.async_api import async_playwright  # lazy: optional dependency, checked in __init__

        executable = chromium_path()
        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        self._page = await self._browser.new_page()
        self._page.set_default_timeout(TIMEOUT_MS)
        return self._page

    async def _render(self, html: str) -> bytes:
        page = self._page or await self._open()
        await page.set_content(html, wait_until="load")
        return await page.pdf(prefer_css_page_size=True, print_background=True)

    async def _close(self) -> None:
        for thing, method in ((self._browser, "close"), (self._playwright, "stop")):
            if thing is not None:
                try:
                    await getattr(thing, method)()
                except Exception:
                    pass
        self._playwright = self._browser = self._page = None

    def _print_kept(self, html: str, pdf_path: Path) -> Path:
        from playwright.async_api import Error as PlaywrightError  # lazy: optional dependency, checked in __init__

        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        for attempt in (1, 2):  # a crashed browser is replaced once
            try:
                data = self._loop.run_until_complete(self._render(html))
                break
            except PlaywrightError as exc:
                self._loop.run_until_complete(self._close())
                if attempt == 2:
                    first = (exc.message or str(exc)).splitlines()[0]
                    raise NexosError(f"chromium no pudo generar {pdf_path.name}: {first}") from None
        with atomic_path(pdf_path) as tmp:
            tmp.write_bytes(data)
        return pdf_path

    def print(self, html: str, pdf_path: str | os.PathLike[str],
              html_path: str | os.PathLike[str] | None = None) -> Path:
        """Write the PDF of ``html`` to ``pdf_path`` atomically (``html_path``: the same page on disk)."""
        pdf_path = Path(pdf_path)
        if self.kept:
            return self._print_kept(html, pdf_path)
        if html_path is not None:
            return html_to_pdf(html_path, pdf_path)
        with tempfile.TemporaryDirectory(prefix="nexos-html-") as folder:
            return html_to_pdf(write_text(html, Path(folder) / "reporte.html"), pdf_path)

    def close(self) -> None:
        """Close the browser and Playwright (safe to call twice)."""
        if self._loop is None or self._loop.is_closed():
            return
        try:
            self._loop.run_until_complete(self._close())
        finally:
            self._loop.close()
