"""run() and the projection core: shape, identities, horizon, doubtful data, finiteness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nexos_model import catalog, run
from nexos_model.api import prepare_history
from nexos_model.errors import NexosError
from nexos_model.io.history import load_bundled_history
from nexos_model.params.loader import load_parameters
from nexos_model.params.values import Values
from nexos_model.projection import ProjectionInputs, end_year, project, subset
from nexos_model.revenue import trend
from tests.support import BUDGET_YEAR


def assert_totals_are_sums(table: pd.DataFrame) -> None:
    wide = table.pivot_table(index=["municipio", "anio"], columns="concepto", values="valor")
    for total in catalog.totals():
        parts = [c for c in catalog.children(total) if c in wide.columns]
        np.testing.assert_allclose(wide[total], wide[parts].sum(axis=1), rtol=1e-12, atol=1e-6)


def test_every_concept_from_the_last_data_year_through_the_calendar():
    """From the year after the data (2019) to ten years from the budget being prepared: the
    years before it estimated, the rest projected; the tidy table adds the observed years."""
    result = run("0901", "base")
    proj = result.projection
    assert list(proj.columns) == ["escenario", "municipio", "anio", "tipo", "concepto", "valor"]
    years = list(range(2020, BUDGET_YEAR + 10))
    assert sorted(proj["anio"].unique()) == years
    kinds = proj.groupby("anio")["tipo"].unique().map(tuple)
    assert all(kinds[y] == (("estimado",) if y < BUDGET_YEAR else ("proyectado",)) for y in years)
    expected = set(catalog.concepts().index) | set(catalog.result_lines().index)
    assert set(proj["concepto"]) == expected
    assert len(proj) == len(years) * len(expected)
    tidy = result.tidy()
    assert tidy.groupby("tipo")["anio"].agg(["min", "max"]).to_dict("index") == {
        "observado": {"min": 2016, "max": 2019}, "estimado": {"min": 2020, "max": BUDGET_YEAR - 1},
        "proyectado": {"min": BUDGET_YEAR, "max": BUDGET_YEAR + 9}}
    observed = tidy.query("tipo == 'observado' and concepto == 'ingresos_propios'").set_index("anio")["valor"]
    np.testing.assert_allclose(observed, result.wide().loc[2016:2019, "ingresos_propios"])
    assert proj["valor"].notna().all() and np.isfinite(proj["valor"]).all()
    assert_totals_are_sums(proj)


def test_many_municipalities_and_identities_on_history_too():
    result = run("depto:09", "base")
    assert len(result.municipios) == 24
    assert_totals_are_sums(result.projection)
    wide = result.wide("0901")
    parts = [c for c in catalog.children("ingresos_propios")]
    np.testing.assert_allclose(wide["ingresos_propios"], wide[parts].sum(axis=1))


def test_scenarios_differ_as_documented():
    def own(name):
        p = run("1301", name).projection
        return p.loc[p["concepto"] == "ingresos_propios"].set_index("anio")["valor"]

    assert (own("pesimista") <= own("optimista") + 1e-6).all()


def test_unknown_municipality_is_a_spanish_error():
    with pytest.raises(NexosError, match="municipio '9999' desconocido"):
        run("9999")


def test_naive_method_repeats_the_last_value():
    result = run("0901", "base", {"tendencia.metodo": "ultimo_valor"})
    wide = result.wide()
    assert wide.loc[2029, "tasas"] == pytest.approx(wide.loc[2019, "tasas"])


def test_a_flagged_value_is_not_learned_from_and_the_run_says_so():
    # 0101 Guatemala City booked Q7.8 billion of tasas in 2017, 21 times its other years.
    result = run("0101", "base")
    flagged = result.quality.query("concepto == 'tasas' and anio == 2017")
    assert set(flagged["tipo"]) == {"valor_implausible", "devengado_sin_percibir"}
    assert any("2017" in n and "Tasas" in n and "no se usa" in n for n in result.notes["0101"])
    # The projection is blind to the flagged value: changing it changes nothing.
    history = load_bundled_history()
    doubled = history.copy()
    mask = (doubled["municipio"] == "0101") & (doubled["anio"] == 2017) & (doubled["concepto"] == "tasas")
    doubled.loc[mask, "devengado"] *= 2
    params = load_parameters("0101", "base").params

    def project_0101(hist):
        prepared = prepare_history(hist, "devengado", 5.0, 50_000.0, True)
        ctx, growth = prepared.context(end_year(params.calendar))
        inputs = subset(prepared.inputs, ["0101"])
        return project(inputs, Values(params), "base", ctx, growth).set_index(["anio", "concepto"])["valor"]

    pd.testing.assert_series_equal(project_0101(history), project_0101(doubled))
    kept = run("0101", "base", {"calidad.valores_marcados": "conservar"}).wide()
    assert kept.loc[2029, "tasas"] != pytest.approx(result.wide().loc[2029, "tasas"])


def test_shrunk_growth_by_hand():
    # own 10 %, national 2 %, half weight -> 6 %; own unknown -> national; bounded.
    got = trend.shrunk_growth(np.array([0.10, np.nan, 0.50]), np.array([0.02, 0.02, 0.02]), 0.5, -0.05, 0.15)
    np.testing.assert_allclose(got, [0.06, 0.02, 0.15])


def test_growth_skips_excluded_years_and_annualizes_the_gap():
    years = np.array([2016, 2017, 2018, 2019])
    values = np.array([100.0, np.nan, 121.0, 133.1])  # 2017 excluded: 10 %/yr over 2 years, then 10 %
    np.testing.assert_allclose(trend.own_growth(values, years), 0.10)
    base = trend.base_value(np.array([100.0, 110.0, np.nan, np.nan]), years, np.array(0.10))
    assert base == pytest.approx(110.0 * 1.1**2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.one_of(st.none(), st.floats(0, 1e10)), min_size=4, max_size=4),
    shrinkage=st.floats(0, 1),
    low=st.floats(-0.5, 0.0),
    high=st.floats(0.0, 1.0),
    horizon=st.integers(1, 30),
    national=st.floats(-0.5, 1.0),
)
def test_valid_parameters_never_give_nan_infinite_or_negative(values, shrinkage, low, high, horizon, national):
    series = np.array([np.nan if v is None else v for v in values])
    concepts = tuple(catalog.base_concepts())
    cube = np.tile(series, (len(concepts), 1))
    params = load_parameters("0901", "base", {
        "tendencia.contraccion": shrinkage, "tendencia.crecimiento_minimo": low,
        "tendencia.crecimiento_maximo": high, "calendario.horizonte": horizon}).params
    prepared = _prepared()
    ctx, growth = prepared.context(end_year(params.calendar))
    inputs = ProjectionInputs(("0901",), concepts, np.array([2016, 2017, 2018, 2019]), cube[None],
                              np.full(len(concepts), national), subset(prepared.inputs, ["0901"]).census)
    out = project(inputs, Values(params), "prueba", ctx, growth[:] * 0 + national)
    assert np.isfinite(out["valor"]).all()
    # Every amount is non-negative except current savings, which is negative when operation
    # costs more than the current revenue that may pay it (a finding, not an error).
    amounts = out.loc[out["concepto"] != "ahorro_corriente"]
    assert (amounts["valor"] >= -1e-6).all(), amounts.loc[amounts["valor"] < 0]
    assert out["anio"].nunique() == end_year(params.calendar) - 2019
    assert_totals_are_sums(out)


def _prepared():
    from nexos_model.api import prepared_default

    return prepared_default("devengado", 5.0, 50_000.0, True)


def test_a_recent_export_of_one_municipality_does_not_take_the_others_share(tmp_path):
    """An export of 0901's years relabelled 2020-2023 over bundled data ending in 2019: the others
    have no 2020-2023 and, counted as zero, they once gave 0901 the whole own-revenue criterion of
    the aporte (Q 1,031 million in its first projected year instead of about Q 18 million)."""
    history = load_bundled_history()
    own = history.loc[history["municipio"] == "0901", ["municipio", "anio", "rubro", "devengado"]].copy()
    own["anio"] += 4
    path = tmp_path / "reciente.csv"
    own.rename(columns={"municipio": "cod_municipio", "anio": "ejercicio", "rubro": "cod_seccion"}).to_csv(
        path, index=False)
    shifted, bundled = run("0901", datos=path).aporte, run("0901").aporte
    share = shifted.loc[shifted["criterio"] == "ingresos_propios_per_capita"].groupby("anio")["monto"].sum()
    reference = bundled.loc[bundled["criterio"] == "ingresos_propios_per_capita"].groupby("anio")["monto"].sum()
    assert share.max() < 2 * reference.max(), (share.max(), reference.max())
