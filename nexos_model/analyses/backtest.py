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
from nexos_model.fiscal.space import NationalFigures
from nexos_model.io.bundled import national_figures
from nexos_model.io.history import load_history
from nexos_model.params.loader import load_parameters
from nexos_model.params.values import Values
from nexos_model.scenarios.montecarlo import simulate

BACKTEST_COLUMNS = ["municipio", "concepto", "anio", "prediccion", "real"]
#: Bootstrap resamples of the municipalities for the intervals of :func:`skill`.
BOOTSTRAP = 2000
#: ... and of :func:`fit_error_elasticity`.
BOOTSTRAP_FIT = 1000


def backtest(until: int, escenario: str = "base", overrides: Mapping[str, Any] | list[str] | None = None,
             datos: str | None = None, simulaciones: int = 0, semilla: int = 2026) -> pd.DataFrame:
    """Predictions from data up to ``until`` beside the observed values of the later years.

    With ``simulaciones`` the Monte Carlo bands of own-source revenue are added (columns
    ``p10``, ``p90``) so the intervals can be checked for honesty (:func:`interval_coverage`).
    """
    history, later, params, prepared = _as_of(until, escenario, overrides, datos)
    ctx, stream_growth = _context_as_of(prepared, params, until)
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


def _as_of(until: int, escenario: str, overrides, datos: str | None):
    """The history, the held-out years, the parameters and the history prepared as it was known
    after ``until`` (as if the budget of the year after it were being prepared)."""
    history = load_history(datos)
    later = sorted(y for y in history["anio"].unique() if y > until)
    if not later or until < history["anio"].min() + 1:
        raise NexosError(
            f"--hasta {until}: se necesitan al menos dos años de datos hasta {until} y alguno "
            f"después (años disponibles: {history['anio'].min()}-{history['anio'].max()})")
    calendar = {"calendario.anio_presupuesto": until + 1, "calendario.horizonte": int(max(later) - until)}
    params = load_parameters(None, escenario, _merge_overrides(overrides, calendar)).params
    q = params.quality
    prepared = prepare_history(history.loc[history["anio"] <= until], params.projection.measure,
                               q.outlier_factor, q.outlier_floor, q.flagged_values == "excluir")
    return history, later, params, prepared


def _context_as_of(prepared, params, until: int):
    """The national context as it was known after ``until``: the observed inflation of later years
    is left out (a forecast made then took the parameter's), so the held-out years are truly out
    of sample. (The published aporte totals stay: own revenue, what the backtest scores, does not
    use them.)"""
    figures = national_figures()
    known = NationalFigures(aporte_totals=figures.aporte_totals,
                            inflation={y: r for y, r in figures.inflation.items() if y <= until})
    defaults = load_parameters(None, None, {"calendario.anio_presupuesto": params.calendar.budget_year,
                                            "calendario.horizonte": params.calendar.horizon}).params
    v = Values(defaults)
    growth = core.national_stream_growth(prepared.inputs, v)
    return core.national_context(prepared.inputs, v, growth, prepared.aldeas, prepared.aldeas_estimated,
                                 known), growth


def interval_coverage(table: pd.DataFrame, concept: str = "ingresos_propios",
                      by: pd.Series | None = None) -> pd.DataFrame:
    """Per held-out year (and per group of ``by``, a label per municipality, if given): how often
    the real value fell inside the p10-p90 band (goal ≈ 80 %), below it and above it."""
    sub = table.loc[(table["concepto"] == concept) & table["p10"].notna()]
    keys = ["anio"]
    if by is not None:
        sub = sub.assign(grupo=sub["municipio"].map(by))
        keys.append("grupo")
    inside = (sub["real"] >= sub["p10"]) & (sub["real"] <= sub["p90"])
    return (sub.assign(dentro=inside, bajo=sub["real"] < sub["p10"], sobre=sub["real"] > sub["p90"])
            .groupby(keys, observed=True)
            .agg(casos=("dentro", "size"), dentro_p10_p90=("dentro", "mean"), debajo=("bajo", "mean"),
                 encima=("sobre", "mean"))
            .reset_index())


def own_revenue_level(until: int, datos: str | None = None, escenario: str = "base") -> pd.Series:
    """Each municipality's own revenue in ``until`` as a projection from data up to then starts
    from it (``projection.own_revenue_base``, what Monte Carlo scales the trend error with)."""
    _, _, params, prepared = _as_of(until, escenario, None, datos)
    return pd.Series(core.own_revenue_base(prepared.inputs, Values(params)), index=list(prepared.inputs.municipios))


#: Size groups of :func:`calibrate_error`'s coverage: thirds of the municipalities by own revenue.
SIZE_GROUPS = ("pequeños", "medianos", "grandes")


def size_groups(level: pd.Series) -> pd.Series:
    """Each municipality's third by own revenue (``SIZE_GROUPS``)."""
    return pd.qcut(level.rank(method="first"), len(SIZE_GROUPS), labels=list(SIZE_GROUPS))


def fit_error_elasticity(until: int, escenario: str = "base", datos: str | None = None,
                         resamples: int = BOOTSTRAP_FIT, seed: int = 2026) -> dict[str, float]:
    """How the trend error shrinks with size, from the point forecasts with data up to ``until``.

    For own revenue in each held-out year: the error in logs per √(years ahead), centred on its
    median per horizon; the slope of the log of its absolute value on the log of the
    municipality's own revenue in ``until`` (:func:`own_revenue_level`) is −elasticity (for errors
    that are a scale times one same distribution, the slope does not depend on that distribution). Also the robust spread
    (median absolute error / 0.6745) at ``incertidumbre.error_tendencia_referencia``, and a 90 %
    bootstrap interval of the elasticity (cases resampled).
    """
    params = load_parameters(None, escenario).params
    reference = params.uncertainty.trend_error_reference
    table = backtest(until, escenario, None, datos)
    level = own_revenue_level(until, datos, escenario)
    sub = table.loc[(table["concepto"] == "ingresos_propios") & (table["real"] > 0) & (table["prediccion"] > 0)]
    sub = sub.assign(nivel=sub["municipio"].map(level)).loc[lambda t: t["nivel"] > 0]
    z = np.log(sub["real"] / sub["prediccion"]) / np.sqrt(sub["anio"] - until)
    z = z - z.groupby(sub["anio"]).transform("median")
    fit = error_elasticity(np.log(sub["nivel"].to_numpy() / reference), z.to_numpy(), resamples, seed)
    return {"hasta": until, **fit, "referencia": reference}


def error_elasticity(log_size: np.ndarray, z: np.ndarray, resamples: int = BOOTSTRAP_FIT,
                     seed: int = 2026) -> dict[str, float]:
    """The elasticity of errors ``z`` (centred) to size (``log_size``: log of size over the
    reference), its 90 % bootstrap interval and the errors' robust spread at the reference."""
    keep = z != 0  # a case exactly at the median: the log of 0
    x, y = log_size[keep], np.log(np.abs(z[keep]))
    elasticity = -float(np.polyfit(x, y, 1)[0])
    spread = float(np.median(np.abs(z[keep]) * np.exp(elasticity * x)) / 0.6745)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(x), size=(resamples, len(x)))
    xs, ys = x[picks], y[picks]
    xc = xs - xs.mean(axis=1, keepdims=True)
    slopes = (xc * (ys - ys.mean(axis=1, keepdims=True))).sum(axis=1) / (xc ** 2).sum(axis=1)
    low, high = np.quantile(-slopes, [0.05, 0.95])
    return {"casos": int(len(x)), "elasticidad": elasticity, "elasticidad_baja": float(low),
            "elasticidad_alta": float(high), "error_robusto_referencia": spread}


def _ape(table: pd.DataFrame) -> pd.Series:
    return np.abs(table["prediccion"] - table["real"]) / table["real"]


def skill(table: pd.DataFrame, naive: pd.DataFrame, until: int, concept: str = "ingresos_propios",
          resamples: int = BOOTSTRAP, seed: int = 2026, level: float = 0.90) -> pd.DataFrame:
    """The model's error beside the naive forecast's, per year ahead, with bootstrap intervals.

    For each held-out year (``horizonte`` = year − ``until``): the median absolute percentage
    error (MdAPE) of the model and of the naive forecast over the municipalities with a real
    value > 0, and ``ventaja`` = naive − model in percentage points (> 0: the model errs less).
    Each comes with its ``level`` interval from ``resamples`` bootstrap resamples of the
    municipalities (the same resample for both forecasts, so the difference's interval keeps
    their pairing). An interval of the difference that contains 0 means the data cannot tell
    the model from the naive forecast.
    """
    rng = np.random.default_rng(seed)
    low, high = (1 - level) / 2, 1 - (1 - level) / 2
    rows = []
    key = ["municipio", "anio"]
    ours = table.loc[(table["concepto"] == concept) & (table["real"] > 0)].set_index(key)
    ref = naive.loc[(naive["concepto"] == concept) & (naive["real"] > 0)].set_index(key)
    both = ours.index.intersection(ref.index)
    for year in sorted(both.get_level_values("anio").unique()):
        index = both[both.get_level_values("anio") == year]
        a = _ape(ours.loc[index]).to_numpy()
        b = _ape(ref.loc[index]).to_numpy()
        picks = rng.integers(0, len(a), size=(resamples, len(a)))
        boot_a, boot_b = np.median(a[picks], axis=1), np.median(b[picks], axis=1)
        diff = boot_b - boot_a
        rows.append({
            "anio": int(year), "horizonte": int(year) - until, "casos": len(a),
            "mdape": float(np.median(a)), "mdape_bajo": float(np.quantile(boot_a, low)),
            "mdape_alto": float(np.quantile(boot_a, high)),
            "mdape_ingenuo": float(np.median(b)), "ingenuo_bajo": float(np.quantile(boot_b, low)),
            "ingenuo_alto": float(np.quantile(boot_b, high)),
            "ventaja": float(np.median(b) - np.median(a)), "ventaja_baja": float(np.quantile(diff, low)),
            "ventaja_alta": float(np.quantile(diff, high)),
        })
    return pd.DataFrame(rows)


def calibrate_error(until: int, check: int, sigmas: list[float], simulaciones: int = 1000, semilla: int = 2026,
                    escenario: str = "base", datos: str | None = None, target: float = 0.80) -> pd.DataFrame:
    """Choose ``incertidumbre.error_tendencia`` on one hold-out and check it on the other.

    For each σ of ``sigmas``: the p10-p90 coverage of own revenue in every held-out year from
    data up to ``until`` (the calibration sample: with ``until`` two years before the last data
    year it holds one- and two-year-ahead errors), and from data up to ``check`` (the check
    sample). Columns ``error_tendencia, muestra, hasta, anio, horizonte, cobertura, debajo,
    encima, cobertura_pequeños, cobertura_medianos, cobertura_grandes`` (by thirds of own
    revenue: the size elasticity is right if they agree) and ``elegido``, which marks the σ whose
    calibration coverages are closest to ``target`` on average (absolute distance); its check
    rows say whether it holds elsewhere.
    """
    rows = []
    groups = {year: size_groups(own_revenue_level(year, datos, escenario)) for year in (until, check)}
    for sigma in sigmas:
        for sample, year in (("calibración", until), ("verificación", check)):
            table = backtest(year, escenario, {"incertidumbre.error_tendencia": float(sigma)}, datos,
                             simulaciones, semilla)
            by_size = interval_coverage(table, by=groups[year]).pivot(index="anio", columns="grupo",
                                                                      values="dentro_p10_p90")
            for row in interval_coverage(table).itertuples():
                rows.append({"error_tendencia": float(sigma), "muestra": sample, "hasta": year,
                             "anio": int(row.anio), "horizonte": int(row.anio) - year,
                             "cobertura": float(row.dentro_p10_p90), "debajo": float(row.debajo),
                             "encima": float(row.encima),
                             **{f"cobertura_{g}": float(by_size.loc[row.anio, g]) for g in SIZE_GROUPS}})
    out = pd.DataFrame(rows)
    fit = out.loc[out["muestra"] == "calibración"].groupby("error_tendencia")["cobertura"].apply(
        lambda c: float(np.mean(np.abs(c - target))))
    out["elegido"] = out["error_tendencia"] == fit.idxmin()
    return out


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
