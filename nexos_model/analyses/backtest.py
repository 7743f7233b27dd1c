"""Backtest: project from data up to a year, compare with what really happened after it.

Used to choose the trend method honestly, on more than one held-out year, against the naive
last-value forecast.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from nexos_model import catalog, projection as core
from nexos_model.api import prepare_history
from nexos_model.diagnostics.quality import annual_values
from nexos_model.errors import NexosError
from nexos_model.io.history import load_history
from nexos_model.params.loader import load_parameters
from nexos_model.params.values import Values
from nexos_model.scenarios.montecarlo import simulate

BACKTEST_COLUMNS = ["municipio", "concepto", "anio", "prediccion", "real"]


def backtest(until: int, escenario: str = "base", overrides: Mapping[str, Any] | list[str] | None = None,
             datos: str | None = None, simulaciones: int = 0, semilla: int = 2026) -> pd.DataFrame:
    """Predictions from data up to ``until`` beside the observed values of the later years.

    With ``simulaciones`` the Monte Carlo bands of own-source revenue are added (columns
    ``p10``, ``p90``) so the intervals can be checked for honesty (:func:`interval_coverage`).
    """
    history = load_history(datos)
    later = sorted(y for y in history["anio"].unique() if y > until)
    if not later or until < history["anio"].min() + 1:
        raise NexosError(
            f"--hasta {until}: se necesitan al menos dos años de datos hasta {until} y alguno "
            f"después (años disponibles: {history['anio'].min()}-{history['anio'].max()})")
    # As if the budget of the year after ``until`` were being prepared, through the last year with data.
    calendar = {"calendario.anio_presupuesto": until + 1, "calendario.horizonte": int(max(later) - until)}
    params = load_parameters(None, escenario, _merge_overrides(overrides, calendar)).params
    q = params.quality
    prepared = prepare_history(history.loc[history["anio"] <= until], params.projection.measure,
                               q.outlier_factor, q.outlier_floor, q.flagged_values == "excluir")
    ctx, stream_growth = prepared.context(core.end_year(params.calendar))
    arrays = core.project_arrays(prepared.inputs, Values(params), ctx, stream_growth)
    predicted = core.lines_table(arrays, escenario).rename(columns={"valor": "prediccion"})
    observed = observed_values(history, later, params.projection.measure)
    table = predicted.merge(observed, on=["municipio", "anio", "concepto"], how="inner")
    columns = list(BACKTEST_COLUMNS)
    if simulaciones:
        sim = simulate(prepared.inputs, params, ctx, stream_growth, simulaciones, semilla,
                       outcomes=("ingresos_propios",))
        table = table.merge(sim.percentiles[["municipio", "anio", "concepto", "p10", "p90"]],
                            on=["municipio", "anio", "concepto"], how="left")
        columns += ["p10", "p90"]
    return table[columns].sort_values(["municipio", "concepto", "anio"]).reset_index(drop=True)


def interval_coverage(table: pd.DataFrame, concept: str = "ingresos_propios") -> pd.DataFrame:
    """Per held-out year: how often the real value fell inside the p10-p90 band (goal ≈ 80 %)."""
    sub = table.loc[(table["concepto"] == concept) & table["p10"].notna()]
    inside = (sub["real"] >= sub["p10"]) & (sub["real"] <= sub["p90"])
    return (sub.assign(dentro=inside).groupby("anio")
            .agg(casos=("dentro", "size"), dentro_p10_p90=("dentro", "mean"),
                 debajo=("real", lambda r: float((r < sub.loc[r.index, "p10"]).mean())),
                 encima=("real", lambda r: float((r > sub.loc[r.index, "p90"]).mean())))
            .reset_index())


def naive_forecast(table: pd.DataFrame, until: int, datos: str | None = None,
                   measure: str = "devengado") -> pd.DataFrame:
    """The naive benchmark beside ``table``: each concept's last observed value up to ``until``,
    repeated in every later year (no model, no cleaning: what a spreadsheet would carry forward)."""
    history = load_history(datos)
    known = sorted(y for y in history["anio"].unique() if y <= until)
    last = observed_values(history, known, measure).sort_values("anio").groupby(
        ["municipio", "concepto"], as_index=False).last()
    out = table.drop(columns="prediccion").merge(
        last[["municipio", "concepto", "real"]].rename(columns={"real": "prediccion"}),
        on=["municipio", "concepto"], how="left")
    return out[BACKTEST_COLUMNS]


def _merge_overrides(overrides, extra: dict) -> dict | list:
    if overrides is None:
        return extra
    if isinstance(overrides, Mapping):
        return {**overrides, **extra}
    return [*overrides, *(f"{k}={v}" for k, v in extra.items())]


def observed_values(history: pd.DataFrame, years: list[int], measure: str) -> pd.DataFrame:
    """Observed annual values with totals, tidy: municipio, anio, concepto, real."""
    annual = annual_values(history.loc[history["anio"].isin(years)], measure)
    return catalog.long_with_totals(annual).rename(columns={"valor": "real"})


def error_summary(table: pd.DataFrame, concepts: list[str] | None = None) -> pd.DataFrame:
    """Median absolute percentage error and share within ±10 %, per concept (own-source only).

    Cases with a real value of zero are left out (a percentage error is undefined there).
    """
    if concepts is None:
        concepts = ["ingresos_propios"] + catalog.children("ingresos_propios")
    rows = []
    for concept in concepts:
        sub = table.loc[(table["concepto"] == concept) & (table["real"] > 0)]
        if sub.empty:
            continue
        ape = np.abs(sub["prediccion"] - sub["real"]) / sub["real"]
        rows.append(dict(concepto=concept, etiqueta=catalog.label(concept), casos=len(sub),
                         mdape=float(np.median(ape)), dentro_10=float((ape <= 0.10).mean())))
    return pd.DataFrame(rows)
