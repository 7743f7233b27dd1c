"""Messages to the advisor and the safety net around every callback.

A user error (``NexosError``) is shown as its Spanish messages in the advisor's words
(:func:`advisor_words`: labels, not keys; no server path; no command line); anything else is
logged with its traceback for the server's log and shown as one Spanish line: the page never
shows a traceback. :class:`Debouncer` groups a burst of slider moves into one recomputation.
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import lru_cache
from html import escape
from typing import Any, Callable, Mapping

from pydantic import BaseModel

from nexos_model.errors import NexosError
from nexos_model.params.changes import plain_label, scenario_label
from nexos_model.params.schema import Parameters, field_metadata

log = logging.getLogger("nexos.app")


_FILE = r"[\w.~-]+\.(?:yaml|yml|csv|xlsx|xls|parquet|ipynb|json)\b"
#: A file named with its folders (``/srv/x/params/defaults.yaml``, ``params\\escenarios\\a.yaml``) or alone.
_PATH = re.compile(rf"(?:[A-Za-z]:)?(?:[\w.~-]*[/\\])+{_FILE}|\b{_FILE}")
#: A folder path left over (``/tmp/nexos-123/``).
_FOLDER = re.compile(r"(?<![\w])(?:/[\w.~-]+){2,}/?")
_DOTTED = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_COMMAND = re.compile(r"[«`'\"]?\bnexos [a-z]+(?: [^`'»\";)]*)?[»`'\"]?")


def _file_words(match: "re.Match[str]") -> str:
    path = match.group(0).replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    if name == "defaults.yaml":
        return "los valores por defecto"
    if "/escenarios/" in f"/{path}":
        return f"el escenario «{scenario_label(stem)}»"
    if "/municipios/" in f"/{path}":
        return f"el archivo del municipio {stem}"
    if "/carteras/" in f"/{path}":
        return "de la cartera del municipio"
    return "el archivo cargado"


@lru_cache(maxsize=1)
def _labels_by_key() -> dict[str, str]:
    """Every schema key (its last part) -> its label, for keys quoted alone (``anio_meta``)."""
    out: dict[str, str] = {}

    def visit(model: type[BaseModel]) -> None:
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            out.setdefault(info.alias or name, plain_label(str(extra.get("etiqueta", name))))
            ann = info.annotation
            for sub in (ann, *getattr(ann, "__args__", ())):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    visit(sub)

    visit(Parameters)
    return out


def _key_words(key: str) -> str:
    meta, rest = field_metadata(key)
    label = meta.get("etiqueta")
    if not label:
        return _labels_by_key().get(key.rsplit(".", 1)[-1], key.rsplit(".", 1)[-1].replace("_", " "))
    text = f"«{plain_label(label)}»"
    if rest and not rest.isdigit():
        text += f" de {_key_words(rest)}"
    elif rest and rest != "0":
        text += f" ({rest})"
    return text


def advisor_words(message: str, names: Mapping[str, str] | None = None) -> str:
    """A model's message in the advisor's words: files by what they are («el escenario
    «Catastro 2028»», «los valores por defecto»), keys by their labels («Año en que se alcanza la
    meta», or ``names[key]`` first: a grid's own headers), no folder path, no command line."""
    text = str(message)
    for key, label in (names or {}).items():
        text = re.sub(rf"\b{re.escape(key)}\b", f"«{label}»", text)
    text = _PATH.sub(_file_words, text)
    text = _FOLDER.sub("la carpeta de trabajo", text)
    text = _COMMAND.sub("la lista de municipios" if "municipios" in text else "", text)
    text = _DOTTED.sub(lambda m: _key_words(m.group(0)), text)
    text = _SNAKE.sub(lambda m: _labels_by_key().get(m.group(0), m.group(0).replace("_", " ")), text)
    text = re.sub(r":\s*parámetros:\s*", ": ", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def error_html(messages: list[str] | str, names: Mapping[str, str] | None = None) -> str:
    items = [messages] if isinstance(messages, str) else list(messages)
    return "".join(f"<div class='nexos-error'>{escape(advisor_words(m, names))}</div>" for m in items)


def info_html(text: str, raw: str = "") -> str:
    """An information line; ``raw`` is trusted HTML appended to it (a link)."""
    return f"<div class='nexos-info'>{escape(text)}{raw}</div>"


def guarded(target: Any, fn: Callable[..., Any], *args: Any, names: Mapping[str, str] | None = None) -> Any:
    """Call ``fn(*args)``; show any error in the HTML widget ``target`` instead of raising (keys
    named by ``names`` first, see :func:`advisor_words`)."""
    try:
        return fn(*args)
    except NexosError as exc:
        target.value = error_html(exc.messages, names)
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
