"""The SICOIN GL / Portal de Gobiernos Locales revenue export, read into the tidy revenue history.

:func:`read_revenue_export` maps a table read by :func:`nexos_model.io.tables.read_table`
through a synonym table of column names, parses and validates every cell (year, INE code of
the municipality, MINFIN revenue code mapped to a concept of ``data/clasificacion_ingresos.csv``,
amounts) and returns the history in the shape of DESIGN.md section 3. Problems are collected,
not raised one by one: the user gets every bad cell in a single
:class:`~nexos_model.errors.DataFileError`, each message naming file, row and column.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from nexos_model.errors import DataFileError
from nexos_model.io.bundled import data_path, load_municipalities
from nexos_model.params.problems import shown
from nexos_model.io.tables import (
    InvalidCell,
    PathLike,
    file_error,
    normalize_groups,
    parse_amount,
    read_table,
)


# Column synonyms, in order of preference, written as a user would; they are compared
# after normalisation (no accents, lower case, filler words such as "de" removed).
REVENUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "anio": ("ejercicio", "año", "anio", "ano", "periodo", "ejercicio fiscal", "año fiscal"),
    "municipio": (
        "cod_municipio", "código de municipio", "codigo municipio", "municipio_id",
        "id municipio", "cod. municipio", "cod mun", "código INE", "municipio",
    ),
    "rubro": (
        "cod_seccion", "código de sección", "clase-sección", "código rubro", "cod_rubro",
        "rubro", "sección", "código",
    ),
    "devengado": ("devengado", "ejecutado"),
    "percibido": ("percibido",),
    "vigente": ("vigente", "presupuesto vigente"),
}
# Columns that identify the header row (the first row holding all three).
REVENUE_HEADER = ("anio", "municipio", "rubro")

TOTAL_WORDS = ("total", "subtotal", "gran total")
MAX_MESSAGES = 200  # beyond this the user has the wrong file; the rest are counted


# --------------------------------------------------------------------------- cell parsers


def _strip_excel_zero(text: str) -> str:
    """``901.0`` (a code that went through Excel) -> ``901``."""
    return re.sub(r"\.0+$", "", text.strip())


def _parse_year(text: str) -> int:
    s = _strip_excel_zero(text)
    if not re.fullmatch(r"\d{4}", s) or not 2000 <= int(s) <= 2100:
        raise InvalidCell("el año no es válido", "un año entero entre 2000 y 2100")
    return int(s)


@functools.lru_cache(maxsize=None)
def _known_municipalities() -> frozenset[str]:
    return frozenset(load_municipalities()["municipio"])


def _parse_municipality(text: str) -> str:
    s = _strip_excel_zero(text)
    if not re.fullmatch(r"\d{1,4}", s):
        raise InvalidCell(
            "el código de municipio no es válido", "un código INE de 1 a 4 dígitos, p. ej. 0901"
        )
    code = s.zfill(4)
    if code not in _known_municipalities():
        raise InvalidCell(
            "el código de municipio no existe",
            "uno de los 340 códigos INE de municipios_censo2018.csv, p. ej. 0901",
        )
    return code


@functools.lru_cache(maxsize=None)
def _revenue_catalog() -> dict[str, str]:
    table = pd.read_csv(data_path("clasificacion_ingresos.csv"), dtype=str)
    return dict(zip(table["codigo"].str.strip(), table["concepto"].str.strip()))


def _seccion(code: str) -> str | None:
    """Sección of a MINFIN revenue code of 5+ digits (``101100`` -> ``10100``)."""
    return code[:3] + "00" if code.isdigit() and len(code) >= 5 else None


@functools.lru_cache(maxsize=4096)
def concept_for_code(code: str) -> str | None:
    """Concept of a MINFIN revenue code: its sección if catalogued, else its clase.

    ``concept_for_code("10100") == "impuestos_directos"``; ``"11900"`` falls back to clase
    ``11000`` (``otros_no_tributarios``); rubro-level codes (``101100``, ``10110``) use their
    sección. None if neither is in ``clasificacion_ingresos.csv``.
    """
    seccion = _seccion(str(code).strip())
    if seccion is None:
        return None
    catalog = _revenue_catalog()
    return catalog.get(seccion) or catalog.get(seccion[:2] + "000")


def _parse_revenue_code(text: str) -> tuple[str, str]:
    s = re.sub(r"[\s.\-/]", "", _strip_excel_zero(text))
    seccion = _seccion(s)
    if seccion is None:
        raise InvalidCell(
            "el código de ingreso no es válido", "un código MINFIN de 5 o más dígitos, p. ej. 10100"
        )
    concept = concept_for_code(seccion)
    if concept is None:
        raise InvalidCell(
            "el código de ingreso no está en el catálogo",
            "una sección o clase de clasificacion_ingresos.csv, p. ej. 10100, 11200 o 17200",
        )
    return seccion, concept


# --------------------------------------------------------------------------- revenue


def _choose_column(table: pd.DataFrame, synonyms: Sequence[str]) -> str | None:
    """First synonym present; if several, prefer one whose values look like numbers
    (a file may have both ``Código`` and ``Sección`` = the name)."""
    candidates = [s for s in synonyms if s in table.columns]
    for column in candidates:
        sample = table[column][table[column] != ""].head(20)
        if len(sample) and sample.str.contains(r"\d", regex=True).mean() >= 0.5:
            return column
    return candidates[0] if candidates else None


def _parse_column(values: list[str], parse) -> list:
    """Apply ``parse`` once per distinct value; failures are left as InvalidCell objects."""
    results = {}
    for value in set(values):
        try:
            results[value] = parse(value)
        except InvalidCell as exc:
            results[value] = exc
    return [results[v] for v in values]


def read_revenue_export(path: PathLike) -> pd.DataFrame:
    """Read a revenue execution export into the tidy revenue history.

    Accepts SICOIN GL / Portal de Gobiernos Locales exports and the bundled file: CSV or
    XLSX, header noise, accents and synonyms in column names (see ``REVENUE_COLUMNS``),
    formatted amounts and codes without leading zero. Totals and note lines (no code, or a
    key cell starting with "Total") are skipped. Source rows are NOT aggregated:
    duplicated lines stay visible for the data-quality checks.

    Returns columns ``municipio`` ("0901"), ``anio`` (int), ``rubro`` (5-digit sección),
    ``concepto``, ``devengado``, ``vigente`` and ``percibido`` (floats; NaN when the file
    has no such column; an empty cell is 0.0), ``fila`` (source line/row). If there is no
    ``devengado`` column, ``percibido`` is used as devengado.

    Raises DataFileError listing every problem found (file, row, column, value given,
    value expected).
    """
    table = read_table(path, {f: REVENUE_COLUMNS[f] for f in REVENUE_HEADER})
    archivo = table.attrs["archivo"]
    original = table.attrs["columnas"]
    synonyms = normalize_groups(REVENUE_COLUMNS)
    columns = {field: _choose_column(table, syn) for field, syn in synonyms.items()}

    names = [shown(name) for name in original.values()]
    found = ", ".join(names[:20]) + (f", … ({len(names)} columnas)" if len(names) > 20 else "")
    missing = [
        f"{archivo}: falta la columna '{field}' (columnas encontradas: {found}; "
        f"nombres aceptados: {', '.join(REVENUE_COLUMNS[field])})"
        for field in REVENUE_HEADER
        if columns[field] is None
    ]
    if columns["devengado"] is None and columns["percibido"] is None:
        accepted = ", ".join(REVENUE_COLUMNS["devengado"] + REVENUE_COLUMNS["percibido"])
        missing.append(
            f"{archivo}: falta la columna 'devengado' (columnas encontradas: {found}; "
            f"nombres aceptados: {accepted})"
        )
    if missing:
        raise DataFileError(missing)

    keys = [table[columns[f]] for f in REVENUE_HEADER]
    is_total = np.logical_or.reduce(
        [k.str.lower().str.startswith(TOTAL_WORDS) for k in keys]
    )
    is_note = (table[columns["anio"]] == "") & (table[columns["municipio"]] == "")
    table = table[~(is_total | is_note | (table[columns["rubro"]] == ""))]
    if table.empty:
        raise file_error(archivo, "no contiene filas de datos de ingresos")

    devengado_source = columns["devengado"] or columns["percibido"]
    parsers = {
        "anio": (columns["anio"], _parse_year),
        "municipio": (columns["municipio"], _parse_municipality),
        "rubro": (columns["rubro"], _parse_revenue_code),
        "devengado": (devengado_source, parse_amount),
        "vigente": (columns["vigente"], functools.partial(parse_amount, empty=0.0)),
        "percibido": (columns["percibido"], functools.partial(parse_amount, empty=0.0)),
    }
    parsed: dict[str, list] = {}
    problems: list[tuple[int, int, str]] = []
    column_order = list(table.columns)
    lines = table["fila"].tolist()
    for field, (column, parse) in parsers.items():
        if column is None:
            parsed[field] = [np.nan] * len(table)
            continue
        raw = table[column].tolist()
        parsed[field] = values = _parse_column(raw, parse)
        for line, given, err in zip(lines, raw, values):
            if isinstance(err, InvalidCell):
                problems.append((
                    line,
                    column_order.index(column),
                    f"{archivo}: fila {line}, columna '{original[column]}': {err.mensaje} "
                    f"(valor dado: {shown(given)}; se esperaba: {err.esperado})",
                ))
    if problems:
        # dict.fromkeys: percibido used as devengado would report a bad cell twice
        messages = list(dict.fromkeys(m for _, _, m in sorted(problems)))
        if len(messages) > MAX_MESSAGES:
            rest = len(messages) - MAX_MESSAGES
            messages = messages[:MAX_MESSAGES] + [
                f"{archivo}: ... y {rest} problemas más (se muestran los primeros {MAX_MESSAGES})"
            ]
        raise DataFileError(messages)

    return pd.DataFrame(
        {
            "municipio": pd.Series(parsed["municipio"], dtype="str"),
            "anio": pd.Series(parsed["anio"], dtype="int64"),
            "rubro": pd.Series([r[0] for r in parsed["rubro"]], dtype="str"),
            "concepto": pd.Series([r[1] for r in parsed["rubro"]], dtype="str"),
            "devengado": pd.Series(parsed["devengado"], dtype="float64"),
            "vigente": pd.Series(parsed["vigente"], dtype="float64"),
            "percibido": pd.Series(parsed["percibido"], dtype="float64"),
            "fila": pd.Series(lines, dtype="int64"),
        }
    )


__all__ = ["REVENUE_COLUMNS", "concept_for_code", "read_revenue_export"]
