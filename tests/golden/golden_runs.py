"""Golden outputs of whole runs: what is run, which tables are kept, how they are written and compared.

Three municipalities (Quetzaltenango 0901 and Huehuetenango 1301, which have a portfolio file,
and Pachalum 1421, Quiché: 8,839 inhabitants, 76 % rural, one doubtful value excluded, an
illustrative portfolio) × two scenarios (``base`` and the ``actualizacion_catastral`` reform),
each through ``run(..., planificar=True)``. Kept: the tidy projection, the fiscal space by
source, and the investment plan (schedule, funding mix by year and source, funding by project,
source and year, POA), one CSV per scenario and table under ``tests/golden/<escenario>/``.

The stored files change only through ``make golden`` (``python -m tests.golden.regenerate``);
``make test`` compares every run with them (``test_golden_runs.py``).

Numbers are written rounded: money (quetzales) and population to 2 decimals (the centavo),
scores and shares of use to 6. The comparison takes the NEW unrounded value and accepts it when
it lies within half a unit of the stored last decimal (for money: it rounds to the stored
centavo), plus a slack of 1e-9 relative: a value sitting on the half-centavo boundary may
round either way after a harmless reordering of a floating-point sum, and that must not fail.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from nexos_model.api import run

HERE = Path(__file__).resolve().parent
MUNICIPIOS = ("0901", "1301", "1421")
ESCENARIOS = ("base", "actualizacion_catastral")

#: Everything that depends on the date is pinned here, so a golden never changes with the day
#: it is run on: the budget being prepared (its default is the year after today's date). With
#: data to 2019, 2020-2026 are estimated and 2027-2036 projected; the plan and its POA start in
#: 2027, the reforms too, and new loans end within the council's term in course each year.
PINNED = {
    "calendario.anio_presupuesto": 2027,
}

#: Columns written with 6 decimals (scores and shares of use, 0 to 1); every other float is
#: money in quetzales (or population) and is written to the centavo.
FRACTIONS = {"puntaje": 6, "uso": 6}
CENTAVO = 2
#: Slack for a value on a rounding boundary: relative float noise of a sum reordered.
RELATIVE_NOISE = 1e-9


@dataclass(frozen=True)
class Table:
    """A golden table: how to take it from a run, and the columns that identify a row."""

    name: str
    key: tuple[str, ...]
    take: Callable  # (RunResult) -> DataFrame


def _plan_table(attribute: str) -> Callable:
    def take(result) -> pd.DataFrame:
        parts = [getattr(result.plans[code], attribute).assign(municipio=code) for code in result.municipios]
        table = pd.concat(parts, ignore_index=True)
        return table[["municipio"] + [c for c in table.columns if c != "municipio"]]

    return take


TABLES = (
    Table("proyeccion", ("escenario", "municipio", "anio", "concepto"), lambda r: r.projection),
    Table("espacio_fiscal", ("municipio", "anio", "fuente"), lambda r: r.fiscal_space),
    Table("cronograma", ("municipio", "proyecto"), _plan_table("cronograma")),
    Table("financiamiento", ("municipio", "anio", "fuente"), _plan_table("financiamiento")),
    Table("financiamiento_proyectos", ("municipio", "proyecto", "fuente", "anio"),
          _plan_table("financiamiento_proyectos")),
    Table("poa", ("municipio", "proyecto", "anio"), _plan_table("poa")),
)


def golden_run(escenario: str):
    """The run behind the goldens of one scenario: the bundled data and the project's ``params/``
    (never the caller's ``NEXOS_PARAMETROS``), calendar keys pinned."""
    saved = os.environ.pop("NEXOS_PARAMETROS", None)
    try:
        return run(list(MUNICIPIOS), escenario, overrides=dict(PINNED), planificar=True)
    finally:
        if saved is not None:
            os.environ["NEXOS_PARAMETROS"] = saved


def path(escenario: str, table: str) -> Path:
    return HERE / escenario / f"{table}.csv"


def _decimals(column: str) -> int:
    return FRACTIONS.get(column, CENTAVO)


def as_text(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the strings written to the CSV: floats rounded (no ``-0.00``), the rest as is."""
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_float_dtype(values):
            d = _decimals(column)
            out[column] = [f"{round(float(v), d) + 0.0:.{d}f}" if np.isfinite(v) else "" for v in values]
        else:
            out[column] = ["" if pd.isna(v) else str(v) for v in values]
    return out


def to_csv(table: pd.DataFrame) -> str:
    buffer = io.StringIO()
    as_text(table).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def write(escenario: str, table: Table, frame: pd.DataFrame) -> Path:
    target = path(escenario, table.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(to_csv(frame), encoding="utf-8")
    return target


def read(escenario: str, table: str) -> pd.DataFrame:
    return pd.read_csv(path(escenario, table), dtype=str, keep_default_na=False)


def differences(stored: pd.DataFrame, new: pd.DataFrame, key: tuple[str, ...], limit: int = 25) -> list[str]:
    """What differs between a stored golden (strings) and a new table, in lines a person reads:
    columns added or removed, rows only in one of them, cells that differ (old vs new) and a
    changed row order. Empty when they agree."""
    new_text = as_text(new)
    if list(stored.columns) != list(new_text.columns):
        return [f"columns: stored {list(stored.columns)}", f"         new    {list(new_text.columns)}"]
    key = list(key)
    lines: list[str] = []
    for name, frame in (("stored", stored), ("new", new_text)):
        repeated = frame.loc[frame.duplicated(key, keep=False), key]
        if len(repeated):
            lines.append(f"key {key} repeated in the {name} table: {repeated.drop_duplicates().values.tolist()[:5]}")
    if lines:
        return lines
    old_keys = pd.MultiIndex.from_frame(stored[key])
    new_keys = pd.MultiIndex.from_frame(new_text[key])

    def show(frame: pd.DataFrame, i: int) -> str:
        return ", ".join(f"{c}={frame.iloc[i][c]}" for c in frame.columns)

    for i in np.flatnonzero(~old_keys.isin(new_keys)):
        lines.append(f"only stored: {show(stored, i)}")
    for i in np.flatnonzero(~new_keys.isin(old_keys)):
        lines.append(f"only new:    {show(new_text, i)}")
    position = {k: i for i, k in enumerate(old_keys)}
    values = [c for c in new.columns if c not in key]
    for j, k in enumerate(new_keys):
        i = position.get(k)
        if i is None:
            continue
        cells = []
        for column in values:
            old, text = stored.iloc[i][column], new_text.iloc[j][column]
            if pd.api.types.is_float_dtype(new[column]) and old != "" and text != "":
                value = float(new[column].iloc[j])
                same = abs(value - float(old)) <= 0.5 * 10.0 ** -_decimals(column) + RELATIVE_NOISE * max(1.0, abs(value))
            else:
                same = old == text
            if not same:
                cells.append(f"{column}: {old} -> {text}")
        if cells:
            lines.append(", ".join(f"{c}={v}" for c, v in zip(key, k)) + ": " + "; ".join(cells))
    if not lines and list(old_keys) != list(new_keys):
        lines.append("same rows in a different order (first difference at row "
                     f"{next(i for i, (a, b) in enumerate(zip(old_keys, new_keys)) if a != b) + 2} of the CSV)")
    if len(lines) > limit:
        lines = lines[:limit] + [f"... and {len(lines) - limit} more"]
    return lines


def regenerate() -> list[Path]:
    """Rewrite every golden table (``make golden``)."""
    written = []
    for escenario in ESCENARIOS:
        result = golden_run(escenario)
        for table in TABLES:
            written.append(write(escenario, table, table.take(result)))
    return written
