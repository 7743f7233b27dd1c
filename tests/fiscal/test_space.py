"""The yearly fiscal space: the art. 119 formula across municipalities, sources and uses, new loans, capacity, a plan fed back."""

from __future__ import annotations

import numpy as np
import pytest

from nexos_model import run
from nexos_model.api import prepared_default
from nexos_model.errors import NexosError
from nexos_model.fiscal.space import aporte_pool, formula_shares
from nexos_model.fiscal.transfers import ART119_CRITERIA, allocate_art119
from nexos_model.fiscal.terms import term_last_year
from nexos_model.io.bundled import national_figures
from nexos_model.params.loader import load_parameters
from nexos_model.params.values import Values
from nexos_model.projection import end_year
from tests.support import BUDGET_YEAR, projected_wide


WEIGHTS = dict(load_parameters(None, None).params.transfers.aporte.weights)


@pytest.fixture(scope="module")
def ctx():
    prepared = prepared_default("devengado", 5.0, 50_000.0, True)
    return prepared.context(end_year(load_parameters(None, None).params.calendar))[0]


def test_group_formula_equals_the_full_allocation(ctx):
    """The fast per-group formula gives what allocate_art119 gives over all 340 municipalities."""
    years = ctx.years[-3:]
    k = np.searchsorted(ctx.years, years - 1)
    own = ctx.own[:, k].copy()
    rows = np.array([ctx.municipios.index("1401")])
    raised = own[rows] * 3.0  # the group's own (scenario) path
    shares = formula_shares(_on_axis(ctx, rows, raised, years), rows, ctx, WEIGHTS, 1, years)
    for t in range(len(years)):
        everyone = own[:, t].copy()
        everyone[rows] = raised[:, t]
        full = allocate_art119(1.0, ctx.population, np.maximum(everyone, 0), ctx.aldeas, WEIGHTS)
        for name in ART119_CRITERIA:
            np.testing.assert_allclose(shares[name][0, 0, t], full[name][0, rows[0]], rtol=1e-12)


def _on_axis(ctx, rows, values, years):
    """The group's own revenue laid on ``ctx.years`` (its lagged years carry ``values``)."""
    own = np.broadcast_to(ctx.own[rows][:, None, :], (len(rows), 1, len(ctx.years))).copy()
    own[:, 0, np.searchsorted(ctx.years, years - 1)] = values
    return own


def test_raising_own_revenue_raises_the_share_and_lowers_the_others_by_the_same_total(ctx):
    years = ctx.years[-1:]
    k = int(np.searchsorted(ctx.years, years[0] - 1))
    own = np.maximum(ctx.own[:, k], 0)
    i = ctx.municipios.index("1401")
    before = allocate_art119(3e9, ctx.population, own, ctx.aldeas, WEIGHTS)["total"][0]
    raised = own.copy()
    raised[i] *= 2
    after = allocate_art119(3e9, ctx.population, raised, ctx.aldeas, WEIGHTS)["total"][0]
    gain = after[i] - before[i]
    assert gain > 0
    others = np.delete(after - before, i)
    assert (others <= 0).all()
    assert others.sum() == pytest.approx(-gain, rel=1e-9)


def test_a_cadastre_reform_raises_the_aporte_through_the_formula():
    base = projected_wide(run("1401", "base"), "1401")
    reform = projected_wide(run("1401", "actualizacion_catastral"), "1401")
    # The reform starts in the budget year (its first gains the year after); the formula uses the
    # previous year's own revenue.
    gains = BUDGET_YEAR + 2
    assert (reform.loc[:gains - 1, "aporte_constitucional"] == base.loc[:gains - 1, "aporte_constitucional"]).all()
    assert (reform.loc[gains:, "aporte_constitucional"] > base.loc[gains:, "aporte_constitucional"]).all()


@pytest.mark.parametrize("code, escenario, overrides", [
    ("0901", "base", None),
    ("1401", "actualizacion_catastral", None),
    ("1301", "pesimista", {"deuda.nuevo_prestamo.monto": 5_000_000}),
    ("0801", "base", {"gasto.funcionamiento.monto_base": 60_000_000}),  # operation beyond the sources
])
def test_sources_equal_uses_every_year(code, escenario, overrides):
    w = projected_wide(run(code, escenario, overrides), code)
    sources = w["ingresos_propios_total"] + w["transferencias_total"] + w["desembolso_prestamo"] + w["deficit"]
    uses = w["gasto_funcionamiento"] + w["servicio_deuda"] + w["espacio_fiscal"]
    np.testing.assert_allclose(sources, uses, rtol=1e-10)
    np.testing.assert_allclose(w["ingresos_propios"], w["ingresos_propios_total"], rtol=1e-10)
    np.testing.assert_allclose(w["transferencias"], w["transferencias_total"], rtol=1e-10)
    spaces = [c for c in w.columns if c.startswith("espacio_") and c != "espacio_fiscal"]
    np.testing.assert_allclose(w[spaces].sum(axis=1), w["espacio_fiscal"], rtol=1e-10)
    assert (w[spaces] >= -1e-6).all().all()


def test_fiscal_space_table_matches_the_projection():
    result = run("1301", "base")
    space = result.fiscal_space.pivot_table(index="anio", columns="fuente", values="monto")
    np.testing.assert_allclose(space.sum(axis=1), projected_wide(result, "1301")["espacio_fiscal"], rtol=1e-12)
    assert set(space.columns) == {"codede", "iva_paz", "aporte_constitucional", "prestamo_infom", "propios"}


def test_a_new_loan_shows_as_proceeds_service_and_loan_space():
    result = run("1301", "base", {"deuda.nuevo_prestamo.monto": 3_000_000, "deuda.nuevo_prestamo.tasa": 0.08})
    w = projected_wide(result, "1301")
    taken = BUDGET_YEAR  # the new loan's year follows the calendar
    assert w.loc[taken, "desembolso_prestamo"] == pytest.approx(3_000_000)
    assert w.loc[taken:taken + 2, "amortizacion"].sum() == pytest.approx(3_000_000)
    assert w.loc[:taken - 1, "servicio_deuda"].sum() == 0 and w.loc[taken + 3:, "servicio_deuda"].sum() == 0
    space = result.fiscal_space.query("fuente == 'prestamo_infom'").set_index("anio")["monto"]
    assert space[taken] == pytest.approx(3_000_000) and space.drop(taken).sum() == 0


def test_borrowing_capacity_respects_the_term_in_course_each_year():
    """A loan taken in a year ends within the term of the council in course that year: 2027 (the
    last full year of 2024-2028) allows one year; 2028, a new council, three (deuda.plazo_maximo)."""
    capacity = run("1301", "base").borrowing.set_index("anio")
    c = load_parameters("1301", "base").params.calendar
    ends = dict(zip(capacity.index, term_last_year(capacity.index, c.term_start, c.term_length)))
    lends = capacity.loc[capacity["monto"] > 0]
    assert (lends.index + lends["plazo"] - 1 <= lends.index.map(ends)).all()
    assert capacity.loc[2027, "monto"] > 0 and capacity.loc[2027, "plazo"] == 1
    assert capacity.loc[2028, "plazo"] == 3 and capacity.loc[2028, "monto"] > capacity.loc[2027, "monto"]
    assert capacity.loc[2031, "plazo"] == 1  # the last full year of 2028-2032


def test_the_investment_plan_feeds_its_om_and_loans_back_into_the_projection():
    result = run("1301", "base", {"deuda.nuevo_prestamo.monto": 0}, planificar=True)
    plan = result.plans["1301"]
    w = projected_wide(result, "1301")
    effect = plan.efecto.set_index("anio").reindex(w.index, fill_value=0.0)
    np.testing.assert_allclose(w["operacion_mantenimiento"], effect["operacion_mantenimiento"], rtol=1e-12)
    np.testing.assert_allclose(w["servicio_deuda"], effect["servicio_deuda"], rtol=1e-9, atol=1e-6)
    sources = w["ingresos_propios_total"] + w["transferencias_total"] + w["desembolso_prestamo"] + w["deficit"]
    uses = w["gasto_funcionamiento"] + w["servicio_deuda"] + w["espacio_fiscal"]
    np.testing.assert_allclose(sources, uses, rtol=1e-10)
    # Apart from the plan's own loan proceeds (money it invests), the plan only takes space away.
    before = projected_wide(run("1301", "base"), "1301")
    assert (w["espacio_fiscal"] - w["desembolso_prestamo"] <= before["espacio_fiscal"] + 1e-6).all()
    assert w["operacion_mantenimiento"].sum() > 0


def test_capacity_equals_the_one_loan_at_a_time_rule():
    """The fiscal core's capacity (all start years at once) equals debt.borrowing_capacity."""
    from nexos_model.fiscal.debt import borrowing_capacity

    code = "1301"
    result = run(code, "base")
    params = result.params.params
    w = projected_wide(result, code)
    room = np.maximum(params.rules.debt_service_max * w["ingresos_ordinarios"] - w["servicio_deuda"], 0).to_numpy()
    years = w.index.to_numpy()
    table = result.borrowing.set_index("anio")
    for start in years:
        expected = borrowing_capacity(room, params.debt.capacity_rate, params.debt.max_term, 0,
                                      params.debt.new_loan.method, params.debt.new_loan.payments_per_year,
                                      years, int(start), term_limit_year=int(term_last_year(
                                          [start], params.calendar.term_start, params.calendar.term_length)[0]))
        assert table.loc[start, "monto"] == pytest.approx(expected["monto"], rel=1e-9, abs=1e-6)
        if expected["monto"] > 0:
            assert table.loc[start, "plazo"] == expected["plazo"]


def test_the_aporte_pool_is_the_published_total_then_grows_with_ordinary_revenue():
    params = load_parameters(None, None).params
    totals = national_figures().aporte_totals
    years = np.arange(2016, 2031)
    pool = dict(zip(years.tolist(), aporte_pool(totals, Values(params), years)[0]))
    assert pool[2022] == 3_730_400_000 and pool[2025] == 6_141_821_000 and pool[2026] == 6_141_821_000
    growth = params.transfers.aporte.growth[0]
    assert pool[2030] == pytest.approx(6_141_821_000 * (1 + growth) ** 4, rel=1e-12)
    assert pool[2016] == pytest.approx(3_051_745_000 / (1 + growth) ** 2, rel=1e-12)  # before the first: discounted
    # Drawn growth moves only the years after the last published total.
    drawn = aporte_pool(totals, Values(params, {"transferencias.aporte_constitucional.crecimiento":
                                                np.array([0.0, 0.2])}), years)
    np.testing.assert_allclose(drawn[:, years.tolist().index(2025)], 6_141_821_000)
    np.testing.assert_allclose(drawn[:, -1], [6_141_821_000, 6_141_821_000 * 1.2 ** 4])
    with pytest.raises(NexosError, match="totales nacionales publicados"):
        aporte_pool({}, Values(params), years)


def test_the_estimated_years_take_the_published_aporte():
    """1301's aporte in an estimated year is its formula share of that year's published total:
    the 2024-2025 jump (+42 % nationally) shows in its estimated years."""
    result = run("1301", "base")
    w = projected_wide(result, "1301")
    assert result.projection.query("anio == 2025")["tipo"].eq("estimado").all()
    jump = w.loc[2025, "aporte_constitucional"] / w.loc[2023, "aporte_constitucional"]
    national = national_figures().aporte_totals
    assert jump == pytest.approx(national[2025] / national[2023], rel=0.02)
