"""YAML that users write, parsed with bounds: the one place Nexos turns YAML text into data.

A parameter file, a scenario saved from the app, a portfolio or a ``--set`` value is read by
:func:`parse_yaml`, which first walks the parser's events (libyaml: no recursion, no values
built) and refuses, each in a Spanish message naming the file, the line and the key:

- a document that would grow beyond :data:`MAX_VALUES` values once its aliases (``*ancla``)
  are expanded (the "billion laughs": 400 bytes that expand to billions of values), or an
  alias inside its own anchor;
- nesting deeper than :data:`MAX_DEPTH` levels, and files over :data:`MAX_BYTES`;
- integers longer than :data:`MAX_INT_DIGITS` digits (Python would refuse or take seconds);
- explicit tags other than the plain ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``,
  ``!!null``, ``!!map``, ``!!seq``): no ``!!python/...``, ``!!binary``, ``!!set`` or custom tags;
- complex keys, keys that YAML reads as something other than a text or a year
  (``yes:`` is ``True``, ``1.5:``, ``null:``), and the same key twice in one mapping.

libyaml's own syntax problems (English) come back in Spanish with the line, the column and
the text around them. Only then is the document built, with PyYAML's safe constructor.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import yaml
from yaml import events

from nexos_model.errors import ParameterError, os_problem

#: Largest YAML file read (bytes): the bundled defaults are 9 KB, a large portfolio ~200 KB.
MAX_BYTES = 2_000_000
#: Deepest nesting of mappings and lists (the parameters use 6).
MAX_DEPTH = 40
#: Most values a document may hold once its aliases are expanded (the defaults hold ~600).
MAX_VALUES = 200_000
#: Longest integer, in digits (a national amount has 10; a year, 4).
MAX_INT_DIGITS = 20

_BASE = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_BASE}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}
# YAML 1.1 integers as PyYAML's resolver reads them (decimal, 0b, 0o, 0x, sexagesimal).
_INT = re.compile(r"[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)")

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10× faster, same result

# libyaml's and PyYAML's problems, by their first words, in Spanish.
_PROBLEMS = (
    ("did not find expected key", "falta una clave o sobra indentación (revise los espacios al comienzo de la línea)"),
    ("did not find expected ',' or ']'", "falta una coma o el corchete de cierre ']'"),
    ("did not find expected ',' or '}'", "falta una coma o la llave de cierre '}'"),
    ("did not find expected '-' indicator", "se esperaba un elemento de lista '- ...' (revise la indentación)"),
    ("did not find expected node content", "falta un valor"),
    ("did not find expected comment or line break", "hay texto de más después de un valor (¿faltan comillas?)"),
    ("did not find expected whitespace", "falta un espacio"),
    ("did not find expected alphabetic or numeric character", "nombre de ancla o alias no válido"),
    ("did not find expected", "falta un elemento de la sintaxis YAML"),
    ("could not find expected ':'", "falta ':' después de la clave"),
    ("mapping values are not allowed", "':' no admitido aquí (¿falta un salto de línea, o comillas alrededor del texto?)"),
    ("block sequence entries are not allowed", "un elemento de lista '- ' no admitido aquí (revise la indentación)"),
    ("block mapping entries are not allowed", "una clave no admitida aquí (revise la indentación)"),
    ("found character that cannot start any token",
     "un valor no puede empezar con este carácter (p. ej. @, ` o %): ponga el texto entre comillas"),
    ("found a tab character", "tabulador en la indentación (use espacios)"),
    ("found unexpected end of stream", "el archivo termina antes de cerrar un texto entre comillas"),
    ("found unexpected ':'", "':' inesperado"),
    ("found unexpected document indicator", "indicador de documento ('---' o '...') inesperado"),
    ("found unknown escape character", "secuencia de escape desconocida entre comillas dobles (use comillas simples)"),
    ("found invalid Unicode character escape code", "código Unicode no válido entre comillas dobles"),
    ("found undefined tag handle", "etiqueta YAML no definida"),
    ("found undefined alias", "alias (*nombre) sin un ancla (&nombre) definida antes"),
    ("found duplicate anchor", "ancla (&nombre) repetida"),
    ("found an indentation indicator equal to 0", "indicador de indentación 0 en un bloque de texto"),
    ("found unknown directive name", "directiva YAML ('%...') no admitida"),
    ("found unexpected non-alphabetical character", "carácter inesperado"),
    ("control characters are not allowed", "carácter de control no admitido"),
    ("special characters are not allowed", "carácter de control no admitido"),
    ("found unacceptable character", "carácter de control no admitido"),
    ("invalid leading UTF-8 octet", "bytes que no son texto UTF-8"),
    ("invalid trailing UTF-8 octet", "bytes que no son texto UTF-8"),
    ("incomplete UTF-8 octet sequence", "bytes que no son texto UTF-8"),
    ("found an incorrect", "bytes que no son texto UTF-8"),
    ("invalid Unicode character", "carácter Unicode no válido"),
    ("expected a single document", "el archivo tiene más de un documento YAML (separados por '---'); se esperaba uno"),
    ("expected <document start>", "se esperaba un solo documento YAML"),
    ("while increasing", f"anidamiento demasiado profundo (más de {MAX_DEPTH} niveles de listas o mapas)"),
    ("found unhashable key", "una clave debe ser un texto o un año, no una lista o un mapa"),
)


def _spanish(*problems: str | None) -> str:
    """The first of ``problems`` (libyaml's problem, then its context) we know, in Spanish."""
    for problem in problems:
        text = (problem or "").strip()
        for english, spanish in _PROBLEMS:
            if text.startswith(english):
                return spanish
    return "sintaxis YAML no válida"


def _excerpt(text: str, line: int, column: int) -> str:
    """The text around a problem, as the user wrote it (for messages)."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return ""
    start = max(0, column - 30)
    snippet = lines[line][start:column + 30].strip()
    if not snippet:
        return ""
    return f" (cerca de «{snippet}»)"


def _indented_with_tab(text: str, mark: Any) -> bool:
    """Whether the line of ``mark`` starts with a tab (libyaml then says 'cannot start any token')."""
    lines = text.splitlines()
    if mark is None or not 0 <= mark.line < len(lines):
        return False
    line = lines[mark.line]
    return "\t" in line[:len(line) - len(line.lstrip())]


def _where(mark: Any, text: str, value: bool) -> str:
    """``línea L, columna C`` of a file; in a one-line ``value`` (``--set``), the character."""
    if mark is None:
        return "?"
    if value and "\n" not in text.rstrip("\n"):
        return "al final del valor" if mark.line > 0 or mark.column >= len(text) else f"carácter {mark.column + 1}"
    return f"línea {mark.line + 1}, columna {mark.column + 1}"


def _path_text(parts: list[Any]) -> str:
    """``['macro', 'inflacion', 0]`` -> ``macro.inflacion[0]``, shortened when deep."""
    out = ""
    for part in parts[:8]:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    if len(parts) > 8:
        out += "…"
    return out


class _Problem(Exception):
    """A bound or rule broken while reading events: where (mark, key path) and what."""

    def __init__(self, mark: Any, path: list[Any], text: str):
        super().__init__(text)
        self.mark, self.path, self.text = mark, list(path), text


class _Frame:
    __slots__ = ("kind", "size", "anchor", "key", "expect_key", "index")

    def __init__(self, kind: str, anchor: str | None):
        self.kind, self.size, self.anchor = kind, 1, anchor
        self.key: Any = None
        self.expect_key = kind == "map"
        self.index = 0


def _scan(text: str) -> None:
    """Walk the parser's events and raise :class:`_Problem` at the first bound or rule broken."""
    stack: list[_Frame] = []
    sizes: dict[str, int] = {}
    total = 0

    def path() -> list[Any]:
        parts: list[Any] = []
        for frame in stack:
            if frame.kind == "map" and frame.key is not None and not frame.expect_key:
                parts.append(frame.key)
            elif frame.kind == "seq":
                parts.append(frame.index)
        return parts

    def added(size: int, event: Any) -> None:
        """A value of ``size`` expanded values ended; count it where it belongs."""
        nonlocal total
        total += size
        if total > MAX_VALUES:
            raise _Problem(event.start_mark, path(),
                           f"el documento crece a más de {MAX_VALUES:,} valores al expandir sus alias "
                           "(*nombre); escriba los valores en lugar de repetir alias")
        if stack:
            frame = stack[-1]
            frame.size += size
            if frame.kind == "map":
                frame.expect_key = not frame.expect_key
                if frame.expect_key:
                    frame.key = None
            else:
                frame.index += 1

    def check_tag(event: Any) -> None:
        tag = event.tag  # None unless written (``!!int 5``, ``!mine x``); "!" forces a text
        if tag is not None and tag != "!" and tag not in _PLAIN_TAGS:
            shown = tag.replace(_BASE, "!!")
            raise _Problem(event.start_mark, path(),
                           f"etiqueta YAML '{shown}' no admitida (se esperaba un valor simple: número, "
                           "texto, verdadero/falso, lista o mapa)")

    def check_key(event: Any) -> None:
        frame = stack[-1] if stack else None
        if frame is None or frame.kind != "map" or not frame.expect_key:
            return
        if isinstance(event, events.ScalarEvent):
            frame.key = event.value
            return
        what = "un alias" if isinstance(event, events.AliasEvent) else "una lista o un mapa"
        raise _Problem(event.start_mark, path(), f"una clave debe ser un texto o un año, no {what}")

    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, (events.MappingStartEvent, events.SequenceStartEvent)):
            check_tag(event)
            check_key(event)
            total += 1
            if len(stack) >= MAX_DEPTH:
                raise _Problem(event.start_mark, path(),
                               f"anidamiento demasiado profundo (más de {MAX_DEPTH} niveles de listas o mapas)")
            stack.append(_Frame("map" if isinstance(event, events.MappingStartEvent) else "seq",
                                event.anchor))
        elif isinstance(event, (events.MappingEndEvent, events.SequenceEndEvent)):
            frame = stack.pop()
            if frame.anchor:
                sizes[frame.anchor] = frame.size
            total -= 1  # counted at its start; added() counts the whole
            added(frame.size, event)
        elif isinstance(event, events.ScalarEvent):
            check_tag(event)
            check_key(event)
            digits = len(re.sub(r"[^0-9a-fA-F]", "", event.value))
            if digits > MAX_INT_DIGITS and event.implicit[0] and event.tag is None and _INT.fullmatch(event.value):
                raise _Problem(event.start_mark, path(),
                               f"número entero demasiado largo ({digits} cifras; se admiten hasta "
                               f"{MAX_INT_DIGITS})")
            if event.anchor:
                sizes[event.anchor] = 1
            added(1, event)
        elif isinstance(event, events.AliasEvent):
            check_key(event)
            if any(frame.anchor == event.anchor for frame in stack):
                raise _Problem(event.start_mark, path(),
                               f"el alias *{event.anchor} está dentro de su propia ancla &{event.anchor} "
                               "(una estructura infinita)")
            added(sizes.get(event.anchor, 1), event)


class _Constructor(_LOADER):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, refusing duplicate keys and keys that are not a text or a year."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == f"{_BASE}merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, bool) or key is None or isinstance(key, (float, datetime.date)):
                hint = (" (YAML lee yes/no/on/off/true/false como verdadero o falso: escriba la clave entre "
                        f"comillas, p. ej. '{key_node.value}':)") if isinstance(key, bool) else \
                    f" (escriba la clave entre comillas, p. ej. '{key_node.value}':)"
                raise _Problem(key_node.start_mark, [], f"clave no válida '{key_node.value}'{hint}")
            if key in seen:
                raise _Problem(key_node.start_mark, [],
                               f"la clave '{key}' está repetida (ya aparece en la línea {seen[key] + 1}); "
                               "cada clave va una sola vez por mapa")
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, source: str, with_node: bool = False, value: bool = False) -> Any:
    """The data of one YAML document (``None`` if empty), read within the bounds above.

    ``source`` names the text in messages (a file as the user knows it, or ``--set clave``);
    ``value``: the text is one value typed by the user (messages say the character, not the line).
    With ``with_node``, returns ``(root node, data)``: the node tree gives line numbers.
    Every problem is a :class:`~nexos_model.errors.ParameterError` in Spanish.
    """
    if len(text) > MAX_BYTES:
        raise ParameterError(f"{source}: el archivo es demasiado grande para un YAML de parámetros "
                             f"({len(text):,} caracteres; máximo {MAX_BYTES:,})")
    try:
        _scan(text)
        loader = _Constructor(text)
        try:
            root = loader.get_single_node()
            data = None if root is None else loader.construct_document(root)
        finally:
            loader.dispose()
    except _Problem as problem:
        key = _path_text(problem.path)
        raise ParameterError(f"{source}: {_where(problem.mark, text, value)}: {key + ': ' if key else ''}{problem.text}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = _spanish(exc.problem, exc.context)
        if _indented_with_tab(text, mark):
            problem = "tabulador en la indentación (use espacios)"
        excerpt = _excerpt(text, mark.line, mark.column) if mark is not None else ""
        raise ParameterError(f"{source}: {_where(mark, text, value)}: YAML mal formado: {problem}{excerpt}") from None
    except yaml.YAMLError as exc:  # a reader error: a character YAML does not accept
        position = getattr(exc, "position", None)
        where = ""
        if isinstance(position, int):
            before = text[:position]
            where = f"línea {before.count(chr(10)) + 1}, columna {position - before.rfind(chr(10))}: "
        raise ParameterError(f"{source}: {where}YAML mal formado: {_spanish(getattr(exc, 'reason', ''))}") from None
    return (root, data) if with_node else data


def read_yaml_text(path: Path, source: str, fallback_encoding: str | None = None) -> str:
    """A YAML file's text: UTF-8 (a BOM is fine), else ``fallback_encoding`` if given.

    Missing, unreadable, too large or (without a fallback) not UTF-8: a Spanish ParameterError.
    """
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ParameterError(f"{source}: es una carpeta, no un archivo")
        if size > MAX_BYTES:
            raise ParameterError(f"{source}: el archivo es demasiado grande para un YAML de parámetros "
                                 f"({size:,} bytes; máximo {MAX_BYTES:,})")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParameterError(f"{source}: el archivo no existe") from None
    except OSError as exc:
        raise ParameterError(f"{source}: no se pudo leer el archivo ({os_problem(exc)})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if fallback_encoding:
            return data.decode(fallback_encoding)
        line = data[:exc.start].count(b"\n") + 1
        raise ParameterError(f"{source}: línea {line}: el archivo no está en UTF-8 (guárdelo como UTF-8)") from None


__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS", "MAX_VALUES", "parse_yaml", "read_yaml_text"]
