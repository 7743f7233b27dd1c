"""Messages to the advisor and the safety net around every callback.

A user error (``NexosError``) is shown as its Spanish messages; anything else is logged with its
traceback for the server's log and shown as one Spanish line: the page never shows a traceback.
:class:`Debouncer` groups a burst of slider moves into one recomputation.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape
from typing import Any, Callable

from nexos_model.errors import NexosError

log = logging.getLogger("nexos.app")


def error_html(messages: list[str] | str) -> str:
    items = [messages] if isinstance(messages, str) else list(messages)
    return "".join(f"<div class='nexos-error'>{escape(m)}</div>" for m in items)


def info_html(text: str, raw: str = "") -> str:
    """An information line; ``raw`` is trusted HTML appended to it (a link)."""
    return f"<div class='nexos-info'>{escape(text)}{raw}</div>"


def guarded(target: Any, fn: Callable[..., Any], *args: Any) -> Any:
    """Call ``fn(*args)``; show any error in the HTML widget ``target`` instead of raising."""
    try:
        return fn(*args)
    except NexosError as exc:
        target.value = error_html(exc.messages)
    except Exception as exc:  # the page must stay usable; the log keeps the details
        log.exception("error en la app")
        target.value = error_html(f"error inesperado ({type(exc).__name__}: {exc}); "
                                  "el detalle quedó en el registro del servidor")
    return None


class Debouncer:
    """Call ``fn`` once, ``delay`` seconds after the last of a burst of calls.

    Inside a running event loop (the Jupyter kernel) the call is scheduled; without one (tests,
    benchmarks) it happens at once, so the code path is the same and the timing is measurable.
    """

    def __init__(self, fn: Callable[[], Any], delay: float = 0.04):
        self.fn, self.delay = fn, delay
        self._handle: asyncio.Handle | None = None

    def __call__(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.fn()
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.fn()
