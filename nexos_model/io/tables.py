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
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd

from nexos_model.errors import DataFileError, os_problem


PathLike = str | os.PathLike
HEADER_SCAN_ROWS = 100
#: Largest data file read (bytes): a national SICOIN GL export of 20 years is ~100 MB as CSV.
MAX_FILE_BYTES = 500_000_000
#: Largest a workbook may grow when unzipped (bytes): a "zip bomb" stops here, not in memory.
MAX_UNZIPPED_BYTES = 2_000_000_000
#: Largest amount accepted in a cell (quetzales): more than any municipal budget, by far.
MAX_AMOUNT = 1e11

TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".xls", ""}  # .xls: portals often export text
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
DELIMITERS = (",", ";", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FILLER_WORDS = {"de", "del", "la", "el", "los", "las"}

_AMOUNT_EXPECTED = "un número, p. ej. 1234.56, 1,234.56, Q 1,234.56 o (1,234.56)"
_PLAUSIBLE_EXPECTED = f"un monto de hasta Q {MAX_AMOUNT:,.0f} (más que cualquier presupuesto municipal)"


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


def _decode(data: bytes, archivo: str) -> str:
    """UTF-16 (with BOM), else UTF-8 (BOM optional), else cp1252, else Latin-1.

    Only UTF-16 can fail (Latin-1 decodes any byte): bytes that are not UTF-16 (a file cut at an
    odd byte, a lone surrogate) are a DataFileError naming the row and the character.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            good = data[:exc.start - exc.start % 2].decode("utf-16", errors="replace")
            line = good.count("\n") + 1
            column = len(good) - good.rfind("\n")
            raise file_error(
                archivo,
                f"fila {line}, carácter {column}: bytes que no forman texto UTF-16 (el archivo empieza con "
                "la marca de UTF-16; ¿está incompleto o dañado? Expórtelo de nuevo, o guárdelo como UTF-8)",
            ) from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


class _CsvProblem(Exception):
    """The csv module could not read a record: at which line."""

    def __init__(self, line: int, field_too_large: bool):
        super().__init__(line)
        self.line, self.field_too_large = line, field_too_large


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based starting line, cells) for every record, blank lines included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous_line = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _CsvProblem(previous_line + 1, "field larger than field limit" in str(exc)) from None
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
    try:
        if not path.exists():
            raise file_error(archivo, "el archivo no existe")
        if path.is_dir():
            raise file_error(archivo, "es una carpeta, no un archivo")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise file_error(archivo, f"el archivo ocupa más de {MAX_FILE_BYTES // 1_000_000:,} MB; "
                                      "divídalo por años o por municipios")
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(archivo, f"no se pudo leer el archivo ({os_problem(exc)})") from None
    if not data.strip():
        raise file_error(archivo, "el archivo está vacío")
    return data


def _text_rows(
    data: bytes, archivo: str, groups: dict[str, tuple[str, ...]] | None
) -> tuple[list[tuple[int, list[str]]], int, None]:
    """Rows of a delimited text file, with the delimiter giving the best header."""
    text = _decode(data, archivo)
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
    except _CsvProblem as exc:
        why = (f"un campo tiene más de {csv.field_size_limit():,} caracteres (¿unas comillas sin cerrar?)"
               if exc.field_too_large else "el registro no se puede leer como CSV (¿comillas sin cerrar?)")
        raise file_error(archivo, f"fila {exc.line}: {why}") from None
    return rows, -neg_index if score else -1, None


def _excel_rows(
    data: bytes, archivo: str, groups: dict[str, tuple[str, ...]] | None
) -> tuple[list[tuple[int, list[str]]], int, str | None]:
    """Rows of the first sheet whose header matches (else the best sheet)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        unzipped = 0  # openpyxl says what is wrong with it below
    if unzipped > MAX_UNZIPPED_BYTES:
        raise file_error(archivo, f"el libro de Excel descomprimido ocuparía más de "
                                  f"{MAX_UNZIPPED_BYTES // 1_000_000:,} MB; no parece una exportación de datos")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (and English texts) for damaged files
        raise file_error(
            archivo, "no se pudo abrir como libro de Excel .xlsx (el archivo está dañado, incompleto o no es "
                     "un .xlsx; ábralo en Excel y guárdelo de nuevo como .xlsx o .csv)"
        ) from None
    sheet = None
    try:
        best = (0, -1, None)
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # read the cells there are, not the size the file claims
            score, index = _find_header(_sheet_rows(sheet), groups)
            if score > best[0]:
                best = (score, index, sheet)
                if groups and score == len(groups):
                    break
        score, index, sheet = best
        rows: list[tuple[int, list[str]]] = list(_sheet_rows(sheet)) if sheet is not None else []
        return rows, index, sheet.title if sheet is not None else None
    except Exception:  # a damaged sheet is read lazily: openpyxl (and its XML parser) fail while iterating
        where = f"la hoja '{sheet.title}'" if sheet is not None else "una hoja"
        raise file_error(archivo, f"{where} del libro está dañada y no se puede leer (ábralo en Excel y "
                                  "guárdelo de nuevo como .xlsx o .csv)") from None
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
_PLAIN = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")  # one way to match: linear time
_LONGEST_AMOUNT = 60  # characters: "Q (1,234,567,890.12)" has 20; a longer cell is not an amount
_CURRENCY = re.compile(r"^(?:GTQ|Q\.?)\s*", re.IGNORECASE)


def parse_amount(text: str, empty: float | None = None) -> float:
    """Parse an amount as exports write it: ``1,234.56``, ``Q 1,234.56``, ``Q1234.56``,
    ``(1,234.56)`` or ``-1,234.56`` (negative), ``1.234,56`` (decimal comma).

    An empty cell (or a lone ``-``) gives ``empty``; if ``empty`` is None it is an error.
    Raises ValueError (with a Spanish message) when the text is not an amount, or is one no
    municipality can mean (infinite, or beyond :data:`MAX_AMOUNT`).
    """
    s = str(text).replace("\xa0", " ").strip()
    if len(s) > _LONGEST_AMOUNT:
        raise InvalidCell("el monto no es un número", _AMOUNT_EXPECTED)
    if _PLAIN.fullmatch(s):  # fast path: most cells are plain numbers
        return _plausible(float(s))
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
    value = _plausible(float(s))
    return -value if negative else value


def _plausible(value: float) -> float:
    """``value`` if it can be an amount: finite and at most :data:`MAX_AMOUNT` in absolute value."""
    if not math.isfinite(value) or abs(value) > MAX_AMOUNT:
        raise InvalidCell("el monto no es plausible", _PLAUSIBLE_EXPECTED)
    return value


__all__ = ["MAX_AMOUNT", "InvalidCell", "file_error", "normalize_groups", "normalize_name", "parse_amount", "read_table"]
