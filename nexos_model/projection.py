"""The pure projection core: validated inputs in, arrays and tidy tables out. No files, no printing.

One code path for deterministic and Monte Carlo runs: every array is (municipalities, draws,
years); a deterministic run has one draw at the central values (``Values`` without draws).

Years follow the calendar (``calendario``): a municipality is projected from the year after its
last observed one through ``anio_presupuesto + horizonte - 1``. Every year before the budget
being prepared is an *estimate* made by the same model (``tipo`` ``estimado``: it has happened,
but its data are not loaded), with the national figures known for it (observed inflation,
published aporte totals); the budget year and later are ``proyectado``; data are ``observado``.

    streams (revenue.streams) ─┐
    transfers, spending, debt ─┼─> fiscal space by source (fiscal) ─> legal rules (rules)
    concepts (MINFIN catalog) ─┘
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nexos_model import catalog
from nexos_model.errors import ParameterError
from nexos_model.fiscal.space import (
    FiscalInputs,
    FiscalResult,
    NationalContext,
    NationalFigures,
    project_fiscal,
    total,
)
from nexos_model.fiscal.transfers import robust_level
from nexos_model.params.calendar_schema import year_kinds
from nexos_model.params.values import Values
from nexos_model.revenue import streams as stream_engine
from nexos_model.revenue import trend

RESULT_COLUMNS = ["escenario", "municipio", "anio", "tipo", "concepto", "valor"]
OWN = "ingresos_propios"
#: The observed series a run takes from the national figures instead of a parameter.
INFLATION = "macro.inflacion"


@dataclass(frozen=True)
class ProjectionInputs:
    """Municipalities' cleaned history as arrays, plus the national references they need."""

    municipios: tuple[str, ...]
    concepts: tuple[str, ...]
    years: np.ndarray  # history years, ascending
    values: np.ndarray  # (M, C, H); NaN = missing or excluded by the diagnostics
    national_growth: np.ndarray  # (C,) median growth of each concept across municipalities
    census: np.ndarray  # (M,) population, Censo 2018
    last_years: np.ndarray | None = None  # (M,) each one's last observed year (None: ``years[-1]``)

    def concept(self, name: str) -> np.ndarray:
        return self.values[:, self.concepts.index(name)]

    def last_observed(self) -> np.ndarray:
        """Each municipality's last observed year (M,)."""
        if self.last_years is None:
            return np.full(len(self.municipios), int(self.years[-1]))
        return np.asarray(self.last_years, dtype=int)


@dataclass
class ModelArrays:
    """Everything the core computed, as arrays (M, D, T), for tables or Monte Carlo summaries."""

    municipios: tuple[str, ...]
    years: np.ndarray
    lines: dict[str, np.ndarray]  # concept -> (M, D, T): MINFIN concepts, totals, streams, fiscal lines
    streams: stream_engine.StreamProjection
    fiscal: FiscalResult
    budget_year: int = 0  # the budget being prepared: earlier years are estimates

    def kinds(self) -> np.ndarray:
        """``estimado`` or ``proyectado`` for each year (T,)."""
        return year_kinds(self.years, int(self.years[0]) - 1, self.budget_year)


def end_year(calendar) -> int:
    """The last projected year: ``anio_presupuesto + horizonte - 1`` (``calendario``)."""
    return int(calendar.budget_year + calendar.horizon - 1)


def projection_years(inputs: ProjectionInputs, v: Values) -> np.ndarray:
    """The model's years for ``inputs``: from the year after the last history year through
    :func:`end_year` of the calendar (estimated years first, then the projected ones)."""
    last, end = int(inputs.years[-1]), end_year(v.params.calendar)
    if end <= last:
        raise ParameterError(f"calendario: la proyección terminaría en {end} (anio_presupuesto "
                             f"{v.params.calendar.budget_year} + horizonte {v.params.calendar.horizon} - 1) y "
                             f"ya hay datos de {last} (se esperaba: un año final posterior al último con datos)")
    return np.arange(last + 1, end + 1)


def with_kinds(table: pd.DataFrame, last_observed: Mapping[str, int], budget_year: Mapping[str, int] | int
               ) -> pd.DataFrame:
    """``table`` (with ``municipio`` and ``anio`` columns) with ``tipo`` right after ``anio``:
    :func:`year_kinds` under each municipality's last observed year and budget year."""
    out = table.drop(columns="tipo", errors="ignore").copy()
    codes = out["municipio"].astype(str)
    budget = codes.map(budget_year).to_numpy(dtype=int) if isinstance(budget_year, Mapping) else int(budget_year)
    kinds = year_kinds(out["anio"].to_numpy(dtype=int), codes.map(last_observed).to_numpy(dtype=int), budget)
    out.insert(out.columns.get_loc("anio") + 1, "tipo", kinds)
    return out


def stream_setup(inputs: ProjectionInputs, v: Values) -> tuple[stream_engine.StreamTable, np.ndarray]:
    """The stream table and each stream's history (M, S, H)."""
    table = stream_engine.stream_table(v.params.own_revenue, list(inputs.concepts))
    return table, stream_engine.stream_history(inputs.values, table.fractions)


def own_revenue_history(inputs: ProjectionInputs, table: stream_engine.StreamTable) -> np.ndarray:
    """Own-source revenue booked in each history year (M, H): the streams' concepts summed."""
    return np.nansum(np.einsum("sc,mch->msh", table.fractions, np.nan_to_num(inputs.values)), axis=1)


def project_own_revenue(inputs: ProjectionInputs, v: Values, national_stream_growth: np.ndarray,
                        errors: np.ndarray | None = None, detail: bool = True) -> stream_engine.StreamProjection:
    """Own-source revenue by stream for the municipalities of ``inputs``."""
    table, history = stream_setup(inputs, v)
    years = projection_years(inputs, v)
    return stream_engine.project_streams(history, inputs.years, national_stream_growth, table, inputs.census,
                                         list(inputs.municipios), v, years, errors, detail)


def concept_base(inputs: ProjectionInputs, v: Values) -> np.ndarray:
    """Each concept's value in the last history year (M, C) (older values grown by the trend)."""
    t = v.params.trend
    growth = trend.shrunk_growth(trend.own_growth(inputs.values, inputs.years), inputs.national_growth,
                                 t.shrinkage, t.growth_min, t.growth_max)
    return trend.base_value(inputs.values, inputs.years, growth)


def own_revenue_base(inputs: ProjectionInputs, v: Values) -> np.ndarray:
    """Own-source revenue in the last history year as the projection starts from it (M,): each
    own-revenue concept's :func:`concept_base` (a missing or flagged last value replaced by the
    trend of the earlier ones), so one year's booking error does not make a municipality look
    larger or smaller than it is."""
    table = stream_engine.stream_table(v.params.own_revenue, list(inputs.concepts))
    return np.nan_to_num(concept_base(inputs, v)) @ np.nansum(table.fractions, axis=0)


def _concept_lines(inputs: ProjectionInputs, v: Values, own: stream_engine.StreamProjection, fiscal: FiscalResult,
                   table: stream_engine.StreamTable, shape: tuple[int, int, int]) -> dict[str, np.ndarray]:
    """MINFIN concepts consistent with the streams and the transfers, so totals add up exactly.

    Each stream is spread over its concepts by their base-year weights; public transfers (16200,
    17200) keep their base-year split; loans are the scenario's new loan; cash use is 0.
    """
    concepts = list(inputs.concepts)
    base = concept_base(inputs, v)  # (M, C)
    lines = {c: np.zeros(shape) for c in concepts}
    for s, name in enumerate(table.names):
        weights = table.fractions[s][None, :] * np.maximum(base, 0.0)
        total = weights.sum(axis=1, keepdims=True)
        fallback = np.broadcast_to(table.fractions[s] / table.fractions[s].sum(), weights.shape)
        weights = np.where(total > 0, weights / np.where(total > 0, total, 1.0), fallback)
        for c, concept in enumerate(concepts):
            if table.fractions[s, c] > 0:
                lines[concept] = lines[concept] + weights[:, c, None, None] * own.revenue[name]
    current = np.maximum(base[:, concepts.index("transferencias_corrientes_publicas")], 0)
    capital = np.maximum(base[:, concepts.index("transferencias_capital_publicas")], 0)
    booked = current + capital
    ratio = np.divide(current, booked, out=np.full_like(current, 0.5), where=booked > 0)[:, None, None]
    public = fiscal.lines["transferencias_total"] - fiscal.donations
    lines["transferencias_corrientes_publicas"] = public * ratio
    lines["transferencias_capital_publicas"] = public * (1 - ratio)
    lines["donaciones_otras_transferencias"] = fiscal.donations
    lines["prestamos"] = fiscal.lines["desembolso_prestamo"]
    lines["uso_disponibilidades"] = np.zeros(shape)
    for total in catalog.totals():
        lines[total] = sum(lines[c] for c in catalog.children(total))
    return lines


def project_arrays(inputs: ProjectionInputs, v: Values, ctx: NationalContext, national_stream_growth: np.ndarray,
                   errors: np.ndarray | None = None, plan_om: dict[str, np.ndarray] | None = None,
                   plan_debt: dict[str, np.ndarray] | None = None, detail: bool = True) -> ModelArrays:
    """The whole model for a group of municipalities sharing parameter values ``v``.

    ``plan_om`` (O&M by the plan's funding source) and ``plan_debt`` carry an investment plan's recurrent costs and new loans
    (``plan_effect``) into spending and debt. ``errors`` (Monte Carlo): each municipality's
    multiplicative own-revenue trend error (M, D, T) (``streams.trend_error``). ``detail=False`` (Monte Carlo) skips what only
    the tables need: the gap decomposition, the calibration's report rows, the split of totals
    into MINFIN concepts, the borrowing capacity and the aporte's split by criterion. ``inputs``
    share their last history year (see :func:`subset`).
    """
    v = known_values(v, ctx.figures)
    years = projection_years(inputs, v)
    table, _ = stream_setup(inputs, v)
    own = project_own_revenue(inputs, v, national_stream_growth, errors, detail)
    own_total = total(own.revenue.values())  # (M, D|1, T)
    m = len(inputs.municipios)
    shape = (m, max(v.n_draws, own_total.shape[1]), len(years))
    own_total = np.broadcast_to(own_total, shape)

    history_own = own_revenue_history(inputs, table)
    rows = ctx.rows(list(inputs.municipios))
    # own revenue over the national years: the context's, then the group's history and projection
    # over it (only the years neither covers are copied from the context)
    own_full = np.empty((m, shape[1], len(ctx.years)))
    hist_index = np.searchsorted(ctx.years, inputs.years)
    proj_index = np.searchsorted(ctx.years, years)
    rest = np.setdiff1d(np.arange(len(ctx.years)), np.concatenate([hist_index, proj_index]))
    own_full[:, :, rest] = ctx.own[rows][:, None, rest]
    own_full[:, :, hist_index] = history_own[:, None, :]
    own_full[:, :, proj_index] = own_total

    donations = _donations(inputs, v, years)
    transfers_history = np.stack([inputs.concept("transferencias_corrientes_publicas"),
                                  inputs.concept("transferencias_capital_publicas")], axis=1)  # (M, 2, H)
    fiscal_inputs = FiscalInputs(list(inputs.municipios), years, own_full, own_total, transfers_history,
                                 inputs.years, donations, own.lever_cost, plan_om, plan_debt)
    fiscal = project_fiscal(fiscal_inputs, ctx, v, int(inputs.years[-1]), detail=detail)
    fiscal.donations = np.broadcast_to(donations, shape)
    lines = _concept_lines(inputs, v, own, fiscal, table, shape) if detail else {}
    # The totals from the streams and sources (equal to the sums of their concepts up to
    # rounding), computed the same way with or without detail: a zero-variance Monte Carlo
    # then equals the deterministic run exactly.
    lines.update(ingresos_propios=own_total, transferencias=fiscal.lines["transferencias_total"],
                 financiamiento=fiscal.lines["desembolso_prestamo"])
    lines["ingresos_totales"] = lines["ingresos_propios"] + lines["transferencias"]
    for name in table.names:
        lines[name] = np.broadcast_to(own.revenue[name], shape)
    for key, value in fiscal.lines.items():
        lines.setdefault(key, np.broadcast_to(value, shape))
    for source, value in fiscal.space.items():
        lines[f"espacio_{source}"] = np.broadcast_to(value, shape)
    lines["poblacion"] = np.broadcast_to(own.population, shape)  # the streams' population path
    return ModelArrays(inputs.municipios, years, lines, own, fiscal, v.params.calendar.budget_year)


def known_values(v: Values, figures: NationalFigures) -> Values:
    """``v`` with the national figures observed by year (inflation) in place of the parameter."""
    return v.with_known({INFLATION: figures.inflation}) if figures.inflation else v


def _donations(inputs: ProjectionInputs, v: Values, years: np.ndarray) -> np.ndarray:
    """Donations and other transfers (M, D|1, T): the trend's path, started from the robust level
    of the last ``transferencias.anios_nivel`` years (carried by the trend's growth) instead of
    the last year alone, like the other transfers booked in the data."""
    concept = "donaciones_otras_transferencias"
    history = inputs.concept(concept)
    national = inputs.national_growth[inputs.concepts.index(concept)]
    inflation = v.path("macro.inflacion", years)
    population = v.path("macro.crecimiento_poblacion", years)
    base, path = stream_engine.trend_paths(history[:, None, :], inputs.years, np.array([national]), v, years,
                                           inflation, population)
    t = v.params.trend
    growth = trend.shrunk_growth(trend.own_growth(history, inputs.years), national, t.shrinkage, t.growth_min,
                                 t.growth_max)  # (M,)
    carry = (1 + growth[:, None]) ** (inputs.years[-1] - inputs.years)[None]
    level, _ = robust_level(history, carry, v.params.transfers.level_years)
    # the trend's growth factors (path / base) applied to the robust level; a base under one
    # quetzal has no growth to speak of: the level is carried flat
    real = base[:, 0] >= 1.0
    factor = np.divide(path[:, :, 0], base[:, 0, None, None], out=np.ones(np.shape(path[:, :, 0])),
                       where=real[:, None, None])
    return level[:, None, None] * factor



def lines_table(arrays: ModelArrays, escenario: str, draw: int = 0) -> pd.DataFrame:
    """Every line of one draw in the tidy result shape (``escenario, municipio, anio, tipo, concepto,
    valor``); ``tipo`` is ``estimado`` before the budget year, ``proyectado`` from it on."""
    names = list(arrays.lines)
    cube = np.stack([np.asarray(arrays.lines[n])[:, draw, :] for n in names], axis=1)  # (M, L, T)
    m, n_lines, t = cube.shape
    return pd.DataFrame({
        "escenario": escenario,
        "municipio": np.repeat(np.array(arrays.municipios), n_lines * t),
        "anio": np.tile(arrays.years, m * n_lines).astype(int),
        "tipo": np.tile(arrays.kinds(), m * n_lines),
        "concepto": np.tile(np.repeat(np.array(names), t), m),
        "valor": cube.reshape(-1),
    })[RESULT_COLUMNS]


def national_stream_growth(inputs: ProjectionInputs, v: Values) -> np.ndarray:
    """Median growth of each stream across the municipalities of ``inputs`` (S,)."""
    _, history = stream_setup(inputs, v)
    return trend.national_growth(history, inputs.years)


def national_context(inputs: ProjectionInputs, v: Values, stream_growth: np.ndarray,
                     aldeas: np.ndarray, aldeas_estimated: np.ndarray,
                     figures: NationalFigures | None = None) -> NationalContext:
    """The art. 119 inputs of all municipalities: own revenue observed up to each one's last data
    year, then projected under ``v`` (the defaults: the others on their own paths) through the
    calendar's last year; and the national ``figures`` known by year.

    Observed own revenue is every own concept of the year except the values the diagnostics
    excluded (not whole streams: a stream made of several concepts keeps its other parts), the
    same sum :func:`project_arrays` uses for the municipality it runs."""
    figures = figures or NationalFigures()
    v = known_values(v, figures)
    years = np.arange(int(inputs.years[0]), end_year(v.params.calendar) + 1)
    own = np.zeros((len(inputs.municipios), len(years)))
    for rows in by_last_year(inputs):
        group = subset(inputs, [inputs.municipios[r] for r in rows])
        table, _ = stream_setup(group, v)
        observed = np.einsum("sc,mch->mh", table.fractions, np.nan_to_num(group.values))
        own[np.ix_(rows, np.searchsorted(years, group.years))] = observed
        ahead = projection_years(group, v)
        projected = sum(project_own_revenue(group, v, stream_growth).revenue.values())[:, 0, :]
        own[np.ix_(rows, np.searchsorted(years, ahead))] = projected
    return NationalContext(inputs.municipios, inputs.census.astype(float), aldeas.astype(float),
                           aldeas_estimated, years, own, figures)


def by_last_year(inputs: ProjectionInputs) -> list[np.ndarray]:
    """The rows of ``inputs`` grouped by their last observed year (one group in the usual case)."""
    last = inputs.last_observed()
    return [np.flatnonzero(last == year) for year in np.unique(last)]


def subset(inputs: ProjectionInputs, codes: list[str]) -> ProjectionInputs:
    """The inputs of some municipalities only, their history cut at their last observed year
    (which they must share: a group is projected from one base year)."""
    rows = [inputs.municipios.index(c) for c in codes]
    last = inputs.last_observed()[rows]
    if len(set(last.tolist())) > 1:
        raise ValueError(f"subset: municipios con distinto último año de datos {sorted(set(last.tolist()))}")
    keep = inputs.years <= (last[0] if len(last) else inputs.years[-1])
    return ProjectionInputs(tuple(codes), inputs.concepts, inputs.years[keep], inputs.values[rows][:, :, keep],
                            inputs.national_growth, inputs.census[rows], last)


def gaps_table(arrays: ModelArrays, draw: int = 0) -> pd.DataFrame:
    """Potential and gap of each driver stream by year, in quetzales and per cápita.

    Columns ``municipio, anio, tipo, flujo, componente, valor, per_capita, datos_suficientes``;
    components are ``recaudacion, potencial, brecha_cobertura, brecha_valuacion, brecha_tasa,
    brecha_cumplimiento, interaccion, brecha_total``; the parts add up to ``brecha_total``
    exactly. Where the calibration is not credible (``datos_suficientes`` False) the potential
    and the gaps are NaN: "sin datos suficientes", never a figure.
    """
    credible = {(row["municipio"], row["flujo"]): row["calibrable"] for row in arrays.streams.calibration}
    names = {"coverage_gap": "brecha_cobertura", "valuation_gap": "brecha_valuacion", "rate_gap": "brecha_tasa",
             "compliance_gap": "brecha_cumplimiento", "interaction": "interaccion", "total_gap": "brecha_total"}
    population = arrays.lines["poblacion"][:, draw, :]
    frames = []
    for stream, gaps in arrays.streams.gaps.items():
        parts = {"recaudacion": arrays.streams.revenue[stream], "potencial": arrays.streams.potential[stream],
                 **{names[k]: g for k, g in gaps.items()}}
        for label, values in parts.items():
            values = np.broadcast_to(values, population.shape[:1] + (values.shape[1], population.shape[1]))[:, draw, :]
            for i, code in enumerate(arrays.municipios):
                frames.append(pd.DataFrame({"municipio": code, "anio": arrays.years.astype(int),
                                            "tipo": arrays.kinds(), "flujo": stream,
                                            "componente": label, "valor": values[i],
                                            "per_capita": values[i] / population[i],
                                            "datos_suficientes": credible.get((code, stream), True)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["municipio", "anio", "tipo", "flujo", "componente", "valor", "per_capita", "datos_suficientes"])


def space_table(arrays: ModelArrays, draw: int = 0) -> pd.DataFrame:
    """Fiscal space for investment by year, source and use, as a DAFIM reads it:
    ``municipio, anio, tipo, fuente, destino, monto``.

    ``fuente``: own revenue, each transfer, loan proceeds; ``destino``: ``libre`` (free use: may
    also pay operation), ``inversion`` (earmarked for investment), ``prestamo`` (loan proceeds)
    or ``codede`` (assigned to projects by the departmental council, outside the municipality's
    own space). The investment plan books them by its funding source (``fiscal.space.plan_source``).
    """
    frames = []
    for (source, destino), values in arrays.fiscal.space_detail.items():
        values = np.asarray(values)[:, draw, :]
        for i, code in enumerate(arrays.municipios):
            frames.append(pd.DataFrame({"municipio": code, "anio": arrays.years.astype(int), "tipo": arrays.kinds(),
                                        "fuente": source, "destino": destino, "monto": values[i]}))
    return pd.concat(frames, ignore_index=True)


def aporte_table(arrays: ModelArrays, draw: int = 0) -> pd.DataFrame:
    """The aporte constitucional by art. 119 criterion: ``municipio, anio, tipo, criterio, monto``."""
    frames = []
    for criterion, values in arrays.fiscal.aporte_parts.items():
        values = np.asarray(values)[:, min(draw, np.shape(values)[1] - 1), :]
        for i, code in enumerate(arrays.municipios):
            frames.append(pd.DataFrame({"municipio": code, "anio": arrays.years.astype(int), "tipo": arrays.kinds(),
                                        "criterio": criterion, "monto": values[i]}))
    return pd.concat(frames, ignore_index=True)


def capacity_table(arrays: ModelArrays, draw: int = 0) -> pd.DataFrame:
    """Largest new INFOM loan by start year: ``municipio, anio, tipo, monto, plazo``."""
    amount = arrays.fiscal.capacity["monto"][:, draw, :]
    term = arrays.fiscal.capacity["plazo"][:, draw, :]
    return pd.concat([pd.DataFrame({"municipio": code, "anio": arrays.years.astype(int), "tipo": arrays.kinds(),
                                    "monto": amount[i],
                                    "plazo": term[i].astype(int)}) for i, code in enumerate(arrays.municipios)],
                     ignore_index=True)


def project(inputs: ProjectionInputs, v: Values, escenario: str, ctx: NationalContext,
            stream_growth: np.ndarray) -> pd.DataFrame:
    """The tidy projection of ``inputs`` (deterministic: the first draw)."""
    return lines_table(project_arrays(inputs, v, ctx, stream_growth), escenario)


def plan_effect(efecto: pd.DataFrame, years: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """An investment plan's ``efecto`` table as the core's inputs: O&M by the plan's funding
    source that pays it (columns ``operacion_<fuente>``), {fuente: (T,)}, and new-loan flows."""
    table = efecto.set_index("anio").reindex(years, fill_value=0.0)
    prefix = "operacion_"
    om = {c[len(prefix):]: table[c].to_numpy(dtype=float) for c in table.columns
          if c.startswith(prefix) and c != "operacion_mantenimiento"}
    debt = {"intereses": table["intereses"].to_numpy(dtype=float),
            "amortizacion": table["amortizacion"].to_numpy(dtype=float),
            "desembolso": table["desembolso_prestamo"].to_numpy(dtype=float)}
    return om, debt
