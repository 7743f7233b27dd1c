"""Readers for the files users bring: SICOIN GL / Portal de Gobiernos Locales exports.

Real exports are messy (title lines above the header, Latin-1 text, ``;`` delimiters,
``Q 1,234.56`` amounts, totals lines, codes without leading zeros), so the reading is
split in two steps:

* :func:`read_table` turns any CSV/XLSX into a DataFrame of strings with normalised
  column names and the source row number (``fila``). It knows nothing of revenue.
* :func:`read_revenue_export` maps that table's columns through a synonym table, parses
  and validates every cell, and returns the tidy revenue history (DESIGN.md section 3).

Problems are collected, not raised one by one: the user gets every bad cell in a single
:class:`~nexos_model.errors.DataFileError`, each message naming file, row and column.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd

from nexos_model.errors import DataFileError
from nexos_model.io.bundled import data_path, load_municipalities

PathLike = str | os.PathLike

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
HEADER_SCAN_ROWS = 100

TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".xls", ""}  # .xls: portals often export text
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = (",", ";", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FILLER_WORDS = {"de", "del", "la", "el", "los", "las"}

_AMOUNT_EXPECTED = "un número, p. ej. 1234.56, 1,234.56, Q 1,234.56 o (1,234.56)"


class _Invalid(ValueError):
    """A cell value that cannot be parsed; carries the Spanish message parts."""

    def __init__(self, mensaje: str, esperado: str):
        super().__init__(f"{mensaje} (se esperaba: {esperado})")
        self.mensaje = mensaje
        self.esperado = esperado


# --------------------------------------------------------------------------- names


def normalize_name(text: object) -> str:
    """Column-name key: no accents, lower case, words joined by ``_``, filler words dropped.

    ``"Código de Municipio"`` and ``"cod. municipio "`` give ``codigo_municipio`` and
    ``cod_municipio``; ``"AÑO"`` gives ``ano``.
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return "_".join(w for w in re.findall(r"[a-z0-9]+", plain) if w not in _FILLER_WORDS)


def _normalize_groups(groups: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    return {field: tuple(dict.fromkeys(normalize_name(s) for s in syn)) for field, syn in groups.items()}


# --------------------------------------------------------------------------- raw rows


def _cell_text(value: object) -> str:
    """Spreadsheet cell as text; integral floats lose their ``.0`` (codes, years)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    """UTF-16 (with BOM), else UTF-8 (BOM optional), else cp1252, else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based starting line, cells) for every record, blank lines included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous_line = 0
    for cells in reader:
        yield previous_line + 1, [c.strip() for c in cells]
        previous_line = reader.line_num


def _sheet_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    """Yield (Excel row number, cells) for every row of an openpyxl sheet."""
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        yield number, [_cell_text(v) for v in values]


def _header_score(
    cells: list[str], groups: dict[str, tuple[str, ...]] | None
) -> int:
    """How header-like a row is: groups matched, or non-empty cells without groups."""
    if not groups:
        return sum(1 for c in cells if c)
    names = {normalize_name(c) for c in cells if c}
    return sum(1 for synonyms in groups.values() if names.intersection(synonyms))


def _find_header(
    rows: Iterable[tuple[int, list[str]]], groups: dict[str, tuple[str, ...]] | None
) -> tuple[int, int]:
    """(score, index) of the first best header among the first rows; (0, -1) if none."""
    best = (0, -1)
    for index, (_, cells) in enumerate(itertools.islice(rows, HEADER_SCAN_ROWS)):
        score = _header_score(cells, groups)
        if score > best[0]:
            best = (score, index)
            if groups and score == len(groups):
                break
    return best


# --------------------------------------------------------------------------- read_table


def _fail(archivo: str, mensaje: str) -> DataFileError:
    return DataFileError([f"{archivo}: {mensaje}"])


def _load_bytes(path: Path, archivo: str) -> bytes:
    if not path.exists():
        raise _fail(archivo, "el archivo no existe")
    if path.is_dir():
        raise _fail(archivo, "es una carpeta, no un archivo")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(archivo, f"no se pudo leer el archivo ({exc.strerror or exc})") from None
    if not data.strip():
        raise _fail(archivo, "el archivo está vacío")
    return data


def _text_rows(
    data: bytes, archivo: str, groups: dict[str, tuple[str, ...]] | None
) -> tuple[list[tuple[int, list[str]]], int, None]:
    """Rows of a delimited text file, with the delimiter giving the best header."""
    text = _decode(data)
    if "\x00" in text:
        raise _fail(archivo, "no parece un archivo de texto (se esperaba: CSV o XLSX)")
    try:
        # Best delimiter: highest header score, then earliest header, then widest header.
        scored = []
        for delimiter in DELIMITERS:
            head = list(itertools.islice(_csv_rows(text, delimiter), HEADER_SCAN_ROWS))
            score, index = _find_header(head, groups)
            width = len(head[index][1]) if index >= 0 else 0
            scored.append((score, -index, width, delimiter))
        score, neg_index, _, delimiter = max(scored)
        rows = list(_csv_rows(text, delimiter)) if score else []
    except csv.Error as exc:
        raise _fail(archivo, f"no se pudo leer como CSV ({exc})") from None
    return rows, -neg_index if score else -1, None


def _excel_rows(
    data: bytes, archivo: str, groups: dict[str, tuple[str, ...]] | None
) -> tuple[list[tuple[int, list[str]]], int, str | None]:
    """Rows of the first sheet whose header matches (else the best sheet)."""
    import openpyxl  # imported lazily: only XLSX users pay for it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise _fail(
            archivo, f"no se pudo abrir como libro de Excel .xlsx ({type(exc).__name__}: {exc})"
        ) from None
    try:
        best = (0, -1, None)
        for sheet in book.worksheets:
            score, index = _find_header(_sheet_rows(sheet), groups)
            if score > best[0]:
                best = (score, index, sheet)
                if groups and score == len(groups):
                    break
        score, index, sheet = best
        rows = list(_sheet_rows(sheet)) if sheet is not None else []
        return rows, index, sheet.title if sheet is not None else None
    finally:
        book.close()


def _unique_names(names: Sequence[str]) -> list[str]:
    """Make normalised names unique (``x``, ``x_2``...); ``fila`` is reserved."""
    seen = {"fila"}
    out = []
    for position, name in enumerate(names, start=1):
        name = name or f"columna_{position}"
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def read_table(
    path: PathLike, header: Mapping[str, Iterable[str]] | None = None
) -> pd.DataFrame:
    """Read any CSV/XLSX with header noise into a DataFrame of strings.

    ``header`` maps field names to column-name synonyms; the header row is the first row
    (among the first 100) naming one synonym of every field, else the row naming most
    fields. Without it, the header is the first row with the most non-empty cells.
    Rows above the header and blank rows are dropped; empty cells are ``""``.

    Columns get normalised names (:func:`normalize_name`) plus ``fila``, the 1-based line
    (CSV) or row (XLSX) number in the source. ``attrs`` holds ``archivo`` (the path as
    given), ``hoja`` (sheet name or None), ``fila_encabezado`` and ``columnas`` (normalised
    name -> name as written, for messages).

    Raises DataFileError for a missing, empty, unreadable or unsupported file, or one
    without a recognisable header.
    """
    archivo = str(path)
    path = Path(path)
    groups = _normalize_groups(header) if header else None
    data = _load_bytes(path, archivo)
    suffix = path.suffix.lower()

    if data.startswith(_OLE_MAGIC):
        raise _fail(
            archivo,
            "el formato Excel 97-2003 (.xls) no es compatible; guárdelo como .xlsx o .csv",
        )
    if data.startswith(_ZIP_MAGIC):
        rows, index, sheet = _excel_rows(data, archivo, groups)
    elif suffix in EXCEL_SUFFIXES:
        raise _fail(archivo, "no es un libro de Excel .xlsx válido")
    elif suffix in TEXT_SUFFIXES:
        rows, index, sheet = _text_rows(data, archivo, groups)
    else:
        raise _fail(
            archivo,
            f"tipo de archivo no compatible '{suffix}' (se esperaba: .csv, .txt, .tsv o .xlsx)",
        )

    if index < 0:
        buscadas = (
            "; ".join(f"{field}: {', '.join(syn)}" for field, syn in header.items())
            if header
            else "cualquier fila con texto"
        )
        raise _fail(archivo, f"no se encontró la fila de encabezados (se buscaron columnas: {buscadas})")

    header_line, header_cells = rows[index]
    width = len(header_cells)
    names = _unique_names([normalize_name(c) for c in header_cells])
    body = [
        (line, cells if len(cells) == width else (cells + [""] * width)[:width])
        for line, cells in rows[index + 1 :]
        if any(cells)
    ]
    columns = list(zip(*(cells for _, cells in body))) if body else [()] * width
    keep = [j for j in range(width) if header_cells[j] or any(columns[j])]
    table = pd.DataFrame(
        {names[j]: pd.Series(columns[j], dtype="str") for j in keep}
        | {"fila": pd.Series([line for line, _ in body], dtype="int64")}
    )
    table.attrs.update(
        archivo=archivo,
        hoja=sheet,
        fila_encabezado=header_line,
        columnas={names[j]: header_cells[j] or names[j] for j in keep},
    )
    return table


# --------------------------------------------------------------------------- cell parsers


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_EUROPEAN = re.compile(r"\d{1,3}(?:\.\d{3})+,\d+|\d+,\d{1,2}")
_PLAIN = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_CURRENCY = re.compile(r"^(?:GTQ|Q\.?)\s*", re.IGNORECASE)


def parse_amount(text: str, empty: float | None = None) -> float:
    """Parse an amount as exports write it: ``1,234.56``, ``Q 1,234.56``, ``Q1234.56``,
    ``(1,234.56)`` or ``-1,234.56`` (negative), ``1.234,56`` (decimal comma).

    An empty cell (or a lone ``-``) gives ``empty``; if ``empty`` is None it is an error.
    Raises ValueError (with a Spanish message) when the text is not an amount.
    """
    s = str(text).replace("\xa0", " ").strip()
    if _PLAIN.fullmatch(s):  # fast path: most cells are plain numbers
        return float(s)
    if s in ("", "-"):
        if empty is None:
            raise _Invalid("falta el monto", _AMOUNT_EXPECTED)
        return empty
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    for _ in range(2):  # sign before or after the currency: "-Q 5", "Q -5"
        if s.startswith("-"):
            negative, s = not negative, s[1:].strip()
        s = _CURRENCY.sub("", s)
    if _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    elif _EUROPEAN.fullmatch(s):
        s = s.replace(".", "").replace(",", ".")
    elif not _PLAIN.fullmatch(s):
        raise _Invalid("el monto no es un número", _AMOUNT_EXPECTED)
    value = float(s)
    return -value if negative else value


def _strip_excel_zero(text: str) -> str:
    """``901.0`` (a code that went through Excel) -> ``901``."""
    return re.sub(r"\.0+$", "", text.strip())


def _parse_year(text: str) -> int:
    s = _strip_excel_zero(text)
    if not re.fullmatch(r"\d{4}", s) or not 2000 <= int(s) <= 2100:
        raise _Invalid("el año no es válido", "un año entero entre 2000 y 2100")
    return int(s)


@functools.lru_cache(maxsize=None)
def _known_municipalities() -> frozenset[str]:
    return frozenset(load_municipalities()["municipio"])


def _parse_municipality(text: str) -> str:
    s = _strip_excel_zero(text)
    if not re.fullmatch(r"\d{1,4}", s):
        raise _Invalid(
            "el código de municipio no es válido", "un código INE de 1 a 4 dígitos, p. ej. 0901"
        )
    code = s.zfill(4)
    if code not in _known_municipalities():
        raise _Invalid(
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
        raise _Invalid(
            "el código de ingreso no es válido", "un código MINFIN de 5 o más dígitos, p. ej. 10100"
        )
    concept = concept_for_code(seccion)
    if concept is None:
        raise _Invalid(
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
    """Apply ``parse`` once per distinct value; failures are left as _Invalid objects."""
    results = {}
    for value in set(values):
        try:
            results[value] = parse(value)
        except _Invalid as exc:
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
    synonyms = _normalize_groups(REVENUE_COLUMNS)
    columns = {field: _choose_column(table, syn) for field, syn in synonyms.items()}

    found = ", ".join(original.values())
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
        raise _fail(archivo, "no contiene filas de datos de ingresos")

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
            if isinstance(err, _Invalid):
                problems.append((
                    line,
                    column_order.index(column),
                    f"{archivo}: fila {line}, columna '{original[column]}': {err.mensaje} "
                    f"(valor dado: {given!r}; se esperaba: {err.esperado})",
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
