"""Validation problems in Spanish: pydantic's error types as a user reads them, and values shown short.

The parameters (:mod:`.loader`), the strategic results and the project portfolio all validate
with pydantic, whose messages are English; they word every problem through :func:`problem_text`
(never pydantic's own ``msg``) and show the value given through :func:`shown`, so a mapping of
a thousand keys, or a million-character text, prints as a line and not as a page.
"""

from __future__ import annotations

import re
import reprlib
from typing import Any

#: Pydantic error type -> what is wrong, in Spanish.
PYDANTIC_MESSAGES = {
    "missing": "falta este parámetro",
    "extra_forbidden": "clave desconocida",
    "float_parsing": "debe ser un número",
    "float_type": "debe ser un número",
    "finite_number": "debe ser un número finito",
    "int_parsing": "debe ser un número entero",
    "int_parsing_size": "número entero demasiado grande",
    "int_type": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "bool_parsing": "debe ser verdadero o falso",
    "bool_type": "debe ser verdadero o falso",
    "string_type": "debe ser un texto",
    "string_too_short": "no puede estar vacío",
    "string_too_long": "texto demasiado largo",
    "string_pattern_mismatch": "texto con una forma no admitida",
    "string_unicode": "texto con caracteres no válidos",
    "dict_type": "debe ser un mapa de claves",
    "mapping_type": "debe ser un mapa de claves",
    "model_type": "debe ser un mapa de claves",
    "model_attributes_type": "debe ser un mapa de claves",
    "list_type": "debe ser una lista",
    "tuple_type": "debe ser una lista",
    "set_type": "debe ser una lista",
    "iterable_type": "debe ser una lista",
    "too_short": "tiene muy pocos elementos",
    "too_long": "tiene demasiados elementos",
    "literal_error": "valor no admitido",
    "enum": "valor no admitido",
    "greater_than_equal": "fuera de rango",
    "less_than_equal": "fuera de rango",
    "greater_than": "fuera de rango",
    "less_than": "fuera de rango",
    "multiple_of": "fuera de rango",
    "none_required": "debe estar vacío",
    "date_type": "debe ser una fecha",
    "date_parsing": "debe ser una fecha",
    "datetime_type": "debe ser una fecha",
    "datetime_parsing": "debe ser una fecha",
    "recursion_loop": "el valor se contiene a sí mismo",
    "union_tag_invalid": "tipo no admitido",
    "union_tag_not_found": "falta la clave que dice su tipo",
    "value_error": "valor no válido",
    "assertion_error": "valor no válido",
    "frozen_field": "no se puede cambiar",
    "invalid_key": "clave no válida",
}

#: What a value of each kind should have been, when the schema does not say more.
_EXPECTED_BY_TYPE = {
    "float_parsing": "un número", "float_type": "un número", "finite_number": "un número finito",
    "int_parsing": "un número entero", "int_type": "un número entero", "int_from_float": "un número entero",
    "int_parsing_size": "un número entero de pocas cifras",
    "bool_parsing": "true o false", "bool_type": "true o false",
    "string_type": "un texto", "string_too_short": "un texto no vacío",
    "dict_type": "un mapa clave: valor", "mapping_type": "un mapa clave: valor",
    "model_type": "un mapa clave: valor", "model_attributes_type": "un mapa clave: valor",
    "list_type": "una lista [a, b, ...]", "tuple_type": "una lista [a, b, ...]", "set_type": "una lista [a, b, ...]",
    "iterable_type": "una lista [a, b, ...]",
}

_SHOWN_LENGTH = 80
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple, _REPR.maxset = 3, 4, 6, 6, 6
_REPR.maxstring, _REPR.maxlong, _REPR.maxother = 60, 30, 60


def problem_text(error: Any) -> str:
    """What is wrong, in Spanish, for one pydantic error (a dict of ``ValidationError.errors()``)."""
    return PYDANTIC_MESSAGES.get(error.get("type", ""), "valor no válido")


def expected_for_type(error: Any) -> str:
    """A Spanish 'what was expected' from the error type alone ('' when the type says nothing)."""
    kind = error.get("type", "")
    if kind in _EXPECTED_BY_TYPE:
        return _EXPECTED_BY_TYPE[kind]
    ctx = error.get("ctx") or {}
    if kind == "literal_error":
        return "uno de " + str(ctx.get("expected", "")).replace("'", "").replace(" or ", " o ")
    if kind in {"greater_than_equal", "greater_than"}:
        return f"{'>=' if kind.endswith('equal') else '>'} {ctx.get('ge', ctx.get('gt'))}"
    if kind in {"less_than_equal", "less_than"}:
        return f"{'<=' if kind.endswith('equal') else '<'} {ctx.get('le', ctx.get('lt'))}"
    if kind == "too_short":
        return f"al menos {ctx.get('min_length', 1)} elemento(s)"
    if kind == "too_long":
        return f"a lo sumo {ctx.get('max_length')} elemento(s)"
    return ""


def location(loc: Any) -> tuple[tuple[Any, ...], bool]:
    """A pydantic error's ``loc`` as the user's key path, and whether the problem is a key.

    Pydantic inserts the tags of union members (``function-before[...]``, ``dict[int,float]``)
    and ``[key]`` for a mapping's key; neither is something the user wrote.
    """
    return tuple(p for p in loc if not (isinstance(p, str) and "[" in p)), "[key]" in loc


def key_path(parts: Any) -> str:
    """A key path as the user wrote it (``macro.inflacion``); a key with spaces, quotes or control
    characters is shown quoted (``proyectos.'a\\nb'``), so a message stays one line."""
    return ".".join(str(p) if re.fullmatch(r"[\w\-]+", str(p)) else shown(str(p)) for p in parts)


def kind_of(value: Any) -> str:
    """What a value read from YAML or a table is, in Spanish (``una lista``, ``un número``...)."""
    if value is None:
        return "un valor vacío"
    if isinstance(value, bool):
        return "verdadero/falso"
    if isinstance(value, (int, float)):
        return "un número"
    if isinstance(value, str):
        return "un texto"
    if isinstance(value, (list, tuple)):
        return "una lista"
    if isinstance(value, dict):
        return "un mapa de claves"
    return "un valor de otro tipo"


def shown(value: Any) -> str:
    """``repr(value)`` cut to one short line (a value given, quoted in a message)."""
    text = _REPR.repr(value)  # reprlib: a huge or deep value is cut while it is written, not after
    text = text.replace("\n", " ")
    return text if len(text) <= _SHOWN_LENGTH else text[:_SHOWN_LENGTH - 1] + "…"


__all__ = ["PYDANTIC_MESSAGES", "expected_for_type", "key_path", "kind_of", "location", "problem_text", "shown"]
