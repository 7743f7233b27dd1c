"""``run()``'s investment plan: the municipality's portfolio or a labelled illustrative one, every rule kept."""

from __future__ import annotations

import pytest

from nexos_model.investment.illustrative import ILLUSTRATIVE_PREFIX
from nexos_model.investment.inputs import ProgrammeOptions
from nexos_model.investment.verify import plan_violations
from tests.support import BUDGET_YEAR


@pytest.fixture(scope="module")
def run_0901():
    from nexos_model.api import run

    return run("0901", "base")


def test_plan_for_run_uses_the_bundled_portfolio_and_keeps_every_rule(run_0901):
    from nexos_model.api import plan_for_run
    from nexos_model.investment.plan import run_space

    plan = plan_for_run(run_0901)
    assert plan.cartera.endswith("params/carteras/0901.yaml") and plan.ilustrativa
    space, capacity, terms = run_space(run_0901, "0901")
    assert plan.years == list(range(BUDGET_YEAR, BUDGET_YEAR + run_0901.params.params.calendar.plan_years))
    assert plan.espacio.loc["prestamo_infom"].sum() == pytest.approx(
        space.loc[space["anio"].isin(plan.years) & (space["fuente"] == "prestamo_infom"), "monto"].sum())
    for programme in (plan.optimo, plan.orden):
        options = ProgrammeOptions(post_horizon_room=plan.post_horizon_room, om_room=plan.om_room,
                                   borrowing=plan.borrowing)
        assert plan_violations(programme, plan.projects, plan.espacio, plan.years, options) == []
    projection_years = sorted(run_0901.projection["anio"].unique())
    assert plan.efecto["anio"].min() == plan.years[0] and plan.efecto["anio"].max() >= projection_years[-1]
    assert set(plan.tables()) >= {"cronograma", "financiamiento", "no_financiados", "poa", "puntajes", "resultados",
                                  "comparacion", "efecto_proyeccion"}
    assert (plan.poa["anio"] == plan.years[0]).all()
    assert plan.comparison.ganancia_pct >= -1e-9


def test_plan_for_run_without_a_portfolio_file_uses_a_labelled_illustrative_one():
    from nexos_model.api import run
    from nexos_model.api import plan_for_run

    plan = plan_for_run(run("0101", "base"))
    assert plan.ilustrativa and all(p.name.startswith(ILLUSTRATIVE_PREFIX) for p in plan.projects)
    assert "ILUSTRATIVA" in plan.avisos[0]


def test_an_illustrative_portfolio_never_stops_a_report():
    """0111's fiscal space cannot pay the illustrative mandatory project: the plan still comes out,
    with the mandatory flags dropped and a warning (a real portfolio would raise instead)."""
    from nexos_model import run
    from nexos_model.api import plan_for_run

    plan = plan_for_run(run("0111"), "0111")
    assert plan.ilustrativa
    assert any("no caben en el espacio fiscal de 0111" in a for a in plan.avisos)


@pytest.mark.parametrize("selection", ["", ",", " , ", []])
def test_an_empty_selection_of_municipalities_is_an_error(selection):
    from nexos_model.api import resolve_municipios
    from nexos_model.errors import NexosError

    with pytest.raises(NexosError, match="no se indicó ningún municipio"):
        resolve_municipios(selection)


def test_table_names_are_those_of_a_run():
    from nexos_model import run
    from nexos_model.api import TABLE_NAMES

    assert tuple(run("0901").tables()) == TABLE_NAMES[:10]
    assert tuple(run("0901", simulaciones=5).tables()) == TABLE_NAMES


def test_the_budget_year_moves_estimates_plan_poa_loans_and_reforms_together():
    """``calendario.anio_presupuesto: 2030``: 2020-2029 estimated, the plan and its POA from 2030,
    the reforms from 2030, new loans within the 2028-2032 council (a 2030 loan: two years)."""
    from nexos_model.api import run

    result = run("1301", "actualizacion_catastral", {"calendario.anio_presupuesto": 2030}, planificar=True)
    spans = result.tidy().groupby("tipo")["anio"].agg(["min", "max"])
    assert spans.loc["estimado"].tolist() == [2020, 2029] and spans.loc["proyectado"].tolist() == [2030, 2039]
    plan = result.plans["1301"]
    assert plan.years == [2030, 2031, 2032, 2033] and (plan.poa["anio"] == 2030).all()
    lever = result.params.params.levers.iusi_coverage
    assert (lever.start_year, lever.target_year) == (2030, 2033)
    capacity = run("1301", "actualizacion_catastral", {"calendario.anio_presupuesto": 2030}).borrowing.set_index("anio")
    assert capacity.loc[2030, "plazo"] == 2 and capacity.loc[2031, "plazo"] == 1 and capacity.loc[2032, "plazo"] == 3
    # The plan's own new loans end within the term of the council that takes each one.
    effect = plan.efecto.set_index("anio")
    taken = effect.index[effect["desembolso_prestamo"] > 0]
    for year in taken:
        last = 2031 if year < 2032 else 2035
        assert effect.loc[year:last, "amortizacion"].sum() >= effect.loc[year, "desembolso_prestamo"] - 1e-6
    assert result.projection.query("anio == 2030")["tipo"].eq("proyectado").all()
    assert result.fiscal_space.query("anio == 2029")["tipo"].eq("estimado").all()


def test_a_budget_year_already_observed_is_a_spanish_error():
    from nexos_model.api import run
    from nexos_model.errors import ParameterError

    with pytest.raises(ParameterError, match="calendario.anio_presupuesto: el municipio 1301 ya tiene datos "
                                             "observados hasta 2019 .valor dado: 2019"):
        run("1301", "base", {"calendario.anio_presupuesto": 2019})


# --- a municipality code given as a number (Papermill's -p, a notebook, a spreadsheet) ----------

def test_a_code_given_as_a_number_is_the_same_municipality(run_0901):
    from nexos_model.api import municipio_code, resolve_municipios, run

    assert [municipio_code(v) for v in (901, "901", "0901", " 0901 ")] == ["0901"] * 4
    assert resolve_municipios(901) == resolve_municipios([901, "1301"])[:1] == ["0901"]
    assert resolve_municipios([1301, 901]) == ["1301", "0901"]
    numeric = run(901, "base")
    assert numeric.municipios == ["0901"]
    assert numeric.projection.equals(run_0901.projection)
    assert numeric.code(901) == numeric.code("0901") == numeric.code() == "0901"
    assert numeric.wide(901).equals(run_0901.wide("0901"))


def test_a_numeric_code_is_never_another_municipality():
    from nexos_model.api import resolve_municipios, run
    from nexos_model.errors import NexosError

    with pytest.raises(NexosError, match="municipio '9' desconocido"):
        resolve_municipios(9)  # 0009: not an INE code; never silently 0901 or 0900
    with pytest.raises(NexosError, match="municipio 1301: no está en esta corrida"):
        run(901, "base").wide(1301)
