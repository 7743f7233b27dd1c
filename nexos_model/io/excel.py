"""Excel export: result tables as a workbook a municipal finance office can read and print.

One sheet per table, headers as given (Spanish), header row bold, frozen and with a filter,
columns fitted to their contents, amounts shown as ``Q 1,234.56`` and fractions as ``12.3 %``.
The cells keep the numbers themselves (not text), so staff can keep calculating with them.

Which columns hold amounts or fractions: the names in :data:`MONEY_COLUMNS` and
:data:`PERCENT_COLUMNS` plus those passed per call, and, per table, ``df.attrs["formatos"]``:
``{column: "quetzales" | "porcentaje"}``, or a list with one of those (or None) per row for a
column that mixes units (indicators).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nexos_model.io.files import atomic_path, frame_for_output
from nexos_model.wording import porcentaje, quetzales

__all__ = [
    "MONEY_COLUMNS",
    "MONEY_FORMAT",
    "PERCENT_COLUMNS",
    "PERCENT_FORMAT",
    "FORMATS_ATTR",
    "sheet_title",
    "write_excel",
]

#: Excel number format for quetzales: shows ``Q 1,234.56`` and ``-Q 1,234.56``.
MONEY_FORMAT = '"Q" #,##0.00'
#: Excel number format for fractions: 0.123 shows as ``12.3 %``.
PERCENT_FORMAT = "0.0 %"

#: Columns that hold quetzales in the result tables (long form ``valor`` and its percentiles,
#: history ``devengado``/``vigente``, portfolio ``monto``). Extend per call with ``money_columns``.
MONEY_COLUMNS = frozenset({"valor", "monto", "devengado", "vigente", "p10", "p50", "p90"})
#: Columns that hold fractions shown as percentages. Extend per call with ``percent_columns``.
PERCENT_COLUMNS = frozenset({"porcentaje"})
#: ``DataFrame.attrs`` key with a table's own formats (see the module docstring).
FORMATS_ATTR = "formatos"
_NAMED_FORMATS = {"quetzales": MONEY_FORMAT, "porcentaje": PERCENT_FORMAT, None: None}

_MAX_TITLE = 31  # Excel's limit on sheet names
_INVALID_TITLE = re.compile(r"[\\/*?:\[\]]")
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def sheet_title(name: object, taken: Iterable[str] = ()) -> str:
    """A valid, unused Excel sheet name for ``name``.

    Replaces the characters Excel forbids (``\\ / * ? : [ ]``) with ``-``, drops leading and
    trailing apostrophes, avoids the reserved ``History``, cuts to 31 characters, and adds
    `` (2)``, `` (3)``... when the name is already taken (Excel compares ignoring case).
    """
    title = _INVALID_TITLE.sub("-", ILLEGAL_CHARACTERS_RE.sub("", str(name))).strip().strip("'")
    title = title or "Hoja"
    if title.lower() == "history":
        title = "History_"
    used = {t.lower() for t in taken}
    candidate, n = title[:_MAX_TITLE], 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = title[: _MAX_TITLE - len(suffix)] + suffix
    return candidate


def _cell_value(v: object) -> object:
    """A value openpyxl can store: missing -> empty cell, numpy/pandas scalars -> Python."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (str, bool, int, Decimal)):
        return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
    if isinstance(v, pd.Timestamp):
        return v.tz_localize(None).to_pydatetime() if v.tzinfo else v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None)
    if isinstance(v, (dt.date, dt.time, dt.timedelta)):
        return v
    if hasattr(v, "item"):  # numpy scalar
        return _cell_value(v.item())
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return ILLEGAL_CHARACTERS_RE.sub("", str(v))


def _header(label: object) -> object:
    """A column label as a header cell; MultiIndex labels are joined with spaces."""
    if isinstance(label, tuple):
        return " ".join(str(p) for p in label if str(p) != "")
    return _cell_value(label)


def _shown(v: object, number_format: str | None) -> str:
    """Roughly what Excel shows in the cell, to size the column."""
    if v is None:
        return ""
    is_number = isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)
    if is_number and number_format == MONEY_FORMAT:
        return quetzales(v)
    if is_number and number_format == PERCENT_FORMAT:
        return porcentaje(v)
    if isinstance(v, float):
        return f"{v:.10g}"  # Excel's General format shows about 10 significant digits
    return str(v)


def _column_format(label: object, money: frozenset, percent: frozenset) -> str | None:
    name = label if isinstance(label, str) else None
    if name in money:
        return MONEY_FORMAT
    if name in percent:
        return PERCENT_FORMAT
    return None


def _table_formats(df: pd.DataFrame, columns: list, rows: int, money: frozenset,
                   percent: frozenset) -> list[list[str | None]]:
    """The number format of every cell, column by column: the table's own ``attrs`` first,
    then the money and percentage column names."""
    own = df.attrs.get(FORMATS_ATTR, {}) or {}
    out = []
    for label in columns:
        spec = own.get(label) if isinstance(label, str) else None
        if spec is None:
            out.append([_column_format(label, money, percent)] * rows)
        elif isinstance(spec, str):
            if spec not in _NAMED_FORMATS:
                raise ValueError(f"formato desconocido para la columna {label!r}: {spec!r} "
                                 f"(se esperaba quetzales o porcentaje)")
            out.append([_NAMED_FORMATS[spec]] * rows)
        else:
            spec = list(spec)
            if len(spec) != rows or any(f not in _NAMED_FORMATS for f in spec):
                raise ValueError(f"formatos por fila de la columna {label!r}: se esperaban {rows} valores "
                                 f"quetzales, porcentaje o None")
            out.append([_NAMED_FORMATS[f] for f in spec])
    return out


def write_excel(
    sheets: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    money_columns: Iterable[str] | None = None,
    percent_columns: Iterable[str] | None = None,
) -> Path:
    """Write ``sheets`` (sheet name -> table) to the workbook ``path``, atomically.

    Money columns are :data:`MONEY_COLUMNS` plus ``money_columns``; their numeric cells get
    :data:`MONEY_FORMAT`. Percentage columns (fractions: 0.123 is 12.3 %) are
    :data:`PERCENT_COLUMNS` plus ``percent_columns`` and get :data:`PERCENT_FORMAT`. A table's
    ``attrs["formatos"]`` overrides both for its columns (whole column or row by row). A named
    index is written as leading columns, an unnamed one is not written. Text starting with
    ``=`` is stored as text, never as a formula. Returns the path written.
    """
    if not sheets:
        raise ValueError(f"{path}: no hay tablas que escribir")
    money = MONEY_COLUMNS | frozenset(money_columns or ())
    percent = PERCENT_COLUMNS | frozenset(percent_columns or ())

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(sheet_title(name, wb.sheetnames))
        table = frame_for_output(df)
        ncols = len(table.columns)
        if ncols == 0:
            continue
        headers = [_header(c) for c in table.columns]
        formats = _table_formats(df, list(table.columns), len(table), money, percent)
        columns = [[_cell_value(v) for v in table.iloc[:, j].tolist()] for j in range(ncols)]
        widths = [len(_shown(h, None)) for h in headers]

        ws.append(headers)
        for j, h in enumerate(headers, start=1):
            cell = ws.cell(row=1, column=j)
            cell.font = bold
            if isinstance(h, str) and h.startswith("="):
                cell.data_type = "s"
        for i, row in enumerate(zip(*columns), start=2):
            ws.append(row)
            for j, v in enumerate(row):
                fmt = formats[j][i - 2]
                if isinstance(v, str) and v.startswith("="):
                    ws.cell(row=i, column=j + 1).data_type = "s"  # text, not a formula
                elif fmt and isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                    ws.cell(row=i, column=j + 1).number_format = fmt
                widths[j] = max(widths[j], len(_shown(v, fmt)))

        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{len(table) + 1}"
        for j, w in enumerate(widths, start=1):
            width = min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH)
            ws.column_dimensions[get_column_letter(j)].width = width

    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
