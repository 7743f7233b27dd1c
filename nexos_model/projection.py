"""The pure projection core: validated inputs in, arrays and tidy tables out. No files, no printing.

One code path for deterministic and Monte Carlo runs: every array is (municipalities, draws,
years); a deterministic run has one draw at the central values (``Values`` without draws).

    streams (revenue.streams) ─┐
    transfers, spending, debt ─┼─> fiscal space by source (fiscal) ─> legal rules (rules)
    concepts (MINFIN catalog) ─┘
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nexos_model import catalog
from nexos_model.fiscal.space import FiscalInputs, FiscalResult, NationalContext, project_fiscal
from nexos_model.params.values import Values
from nexos_model.revenue import streams as stream_engine
from nexos_model.revenue import trend

RESULT_COLUMNS = ["escenario", "municipio", "anio", "concepto", "valor"]
OWN = "ingresos_propios"


@dataclass(frozen=True)
class ProjectionInputs:
    """Municipalities' cleaned history as arrays, plus the national references they need."""

    municipios: tuple[str, ...]
    concepts: tuple[str, ...]
    years: np.ndarray  # history years, ascending
    values: np.ndarray  # (M, C, H); NaN = missing or excluded by the diagnostics
    national_growth: np.ndarray  # (C,) median growth of each concept across municipalities
    census: np.ndarray  # (M,) population, Censo 2018

    def concept(self, name: str) -> np.ndarray:
        return self.values[:, self.concepts.index(name)]


@dataclass
class ModelArrays:
    """Everything the core computed, as arrays (M, D, T), for tables or Monte Carlo summaries."""

    municipios: tuple[str, ...]
    years: np.ndarray
    lines: dict[str, np.ndarray]  # concept -> (M, D, T): MINFIN concepts, totals, streams, fiscal lines
    streams: stream_engine.StreamProjection
    fiscal: FiscalResult


def years_after(inputs: ProjectionInputs, horizon: int) -> np.ndarray:
    return inputs.years[-1] + np.arange(1, horizon + 1)


def stream_setup(inputs: ProjectionInputs, v: Values) -> tuple[stream_engine.StreamTable, np.ndarray]:
    """The stream table and each stream's history (M, S, H)."""
    table = stream_engine.stream_table(v.params.own_revenue, list(inputs.concepts))
    return table, stream_engine.stream_history(inputs.values, table.fractions)


def project_own_revenue(inputs: ProjectionInputs, v: Values, national_stream_growth: np.ndarray,
                        shocks: np.ndarray | None = None, detail: bool = True) -> stream_engine.StreamProjection:
    """Own-source revenue by stream for the municipalities of ``inputs``."""
    table, history = stream_setup(inputs, v)
    years = years_after(inputs, v.params.projection.horizon)
    return stream_engine.project_streams(history, inputs.years, national_stream_growth, table, inputs.census,
                                         list(inputs.municipios), v, years, shocks, detail)


def concept_base(inputs: ProjectionInputs, v: Values) -> np.ndarray:
    """Each concept's value in the last history year (M, C) (older values grown by the trend)."""
    t = v.params.trend
    growth = trend.shrunk_growth(trend.own_growth(inputs.values, inputs.years), inputs.national_growth,
                                 t.shrinkage, t.growth_min, t.growth_max)
    return trend.base_value(inputs.values, inputs.years, growth)


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
                   shocks: np.ndarray | None = None, om_cost: np.ndarray | None = None,
                   plan_debt: dict[str, np.ndarray] | None = None, detail: bool = True) -> ModelArrays:
    """The whole model for a group of municipalities sharing parameter values ``v``.

    ``om_cost`` and ``plan_debt`` carry an investment plan's recurrent costs and new loans
    (``plan_effect``) into spending and debt. ``detail=False`` (Monte Carlo) skips what only
    the tables need: the gap decomposition and the split of totals into MINFIN concepts.
    """
    years = years_after(inputs, v.params.projection.horizon)
    table, _ = stream_setup(inputs, v)
    own = project_own_revenue(inputs, v, national_stream_growth, shocks, detail)
    own_total = sum(own.revenue.values())  # (M, D|1, T)
    m = len(inputs.municipios)
    shape = (m, max(v.n_draws, own_total.shape[1]), len(years))
    own_total = np.broadcast_to(own_total, shape)

    history_own = np.nansum(np.einsum("sc,mch->msh", table.fractions, np.nan_to_num(inputs.values)), axis=1)
    rows = ctx.rows(list(inputs.municipios))
    own_full = np.broadcast_to(ctx.own[rows][:, None, :], (m, shape[1], len(ctx.years))).copy()
    hist_index = np.searchsorted(ctx.years, inputs.years)
    own_full[:, :, hist_index] = history_own[:, None, :]
    proj_index = np.searchsorted(ctx.years, years)
    own_full[:, :, proj_index] = own_total

    donations_hist = inputs.concept("donaciones_otras_transferencias")
    _, donations = _trend_concept(donations_hist, inputs, v, years,
                                  inputs.national_growth[inputs.concepts.index("donaciones_otras_transferencias")])
    base = concept_base(inputs, v)
    transfers_base = np.stack([np.maximum(base[:, inputs.concepts.index("transferencias_corrientes_publicas")], 0),
                               np.maximum(base[:, inputs.concepts.index("transferencias_capital_publicas")], 0)], axis=1)
    fiscal_inputs = FiscalInputs(list(inputs.municipios), years, own_full, own_total, transfers_base,
                                 donations, own.lever_cost, om_cost, plan_debt)
    fiscal = project_fiscal(fiscal_inputs, ctx, v, int(inputs.years[-1]))
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
    pop = stream_engine.population_path(inputs.census, years, v.params.macro.historical_population_growth,
                                        v.path("macro.crecimiento_poblacion", years), int(inputs.years[-1]))
    lines["poblacion"] = np.broadcast_to(pop, shape)
    return ModelArrays(inputs.municipios, years, lines, own, fiscal)


def _trend_concept(history: np.ndarray, inputs: ProjectionInputs, v: Values, years: np.ndarray,
                   national: float) -> tuple[np.ndarray, np.ndarray]:
    inflation = v.path("macro.inflacion", years)
    population = v.path("macro.crecimiento_poblacion", years)
    base, path = stream_engine.trend_paths(history[:, None, :], inputs.years, np.array([national]), v, years,
                                           inflation, population)
    return base[:, 0], path[:, :, 0]



def lines_table(arrays: ModelArrays, escenario: str, draw: int = 0) -> pd.DataFrame:
    """Every line of one draw in the tidy result shape (``escenario, municipio, anio, concepto, valor``)."""
    names = list(arrays.lines)
    cube = np.stack([np.asarray(arrays.lines[n])[:, draw, :] for n in names], axis=1)  # (M, L, T)
    m, n_lines, t = cube.shape
    return pd.DataFrame({
        "escenario": escenario,
        "municipio": np.repeat(np.array(arrays.municipios), n_lines * t),
        "anio": np.tile(arrays.years, m * n_lines).astype(int),
        "concepto": np.tile(np.repeat(np.array(names), t), m),
        "valor": cube.reshape(-1),
    })[RESULT_COLUMNS]


def national_stream_growth(inputs: ProjectionInputs, v: Values) -> np.ndarray:
    """Median growth of each stream across the municipalities of ``inputs`` (S,)."""
    _, history = stream_setup(inputs, v)
    return trend.national_growth(history, inputs.years)


def national_context(inputs: ProjectionInputs, v: Values, stream_growth: np.ndarray,
                     aldeas: np.ndarray, aldeas_estimated: np.ndarray) -> NationalContext:
    """The art. 119 inputs of all municipalities: own revenue observed, then projected under ``v``
    (the defaults: the others on their own projected paths)."""
    table, history = stream_setup(inputs, v)
    own = project_own_revenue(inputs, v, stream_growth)
    projected = sum(own.revenue.values())[:, 0, :]
    observed = np.nan_to_num(history).sum(axis=1)
    reported = ~np.isnan(history).all(axis=1)
    years = np.concatenate((inputs.years, years_after(inputs, v.params.projection.horizon)))
    paths = fill_unreported(np.concatenate((observed, projected), axis=1),
                            np.concatenate((reported, np.ones(projected.shape, dtype=bool)), axis=1))
    return NationalContext(inputs.municipios, inputs.census.astype(float), aldeas.astype(float),
                           aldeas_estimated, years, paths)


def fill_unreported(own: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Own revenue (N, K) with the years a municipality reported nothing (``known`` False) filled
    by straight lines between its nearest known years (before its first one: that year's value).

    A user's export of recent years (2020-2023 for one municipality, over bundled data that ends in
    2019) leaves the others without those years; counted as zero, they would hand the one
    municipality the whole own-revenue criterion of the art. 119 formula.
    """
    out = own.astype(float, copy=True)
    steps = np.arange(own.shape[1])
    for row in np.flatnonzero(~known.all(axis=1)):
        mask = known[row]
        if mask.any():
            out[row, ~mask] = np.interp(steps[~mask], steps[mask], own[row, mask])
    return out


def subset(inputs: ProjectionInputs, codes: list[str]) -> ProjectionInputs:
    """The inputs of some municipalities only."""
    rows = [inputs.municipios.index(c) for c in codes]
    return ProjectionInputs(tuple(codes), inputs.concepts, inputs.years, inputs.values[rows],
                            inputs.national_growth, inputs.census[rows])


def gaps_table(arrays: ModelArrays, draw: int = 0) -> pd.DataFrame:
    """Potential and gap of each driver stream by year, in quetzales and per cápita.

    Columns ``municipio, anio, flujo, componente, valor, per_capita``; components are
    ``recaudacion, potencial, brecha_cobertura, brecha_valuacion, brecha_tasa, brecha_cumplimiento,
    interaccion, brecha_total``; the parts add up to ``brecha_total`` exactly.
    """
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
                frames.append(pd.DataFrame({"municipio": code, "anio": arrays.years.astype(int), "flujo": stream,
                                            "componente": label, "valor": values[i],
                                            "per_capita": values[i] / population[i]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["municipio", "anio", "flujo", "componente", "valor", "per_capita"])


def space_table(arrays: ModelArrays, draw: int = 0) -> pd.DataFrame:
    """Fiscal space for investment by year and funding source: ``municipio, anio, fuente, monto``."""
    frames = []
    for source, values in arrays.fiscal.space.items():
        values = np.asarray(values)[:, draw, :]
        for i, code in enumerate(arrays.municipios):
            frames.append(pd.DataFrame({"municipio": code, "anio": arrays.years.astype(int), "fuente": source,
                                        "monto": values[i]}))
    return pd.concat(frames, ignore_index=True)


def aporte_table(arrays: ModelArrays, draw: int = 0) -> pd.DataFrame:
    """The aporte constitucional by art. 119 criterion: ``municipio, anio, criterio, monto``."""
    frames = []
    for criterion, values in arrays.fiscal.aporte_parts.items():
        values = np.asarray(values)[:, min(draw, np.shape(values)[1] - 1), :]
        for i, code in enumerate(arrays.municipios):
            frames.append(pd.DataFrame({"municipio": code, "anio": arrays.years.astype(int), "criterio": criterion,
                                        "monto": values[i]}))
    return pd.concat(frames, ignore_index=True)


def capacity_table(arrays: ModelArrays, draw: int = 0) -> pd.DataFrame:
    """Largest new INFOM loan by start year: ``municipio, anio, monto, plazo``."""
    amount = arrays.fiscal.capacity["monto"][:, draw, :]
    term = arrays.fiscal.capacity["plazo"][:, draw, :]
    return pd.concat([pd.DataFrame({"municipio": code, "anio": arrays.years.astype(int), "monto": amount[i],
                                    "plazo": term[i].astype(int)}) for i, code in enumerate(arrays.municipios)],
                     ignore_index=True)


def project(inputs: ProjectionInputs, v: Values, escenario: str, ctx: NationalContext,
            stream_growth: np.ndarray) -> pd.DataFrame:
    """The tidy projection of ``inputs`` (deterministic: the first draw)."""
    return lines_table(project_arrays(inputs, v, ctx, stream_growth), escenario)


def plan_effect(efecto: pd.DataFrame, years: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """An investment plan's ``efecto`` table as the core's inputs: O&M (T,) and new-loan flows."""
    table = efecto.set_index("anio").reindex(years, fill_value=0.0)
    om = table["operacion_mantenimiento"].to_numpy(dtype=float)
    debt = {"intereses": table["intereses"].to_numpy(dtype=float),
            "amortizacion": table["amortizacion"].to_numpy(dtype=float),
            "desembolso": table["desembolso_prestamo"].to_numpy(dtype=float)}
    return om, debt
