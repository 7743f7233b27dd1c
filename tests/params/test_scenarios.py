"""The bundled scenarios say what they do and do it.

Each scenario's ``descripcion`` states its assumptions in numbers; every statement is a
(fragment of the description, check on the model's output) pair below, and the check runs on
the projection of all 340 municipalities at once (the same core ``run()`` calls), every year
after the last observed one: the estimated years (before the budget year, with the observed
inflation of the INE and the published aporte totals) and the projected ones. A scenario whose
description and output disagree fails here, naming the statement.

And the scenarios are distinct beliefs: by the last year of the investment plan, own revenue
under ``optimista`` is at least 3 % above ``base`` and under ``pesimista`` at least 3 % below it,
for every departmental capital.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from nexos_model import projection as core
from nexos_model.api import prepared_default
from nexos_model.investment.plan import plan_years
from nexos_model.io.bundled import national_figures
from nexos_model.params.loader import load_parameters, params_folders
from nexos_model.params.values import Values

INFLATION, POPULATION = 0.04, 0.0178
NATURAL = (1 + INFLATION) * (1 + POPULATION) - 1  # 5.85 %
TOLERANCE = 1e-9
CAPITALS = [f"{d:02d}01" for d in range(1, 23)]  # the cabecera of each department is its municipality 01


@lru_cache(maxsize=None)
def model(escenario: str):
    """(parameters, arrays) of every municipality under ``escenario``."""
    params = load_parameters(None, escenario).params
    q = params.quality
    prepared = prepared_default(params.projection.measure, q.outlier_factor, q.outlier_floor,
                                q.flagged_values == "excluir")
    ctx, growth = prepared.context(core.end_year(params.calendar))
    return params, core.project_arrays(prepared.inputs, Values(params), ctx, growth)


def inflation(arrays) -> np.ndarray:
    """The inflation of each model year (T,): the INE's observed one where known (the estimated
    years), else the scenario's 4 %."""
    return np.array([national_figures().inflation.get(int(y), INFLATION) for y in arrays.years])


def after_published(arrays) -> np.ndarray:
    """The model years after the last published aporte total (mask over the yearly growths, T - 1)."""
    return arrays.years[1:] > max(national_figures().aporte_totals)


def yearly_growth(path: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """Growth of each year over the one before (M, T - 1), or (M, T) from ``base`` (M,); NaN where
    the year before is zero."""
    values = path[:, 0, :]
    if base is not None:
        values = np.concatenate([base[:, None], values], axis=1)
    before, after = values[:, :-1], values[:, 1:]
    return np.divide(after, before, out=np.full(after.shape, np.nan), where=before > 0) - 1


def stream_growth(arrays, which: str = "all") -> np.ndarray:
    """Yearly growth of the streams (S, M, T) from the base year: every stream, or those of one method."""
    streams = arrays.streams
    names = [n for n, m in zip(streams.names, streams.methods) if which == "all" or m == which]
    return np.stack([yearly_growth(np.asarray(streams.revenue[n]), streams.base[:, streams.names.index(n)])
                     for n in names])


def driver(arrays, stream: str, factor: str) -> np.ndarray:
    return np.broadcast_to(arrays.streams.drivers[stream][factor], (len(arrays.municipios), 1, len(arrays.years)))


def pool_growth(arrays, line: str) -> np.ndarray:
    """Growth of a transfer summed over all 340 municipalities (the national pool) each year."""
    total = np.asarray(arrays.lines[line])[:, 0, :].sum(axis=0)
    return total[1:] / total[:-1] - 1


def at_least(values, bound) -> bool:
    return bool(np.nanmin(values) >= bound - TOLERANCE)


def at_most(values, bound) -> bool:
    return bool(np.nanmax(values) <= bound + TOLERANCE)


def close(values, target, tol=1e-9) -> bool:
    """``values`` equal ``target`` (a number, or one per year: broadcast on the last axis) where finite."""
    values = np.asarray(values)
    target = np.broadcast_to(target, values.shape)
    finite = np.isfinite(values)
    return bool(np.allclose(values[finite], target[finite], rtol=0, atol=tol))


def salaries(arrays, real: float) -> bool:
    return close(yearly_growth(np.asarray(arrays.lines["gasto_personal"])), (1 + inflation(arrays)[1:]) * (1 + real) - 1)


def lever_cost(arrays, params, cost: float, shares: list[float], start_year: int) -> bool:
    years = arrays.years.tolist()
    line = np.asarray(arrays.lines["costo_reformas"])[0, 0]
    expected = np.zeros(len(years))
    for k, share in enumerate(shares):
        if start_year + k in years:
            expected[years.index(start_year + k)] = cost * share
    return bool(np.allclose(line, expected, atol=0.005))


def reached(arrays, stream: str, factor: str, target: float, from_year: int) -> bool:
    values = driver(arrays, stream, factor)[:, 0, arrays.years >= from_year]
    return at_least(values, target)


#: Per scenario: (fragment of its description, check on (params, arrays)).
STATEMENTS = {
    "base": [
        ("entre −5 % y 15 % nominal al año", lambda p, a: at_least(stream_growth(a, "tendencia"), -0.05)
         and at_most(stream_growth(a, "tendencia"), 0.15)),
        ("contraídas 80 % hacia la mediana nacional", lambda p, a: p.trend.shrinkage == 0.8),
        ("amortiguado (× 0.1 cada año)", lambda p, a: p.trend.damping == 0.1),
        ("avalúos del IUSI con 30 % de la subida de precios (4 % al año)",
         lambda p, a: close(yearly_growth(driver(a, "iusi", "valuation")), 0.3 * inflation(a)[1:], 1e-12)),
        ("tarifa del agua y cuota del ornato fijas",
         lambda p, a: close(yearly_growth(driver(a, "agua", "valuation")), 0.0)
         and close(yearly_growth(driver(a, "ornato", "valuation")), 0.0)),
        ("aporte constitucional e IVA-PAZ +7.4 % al año después del último monto publicado",
         lambda p, a: close(pool_growth(a, "aporte_constitucional")[after_published(a)], 0.074)
         and close(pool_growth(a, "iva_paz"), 0.074)),
        ("salarios +1 % real al año", lambda p, a: salaries(a, 0.01)),
    ],
    "optimista": [
        ("cada flujo de ingresos propios crece al menos la inflación más la población (5.85 % nominal al año",
         lambda p, a: at_least(stream_growth(a) - ((1 + inflation(a)) * (1 + POPULATION) - 1), 0.0)
         and at_least(stream_growth(a)[..., a.years >= p.calendar.budget_year], NATURAL)),
        ("los de tendencia entre 7 % (1 % real por habitante) y 20 %",
         lambda p, a: at_least(stream_growth(a, "tendencia"), 0.07) and at_most(stream_growth(a, "tendencia"), 0.20)),
        ("avalúos del IUSI, tarifa del agua y cuota del ornato suben con la inflación",
         lambda p, a: close(yearly_growth(driver(a, "iusi", "valuation")), (1 + inflation(a)[1:]) * 1.01 - 1, 1e-12)
         and close(yearly_growth(driver(a, "agua", "valuation")), inflation(a)[1:])
         and close(yearly_growth(driver(a, "ornato", "valuation")), inflation(a)[1:])),
        ("inmuebles +1 % real al año",
         lambda p, a: close(yearly_growth(driver(a, "iusi", "valuation_target")), (1 + inflation(a)[1:]) * 1.01 - 1)),
        ("aporte constitucional e IVA-PAZ +9.5 % al año después del último monto publicado",
         lambda p, a: close(pool_growth(a, "aporte_constitucional")[after_published(a)], 0.095)
         and close(pool_growth(a, "iva_paz"), 0.095)),
    ],
    "pesimista": [
        ("cada flujo de ingresos propios crece a lo sumo 4 % nominal al año",
         lambda p, a: at_most(stream_growth(a), 0.04)),
        ("avalúos del IUSI congelados", lambda p, a: close(yearly_growth(driver(a, "iusi", "valuation")), 0.0)),
        ("aporte constitucional e IVA-PAZ +4 % al año (solo la inflación) después del último monto publicado",
         lambda p, a: close(pool_growth(a, "aporte_constitucional")[after_published(a)], 0.04)
         and close(pool_growth(a, "iva_paz"), 0.04)),
        ("salarios +2 % real al año", lambda p, a: salaries(a, 0.02)),
    ],
    "actualizacion_catastral": [
        ("cobertura del 85 %", lambda p, a: reached(a, "iusi", "coverage", 0.85, p.levers.iusi_coverage.target_year)),
        ("avalúos al 80 % del valor de mercado",
         lambda p, a: at_least((driver(a, "iusi", "valuation") / driver(a, "iusi", "valuation_target"))
                               [:, 0, a.years >= p.levers.iusi_valuation.target_year], 0.8)),
        ("costo Q 1,200,000", lambda p, a: lever_cost(a, p, 1_200_000, [0.5, 0.3, 0.2],
                                                      p.levers.iusi_coverage.start_year)),
    ],
    "mejora_cobranza": [
        ("IUSI y agua al 90 % de lo facturado",
         lambda p, a: reached(a, "iusi", "compliance", 0.9, p.levers.iusi_collection.target_year)
         and reached(a, "agua", "compliance", 0.9, p.levers.water_collection.target_year)),
        ("ornato al 80 % de los adultos",
         lambda p, a: reached(a, "ornato", "compliance", 0.8, p.levers.ornato_compliance.target_year)),
        ("costo Q 300,000", lambda p, a: lever_cost(a, p, 300_000, [0.6, 0.4], p.levers.iusi_collection.start_year)),
    ],
}


@pytest.mark.parametrize("escenario,fragment,check",
                         [(s, f, c) for s, items in STATEMENTS.items() for f, c in items],
                         ids=[f"{s}: {f}" for s, items in STATEMENTS.items() for f, _ in items])
def test_each_statement_of_a_description_holds_for_every_municipality(escenario, fragment, check):
    params, arrays = model(escenario)
    assert fragment in " ".join(params.description.split()), f"'{fragment}' is not in the description of {escenario}"
    assert check(params, arrays), f"{escenario}: the output does not do what '{fragment}' says"


def test_reform_levers_run_from_the_budget_year_to_the_end_of_the_plan_as_described():
    """The reforms' years follow the calendar, as their descriptions say ("desde el año del
    presupuesto", "al final del plan"): each active lever starts in the budget year (2027 as of
    today) and reaches its target in the last year of the plan."""
    for escenario in ("actualizacion_catastral", "mejora_cobranza"):
        params, arrays = model(escenario)
        assert "año del presupuesto" in params.description and "al final" in params.description
        last_plan_year = plan_years(params.calendar, arrays.years.tolist())[-1]
        for lever in params.levers.active().values():
            assert (lever.start_year, lever.target_year) == (params.calendar.budget_year, last_plan_year)


def test_every_bundled_scenario_has_its_statements_tested():
    bundled = {p.stem for p in params_folders().glob("escenarios")}
    assert bundled == set(STATEMENTS)


def own_revenue_in_last_plan_year(escenario: str) -> dict[str, float]:
    params, arrays = model(escenario)
    year = plan_years(params.calendar, arrays.years.tolist())[-1]
    own = np.asarray(arrays.lines["ingresos_propios"])[:, 0, arrays.years.tolist().index(year)]
    return dict(zip(arrays.municipios, own))


def test_optimista_and_pesimista_move_own_revenue_by_at_least_3_percent_in_every_capital():
    base, high, low = (own_revenue_in_last_plan_year(s) for s in ("base", "optimista", "pesimista"))
    spread = {c: (high[c] / base[c] - 1, low[c] / base[c] - 1) for c in CAPITALS}
    assert all(up >= 0.03 for up, _ in spread.values()), {c: round(u, 4) for c, (u, _) in spread.items()}
    assert all(down <= -0.03 for _, down in spread.values()), {c: round(d, 4) for c, (_, d) in spread.items()}
