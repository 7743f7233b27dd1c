"""Reading any table users bring (CSV or XLSX) as strings, whatever noise is around it.

Real exports are messy (title lines above the header, Latin-1 text, ``;`` delimiters, blank
lines, ``Q 1,234.56`` amounts), so :func:`read_table` turns any CSV/XLSX into a DataFrame of
strings with normalised column names and the source row number (``fila``), and
:func:`parse_amount` reads amounts as exports write them. It knows nothing of revenue: the
SICOIN GL export (:mod:`nexos_model.io.sicoin`) and portfolio files
(:mod:`nexos_model.io.portfolio`) are read through it.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd

from nexos_model.errors import DataFileError


PathLike = str | os.PathLike
HEADER_SCAN_ROWS = 100

TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".xls", ""}  # .xls: portals often export text
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = (",", ";", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FILLER_WORDS = {"de", "del", "la", "el", "los", "las"}

_AMOUNT_EXPECTED = "un número, p. ej. 1234.56, 1,234.56, Q 1,234.56 o (1,234.56)"


class InvalidCell(ValueError):
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


def normalize_groups(groups: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
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


def file_error(archivo: str, mensaje: str) -> DataFileError:
    return DataFileError([f"{archivo}: {mensaje}"])


def _load_bytes(path: Path, archivo: str) -> bytes:
    if not path.exists():
        raise file_error(archivo, "el archivo no existe")
    if path.is_dir():
        raise file_error(archivo, "es una carpeta, no un archivo")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(archivo, f"no se pudo leer el archivo ({exc.strerror or exc})") from None
    if not data.strip():
        raise file_error(archivo, "el archivo está vacío")
    return data


def _text_rows(
    data: bytes, archivo: str, groups: dict[str, tuple[str, ...]] | None
) -> tuple[list[tuple[int, list[str]]], int, None]:
    """Rows of a delimited text file, with the delimiter giving the best header."""
    text = _decode(data)
    if "\x00" in text:
        raise file_error(archivo, "no parece un archivo de texto (se esperaba: CSV o XLSX)")
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
        raise file_error(archivo, f"no se pudo leer como CSV ({exc})") from None
    return rows, -neg_index if score else -1, None


def _excel_rows(
    data: bytes, archivo: str, groups: dict[str, tuple[str, ...]] | None
) -> tuple[list[tuple[int, list[str]]], int, str | None]:
    """Rows of the first sheet whose header matches (else the best sheet)."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise file_error(
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
        rows: list[tuple[int, list[str]]] = list(_sheet_rows(sheet)) if sheet is not None else []
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
    groups = normalize_groups(header) if header else None
    data = _load_bytes(path, archivo)
    suffix = path.suffix.lower()

    if data.startswith(_OLE_MAGIC):
        raise file_error(
            archivo,
            "el formato Excel 97-2003 (.xls) no es compatible; guárdelo como .xlsx o .csv",
        )
    if data.startswith(_ZIP_MAGIC):
        rows, index, sheet = _excel_rows(data, archivo, groups)
    elif suffix in EXCEL_SUFFIXES:
        raise file_error(archivo, "no es un libro de Excel .xlsx válido")
    elif suffix in TEXT_SUFFIXES:
        rows, index, sheet = _text_rows(data, archivo, groups)
    else:
        raise file_error(
            archivo,
            f"tipo de archivo no compatible '{suffix}' (se esperaba: .csv, .txt, .tsv o .xlsx)",
        )

    if index < 0:
        buscadas = (
            "; ".join(f"{field}: {', '.join(syn)}" for field, syn in header.items())
            if header
            else "cualquier fila con texto"
        )
        raise file_error(archivo, f"no se encontró la fila de encabezados (se buscaron columnas: {buscadas})")

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


# --------------------------------------------------------------------------- amounts


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
            raise InvalidCell("falta el monto", _AMOUNT_EXPECTED)
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
        raise InvalidCell("el monto no es un número", _AMOUNT_EXPECTED)
    value = float(s)
    return -value if negative else value


__all__ = ["InvalidCell", "file_error", "normalize_groups", "normalize_name", "parse_amount", "read_table"]
