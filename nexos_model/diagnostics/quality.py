"""Data-quality diagnostics of a revenue history: what is doubtful, per municipality, year and line.

Pure: takes the tidy history (one row per source line) and returns findings. The projection
reads the same findings to decide which values it does not learn from (``flagged_cells``), so
what the diagnostics flag and what the projection excludes can never disagree.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from nexos_model.catalog import group, label
from nexos_model.wording import quetzales

FINDING_COLUMNS = ["municipio", "anio", "rubro", "concepto", "tipo", "valor", "fila", "mensaje"]

# Spanish names of each finding type (singular, plural), for reports and the app.
FINDING_LABELS = {
    "anio_faltante": ("año faltante", "años faltantes"),
    "monto_negativo": ("monto negativo", "montos negativos"),
    "linea_duplicada": ("línea duplicada", "líneas duplicadas"),
    "devengado_sin_percibir": ("devengado sin percibir", "devengados sin percibir"),
    "valor_implausible": ("valor implausible", "valores implausibles"),
}

# Finding types that mark a (municipio, anio, concepto) value as not to be learned from.
EXCLUDING_TYPES = ("monto_negativo", "valor_implausible", "devengado_sin_percibir")


def annual_values(history: pd.DataFrame, measure: str = "devengado") -> pd.DataFrame:
    """Sum source lines to ``municipio, anio, concepto, valor``, dropping exact duplicate lines."""
    lines = drop_duplicate_lines(history)
    annual = (
        lines.groupby(["municipio", "anio", "concepto"], as_index=False)[measure]
        .sum()
        .rename(columns={measure: "valor"})
    )
    return annual.astype({"valor": float})


def drop_duplicate_lines(history: pd.DataFrame) -> pd.DataFrame:
    """The history without repeated copies of the same line (same key and amounts)."""
    return history.loc[~history.duplicated(subset=_line_key(history), keep="first")]


def _line_key(history: pd.DataFrame) -> list[str]:
    return [c for c in history.columns if c != "fila"]


def diagnose(
    history: pd.DataFrame,
    years: list[int] | None = None,
    outlier_factor: float = 5.0,
    outlier_floor: float = 50_000.0,
    measure: str = "devengado",
) -> pd.DataFrame:
    """Every doubtful point of the history: missing years, negatives, duplicates, implausible values."""
    if years is None:
        years = sorted(history["anio"].unique().tolist())
    findings = [
        _missing_years(history, years),
        _negative_amounts(history, measure),
        _duplicate_lines(history),
        _accrued_not_collected(history, outlier_factor, outlier_floor),
        _implausible_values(history, years, outlier_factor, outlier_floor, measure),
    ]
    out = pd.concat([f for f in findings if len(f)], ignore_index=True) if any(len(f) for f in findings) else None
    if out is None:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    return out[FINDING_COLUMNS].sort_values(["municipio", "anio", "tipo"], kind="stable").reset_index(drop=True)


def _missing_years(history: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Years up to a municipality's last one with data that it lacks. Later years are not missing:
    their data are not loaded yet, and the projection estimates them (``tipo`` estimado)."""
    present = history.groupby("municipio")["anio"].unique()
    rows = []
    for municipio, have in present.items():
        last = max(have.tolist())
        for year in sorted(y for y in set(years) - set(have.tolist()) if y <= last):
            rows.append(
                dict(municipio=municipio, anio=year, rubro="", concepto="", tipo="anio_faltante",
                     valor=np.nan, fila=np.nan,
                     mensaje=f"no hay datos de {year}: se proyecta con los años disponibles")
            )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _negative_amounts(history: pd.DataFrame, measure: str) -> pd.DataFrame:
    bad = history.loc[history[measure] < 0]
    return pd.DataFrame(
        dict(municipio=bad["municipio"], anio=bad["anio"], rubro=bad["rubro"], concepto=bad["concepto"],
             tipo="monto_negativo", valor=bad[measure], fila=bad["fila"],
             mensaje=[f"monto negativo {quetzales(v)} en el rubro {r}" for v, r in zip(bad[measure], bad["rubro"])]),
        columns=FINDING_COLUMNS,
    )


def _duplicate_lines(history: pd.DataFrame) -> pd.DataFrame:
    dup = history.loc[history.duplicated(subset=_line_key(history), keep="first")]
    return pd.DataFrame(
        dict(municipio=dup["municipio"], anio=dup["anio"], rubro=dup["rubro"], concepto=dup["concepto"],
             tipo="linea_duplicada", valor=dup["devengado"], fila=dup["fila"],
             mensaje=[f"línea repetida del rubro {r} ({quetzales(v)}): se cuenta una sola vez"
                      for r, v in zip(dup["rubro"], dup["devengado"])]),
        columns=FINDING_COLUMNS,
    )


def _accrued_not_collected(history: pd.DataFrame, factor: float, floor: float) -> pd.DataFrame:
    """Lines whose devengado is ``factor`` times what was collected (percibido).

    Revenue is accrued and collected in the same year for almost every line; a devengado many
    times the percibido is a booking error (seen in 0101 Guatemala, 2017).
    """
    if history["percibido"].isna().all():
        return pd.DataFrame(columns=FINDING_COLUMNS)
    accrued, collected = history["devengado"], history["percibido"].fillna(0.0)
    bad = history.loc[(accrued >= floor) & (accrued > factor * collected.clip(lower=0))]
    return pd.DataFrame(
        dict(municipio=bad["municipio"], anio=bad["anio"], rubro=bad["rubro"], concepto=bad["concepto"],
             tipo="devengado_sin_percibir", valor=bad["devengado"], fila=bad["fila"],
             mensaje=[f"rubro {r}: devengado {quetzales(d)} frente a percibido {quetzales(p)}"
                      for r, d, p in zip(bad["rubro"], bad["devengado"], bad["percibido"])]),
        columns=FINDING_COLUMNS,
    )


def _implausible_values(
    history: pd.DataFrame, years: list[int], factor: float, floor: float, measure: str
) -> pd.DataFrame:
    """An isolated jump: a year ``factor`` times above (or below) every other year, while the
    other years agree with each other within that factor.

    Requiring the others to agree tells an isolated error from a level shift (a new tax, a
    service taken over), which is real and must be learned from. Missing concept-years count as
    zero when the concept has money in the other years: a line that vanishes for one year is as
    doubtful as one that jumps.
    """
    annual = annual_values(history, measure)
    # Financing (cash use, loans) is irregular by nature: a year without a loan is not an error.
    annual = annual.loc[annual["concepto"].map(group) != "financiamiento"]
    cube = annual.pivot_table(index=["municipio", "concepto"], columns="anio", values="valor",
                              aggfunc="sum", fill_value=0.0)
    have_years = [y for y in years if y in cube.columns]
    if len(have_years) < 3:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    present = history.groupby("municipio")["anio"].unique().map(set)
    values = cube[have_years].to_numpy(dtype=float)
    # A year the municipality did not report is no evidence either way (its data may just not be
    # loaded yet): it is left out of the comparison, not counted as zero.
    reported = np.array([[y in present.get(m, set()) for y in have_years] for m, _ in cube.index], dtype=bool)
    values = np.where(reported, values, np.nan)
    rows = []
    for j, year in enumerate(have_years):
        others = np.delete(values, j, axis=1)
        value = values[:, j]
        enough = np.sum(~np.isnan(others), axis=1) >= 2
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanmin(others, axis=1), np.nanmax(others, axis=1)
            median = np.nanmedian(others, axis=1)
        consistent = enough & (low > 0) & (high <= factor * low)
        far = (value > factor * high) | (value * factor < low)
        big = np.maximum(np.abs(value), median) >= floor
        for i in np.flatnonzero(consistent & far & big):
            municipio, concepto = cube.index[i]
            if year not in present.get(municipio, set()):
                continue  # the whole year is missing: reported once as anio_faltante
            if value[i] <= 0:
                text = (f"{label(concepto)}: {quetzales(value[i])} en {year} frente a una mediana de "
                        f"{quetzales(median[i])} en los otros años (¿línea faltante?)")
            else:
                text = (f"{label(concepto)}: {quetzales(value[i])} en {year} es {value[i] / median[i]:.1f} "
                        f"veces la mediana de los otros años ({quetzales(median[i])})")
            rows.append(dict(municipio=municipio, anio=year, rubro="", concepto=concepto,
                             tipo="valor_implausible", valor=value[i], fila=np.nan, mensaje=text))
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def flagged_cells(findings: pd.DataFrame) -> set[tuple[str, int, str]]:
    """(municipio, anio, concepto) values the projection must not learn from."""
    bad = findings.loc[findings["tipo"].isin(EXCLUDING_TYPES)]
    return set(zip(bad["municipio"], bad["anio"].astype(int), bad["concepto"]))
