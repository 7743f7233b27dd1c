"""The batch's consolidated tables: ``resumen.csv``/``.xlsx`` and ``fallas.csv``.

:func:`headline` is the one place that reads outcomes from a ``run()`` result; when the model
grows (fiscal space, legal-rule checks), it picks them up here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import pandas as pd

from nexos_model.batch.jobs import STATUS, Outcome
from nexos_model.io.bundled import load_municipalities
from nexos_model.io.excel import write_excel
from nexos_model.io.files import atomic_files
from nexos_model.io.writers import write_table

if TYPE_CHECKING:
    from nexos_model.api import RunResult

__all__ = ["FAILURE_COLUMNS", "SUMMARY_COLUMNS", "failures_table", "headline", "summary_table",
           "write_summary"]

#: Concepts whose last projected year goes to the summary (those the run has).
FINAL_CONCEPTS = ("ingresos_propios", "transferencias", "ingresos_totales", "espacio_fiscal")

SUMMARY_COLUMNS = [
    "municipio", "nombre", "departamento", "escenario", "estado",
    "ultimo_anio_observado", "ingresos_propios_observado",
    "primer_anio_proyectado", "ingresos_propios_primer_anio",
    "ultimo_anio_proyectado", *(f"{c}_ultimo_anio" for c in FINAL_CONCEPTS),
    "autonomia_ultimo_anio", "incumplimientos", "parametros", "segundos", "carpeta", "motivo",
]
MONEY_COLUMNS = {"ingresos_propios_observado", "ingresos_propios_primer_anio",
                 *(f"{c}_ultimo_anio" for c in FINAL_CONCEPTS)}
INTEGER_COLUMNS = ("ultimo_anio_observado", "primer_anio_proyectado", "ultimo_anio_proyectado",
                   "incumplimientos")
OPTIONAL_COLUMNS = ("espacio_fiscal_ultimo_anio", "incumplimientos")
FAILURE_COLUMNS = ["municipio", "escenario", "paso", "motivo", "cuaderno_parcial"]


def _breaches(result: "RunResult", code: str) -> int | None:
    """Legal-rule breaches over the projection, when ``run()`` checks the rules (else None).

    Expects ``result.rules`` in long form with ``municipio`` and a boolean ``cumple``.
    """
    rules = getattr(result, "rules", None)
    if not isinstance(rules, pd.DataFrame) or not {"municipio", "cumple"} <= set(rules.columns):
        return None
    mine = rules.loc[rules["municipio"] == code, "cumple"]
    return int((~mine.astype(bool)).sum())


def headline(result: "RunResult", municipio: str | None = None) -> dict[str, Any]:
    """Headline outcomes of one municipality: own-source revenue last observed, in the first
    projected year (the budget being prepared; the years between are estimates) and the last; transfers, total revenue and (when the model has it) fiscal space in the
    last year; autonomy (own / total revenue); rule breaches; the parameters' digest."""
    code = result.code(municipio)
    observed = result.wide(code)  # observed years with totals (and projected ones)
    last_observed = int(result.annual.loc[result.annual["municipio"] == code, "anio"].max())
    projected = result.projection.loc[result.projection["municipio"] == code]
    wide = projected.pivot_table(index="anio", columns="concepto", values="valor", aggfunc="sum")
    first, last = result.budget_year(code), int(wide.index.max())
    row: dict[str, Any] = {
        "ultimo_anio_observado": last_observed,
        "ingresos_propios_observado": float(observed.at[last_observed, "ingresos_propios"]),
        "primer_anio_proyectado": first,
        "ingresos_propios_primer_anio": float(wide.at[first, "ingresos_propios"]),
        "ultimo_anio_proyectado": last,
    }
    for concept in FINAL_CONCEPTS:
        if concept in wide.columns:
            row[f"{concept}_ultimo_anio"] = float(wide.at[last, concept])
    total = wide.at[last, "ingresos_totales"]
    row["autonomia_ultimo_anio"] = float(wide.at[last, "ingresos_propios"] / total) if total else None
    row["incumplimientos"] = _breaches(result, code)
    row["parametros"] = result.parameters[code].digest()
    return row


def summary_table(outcomes: Iterable[Outcome], out_dir: Path) -> pd.DataFrame:
    """One row per municipality and scenario: place, status, headline outcomes, time, folder."""
    places = load_municipalities().set_index("municipio")
    rows = []
    for o in outcomes:
        place = places.loc[o.municipio] if o.municipio in places.index else None
        rows.append({
            "municipio": o.municipio,
            "nombre": place["nombre"] if place is not None else "",
            "departamento": place["departamento"] if place is not None else "",
            "escenario": o.escenario,
            "estado": STATUS[o.status],
            **o.headline,
            "segundos": round(o.seconds, 2),
            "carpeta": str(Path(out_dir) / o.municipio / o.escenario),
            "motivo": o.reason,
        })
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in INTEGER_COLUMNS:  # stay integers beside the blanks of failed jobs
        table[column] = table[column].astype("Int64")
    # Outcomes the model does not produce yet (fiscal space, rule checks) are left out, not blank.
    absent = [c for c in OPTIONAL_COLUMNS if table[c].isna().all()]
    return table.drop(columns=absent)


def failures_table(outcomes: Iterable[Outcome]) -> pd.DataFrame:
    """What failed, where and why (Spanish), with the partial notebook when one ran."""
    rows = [[o.municipio, o.escenario, o.step, o.reason, o.partial] for o in outcomes if o.status == "failed"]
    return pd.DataFrame(rows, columns=FAILURE_COLUMNS)


def write_summary(outcomes: list[Outcome], out_dir: Path) -> dict[str, Path]:
    """Write ``resumen.csv``, ``resumen.xlsx`` and ``fallas.csv`` into ``out_dir``, as one set
    (:func:`~nexos_model.io.files.atomic_files`): the three always describe the same run."""
    out_dir = Path(out_dir)
    table = summary_table(outcomes, out_dir)
    paths = {name: out_dir / name for name in ("resumen.csv", "resumen.xlsx", "fallas.csv")}
    with atomic_files(paths.values()) as staged:
        write_table(table, staged[paths["resumen.csv"]])
        write_excel({"Resumen": table}, staged[paths["resumen.xlsx"]], money_columns=MONEY_COLUMNS,
                    percent_columns={"autonomia_ultimo_anio"})
        write_table(failures_table(outcomes), staged[paths["fallas.csv"]])
    return paths
