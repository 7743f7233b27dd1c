"""The yearly fiscal space: the art. 119 formula across municipalities, sources and uses, new loans, capacity, a plan fed back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

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
    uses = w["gasto_funcionamiento"] + w["servicio_deuda"] + w["espacio_fiscal"] + w["espacio_codede"]
    np.testing.assert_allclose(sources, uses, rtol=1e-10)
    np.testing.assert_allclose(w["ingresos_propios"], w["ingresos_propios_total"], rtol=1e-10)
    np.testing.assert_allclose(w["transferencias"], w["transferencias_total"], rtol=1e-10)
    # the plan's sources add up to the whole space; the DAFIM's uses add up to the own space
    plan_sources = ["espacio_propios", "espacio_aporte_constitucional", "espacio_iva_paz", "espacio_prestamo_infom"]
    np.testing.assert_allclose(w[plan_sources].sum(axis=1), w["espacio_fiscal"], rtol=1e-10)
    own = w["espacio_libre"] + w["espacio_inversion"] + w["espacio_prestamo_infom"]
    np.testing.assert_allclose(own, w["espacio_fiscal"], rtol=1e-10)
    spaces = [c for c in w.columns if c.startswith("espacio_")]
    assert (w[spaces] >= -1e-6).all().all()


def test_fiscal_space_table_matches_the_projection():
    """The table a DAFIM reads: each source's money left split by what it may pay; CODEDE funds
    apart from the municipality's own space; every earmark from its parameter."""
    result = run("1301", "base")
    space = result.fiscal_space
    w = projected_wide(result, "1301")
    own = space.loc[space["destino"] != "codede"].pivot_table(index="anio", values="monto", aggfunc="sum")["monto"]
    np.testing.assert_allclose(own, w["espacio_fiscal"], rtol=1e-12)
    codede = space.loc[space["destino"] == "codede"].set_index("anio")["monto"]
    np.testing.assert_allclose(codede, w["espacio_codede"], rtol=1e-12)
    assert set(zip(space["fuente"], space["destino"])) == {
        ("propios", "libre"), ("otras", "libre"), ("aporte_constitucional", "libre"),
        ("aporte_constitucional", "inversion"), ("iva_paz", "libre"), ("iva_paz", "inversion"),
        ("circulacion_vehiculos", "inversion"), ("petroleo", "inversion"), ("prestamo_infom", "prestamo"),
        ("codede", "codede")}


def test_free_share_left_by_hand():
    """Aporte of 100 (earmark 90 %): operation used 6 of the free 10, debt 5 (from the earmarked
    90): 4 free and 85 earmarked left of 89. Operation beyond its share leaves nothing free; debt
    beyond the earmarked share eats the free share."""
    from nexos_model.fiscal.space import free_share_left

    assert free_share_left(np.array(100.0), np.array(5.0), np.array(6.0), np.array(89.0), 0.9) == pytest.approx(4.0)
    assert free_share_left(np.array(100.0), np.array(0.0), np.array(12.0), np.array(88.0), 0.9) == 0.0
    assert free_share_left(np.array(100.0), np.array(93.0), np.array(0.0), np.array(7.0), 0.9) == pytest.approx(7.0)
    assert free_share_left(np.array(100.0), np.array(95.0), np.array(0.0), np.array(5.0), 0.9) == pytest.approx(5.0)


AMOUNTS = st.one_of(st.just(0.0), st.floats(0.0, 1e9), st.floats(-1e3, 1e9))


@settings(max_examples=200, deadline=None)
@given(revenue=hnp.arrays(np.float64, 24, elements=AMOUNTS), used=hnp.arrays(np.float64, 24, elements=AMOUNTS),
       left=hnp.arrays(np.float64, 24, elements=AMOUNTS), owed=hnp.arrays(np.float64, 24, elements=AMOUNTS),
       earmarked=st.sampled_from([0.0, 0.25, 0.9, 1.0]), paid=st.booleans(), cut=st.integers(0, 24))
def test_the_funding_shortcuts_give_the_plain_formulas_bit_for_bit(revenue, used, left, owed, earmarked, paid, cut):
    """The fiscal core skips passes that cannot change a value (no debt paid, nothing used yet,
    operation owed in few cells): the same numbers as the written formulas, to the bit."""
    from nexos_model.fiscal.space import _fixed_share, _free_left, _pay_where_owed, free_share, free_share_left

    debt = np.abs(used) if paid else None
    kept, over = _fixed_share(revenue, debt, earmarked)
    plain = free_share(revenue, 0.0 if debt is None else debt, earmarked)
    np.testing.assert_array_equal(np.zeros_like(revenue) if kept is None else kept, plain[0])
    np.testing.assert_array_equal(np.zeros_like(revenue) if over is None else over, plain[1])
    expected = free_share_left(revenue, 0.0 if debt is None else debt, used, left, earmarked)
    np.testing.assert_array_equal(_free_left((kept, over), used, left), expected)
    zero = np.zeros_like(revenue)
    np.testing.assert_array_equal(_free_left((kept, over), None, left), _free_left(plain, zero, left))

    owed[cut:] = 0.0  # operation still owed in some cells only
    amount, lefts, useds = owed.copy(), [left.copy(), revenue.copy()], [used.copy(), np.abs(used)]
    expected_left, expected_used = [a.copy() for a in lefts], [a.copy() for a in useds]
    unpaid = owed.copy()
    for have, spent in zip(expected_left, expected_used):  # what pay() does over all cells
        take = np.minimum(unpaid, have)
        have -= take
        spent += take
        unpaid -= take
    done = _pay_where_owed(amount, lefts, useds)
    assert done == (np.count_nonzero(owed) <= owed.size // 8 and min(left.min(), revenue.min()) >= 0)
    if done:
        np.testing.assert_array_equal(amount, unpaid)
        for got, expected in zip(lefts + useds, expected_left + expected_used):
            np.testing.assert_array_equal(got, expected)


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
    uses = w["gasto_funcionamiento"] + w["servicio_deuda"] + w["espacio_fiscal"] + w["espacio_codede"]
    np.testing.assert_allclose(sources, uses, rtol=1e-10)
    # The O&M is paid from the free money of the sources the plan chose, and it adds up.
    paid = effect[[f"operacion_{k}" for k in ("propios", "aporte_constitucional", "iva_paz")]].sum(axis=1)
    np.testing.assert_allclose(paid, effect["operacion_mantenimiento"], rtol=1e-12)
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
