"""YAML that users write, parsed with bounds: the one place Nexos turns YAML text into data.

A parameter file, a scenario saved from the app, a portfolio or a ``--set`` value is read by
:func:`parse_yaml`: libyaml composes the node tree (an alias is a shared node, so an alias bomb
is still small here; libyaml itself stops at 1,000 levels), then one walk of that tree, before any
Python value is built, refuses, each in a Spanish message naming the file, the line and the key:

- a document that would grow beyond :data:`MAX_VALUES` values once its aliases (``*ancla``)
  are expanded (the "billion laughs": 400 bytes that expand to billions of values), or an
  alias inside its own anchor;
- nesting deeper than :data:`MAX_DEPTH` levels, and files over :data:`MAX_BYTES`;
- integers longer than :data:`MAX_INT_DIGITS` digits (Python would refuse or take seconds);
- tags other than the plain ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``,
  ``!!map``, ``!!seq``, and dates): no ``!!python/...``, ``!!binary``, ``!!set`` or custom tags;
- complex keys; and, while the document is built by PyYAML's safe constructor, keys that YAML
  reads as something other than a text or a year (``yes:`` is ``True``, ``1.5:``, ``null:``) and
  the same key twice in one mapping.

libyaml's own syntax problems (English) come back in Spanish with the line, the column and
the text around them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

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
#: Tags a node may have, written or resolved: plain values, and dates (YAML reads those by itself).
_ALLOWED_TAGS = {f"{_BASE}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}

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
    """A bound or rule broken: where (mark, key path) and what."""

    def __init__(self, mark: Any, path: list[Any], text: str):
        super().__init__(text)
        self.mark, self.path, self.text = mark, list(path), text


def _scan(root: yaml.Node | None) -> None:
    """Walk the composed node tree once, without recursion (an alias is a node met again: it counts
    its size, it is not walked again), and raise :class:`_Problem` at the first bound broken."""
    sizes: dict[int, int] = {}  # id(node) -> values it holds once its aliases are expanded
    active: set[int] = set()  # the nodes on the current path: meeting one again is a cycle
    stack: list[tuple[yaml.Node, list[Any], Iterator[tuple[yaml.Node, list[Any]]], list[int]]] = []

    def enter(node: yaml.Node, path: list[Any]) -> int | None:
        """Check ``node`` on the way down: its size if known (a scalar, an alias), else None (pushed)."""
        if id(node) in active:
            raise _Problem(node.start_mark, path, "un alias está dentro de su propia ancla (una estructura infinita)")
        if id(node) in sizes:
            return sizes[id(node)]
        if node.tag not in _ALLOWED_TAGS:
            shown = node.tag.replace(_BASE, "!!")
            raise _Problem(node.start_mark, path, f"etiqueta YAML '{shown}' no admitida (se esperaba un valor "
                                                  "simple: número, texto, verdadero/falso, lista o mapa)")
        if isinstance(node, yaml.ScalarNode):
            digits = len(re.sub(r"[^0-9a-fA-F]", "", node.value))
            if node.tag == f"{_BASE}int" and digits > MAX_INT_DIGITS:
                raise _Problem(node.start_mark, path, f"número entero demasiado largo ({digits} cifras; se "
                                                      f"admiten hasta {MAX_INT_DIGITS})")
            sizes[id(node)] = 1
            return 1
        if len(stack) >= MAX_DEPTH:
            raise _Problem(node.start_mark, path,
                           f"anidamiento demasiado profundo (más de {MAX_DEPTH} niveles de listas o mapas)")
        if isinstance(node, yaml.MappingNode):
            children = []
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise _Problem(key.start_mark, path, "una clave debe ser un texto o un año, no una lista o un mapa")
                children.append((value, path + [key.value]))
        else:
            children = [(value, path + [i]) for i, value in enumerate(node.value)]
        active.add(id(node))
        stack.append((node, path, iter(children), [1]))
        return None

    def add(size: int, mark: Any, path: list[Any]) -> None:
        total = stack[-1][3]
        total[0] += size
        if total[0] > MAX_VALUES:
            raise _Problem(mark, path, f"el documento crece a más de {MAX_VALUES:,} valores al expandir sus alias "
                                       "(*nombre); escriba los valores en lugar de repetir alias")

    if root is None or enter(root, []) is not None:
        return
    while stack:
        node, path, children, total = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            active.discard(id(node))
            sizes[id(node)] = total[0]
            if stack:
                add(total[0], node.start_mark, path)
            continue
        size = enter(*child)
        if size is not None:
            add(size, child[0].start_mark, child[1])


#: What a YAML tag asks a value to be, as the messages say it.
_TAG_KINDS = {"int": "número entero", "float": "número", "bool": "verdadero o falso", "timestamp": "fecha",
              "binary": "datos binarios", "null": "vacío", "str": "texto"}


class _Constructor(_LOADER):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, refusing duplicate keys and keys that are not a text or a year."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError, AttributeError, KeyError) as exc:
            # an explicit tag on a scalar it cannot read (``!!int 3 in``, ``!!bool quizás``): PyYAML
            # raises a bare ValueError, KeyError... with no position
            if isinstance(exc, _Problem) or not isinstance(node, yaml.ScalarNode):
                raise
            what = f"'{node.value[:40]}'" if isinstance(node.value, str) else "este valor"
            kind = _TAG_KINDS.get(node.tag.rsplit(":", 1)[-1], "el tipo que pide su etiqueta")
            raise _Problem(node.start_mark, [], f"{what} no se puede leer como {kind} "
                                                "(quite la etiqueta !!... o corrija el valor)") from None

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
        loader = _Constructor(text)
        try:
            root = loader.get_single_node()  # composed by libyaml; an alias is a shared node, not a copy
            _scan(root)  # the bounds, before anything is expanded into Python values
            data = None if root is None else loader.construct_document(root)
        finally:
            loader.dispose()
    except RecursionError:  # PyYAML without libyaml composes recursively
        raise ParameterError(f"{source}: anidamiento demasiado profundo (más de {MAX_DEPTH} niveles de listas "
                             "o mapas)") from None
    except _Problem as problem:
        key = _path_text(problem.path)
        raise ParameterError(f"{source}: {_where(problem.mark, text, value)}: {key + ': ' if key else ''}{problem.text}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _spanish(exc.problem, exc.context)
        if _indented_with_tab(text, mark):
            message = "tabulador en la indentación (use espacios)"
        excerpt = _excerpt(text, mark.line, mark.column) if mark is not None else ""
        raise ParameterError(f"{source}: {_where(mark, text, value)}: YAML mal formado: {message}{excerpt}") from None
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
