"""The app's controls come from the schema's metadata, speak the advisor's units, and say who set each value."""

from __future__ import annotations

import pytest

from nexos_model import run
from nexos_model.app import levers
from nexos_model.params.changes import unit_of
from nexos_model.params.schema import Parameters
from tests.support import BUDGET_YEAR


def _schema_roles() -> dict[str, dict]:
    """Dotted key -> JSON-schema node of every property with a ``rol``, read from the exported schema."""
    schema = Parameters.model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    found: dict[str, dict] = {}

    def node_of(node: dict) -> dict:
        if "$ref" in node:
            return defs[node["$ref"].split("/")[-1]]
        for key in ("anyOf", "allOf"):
            for option in node.get(key, []):
                if "$ref" in option:
                    return defs[option["$ref"].split("/")[-1]]
        return node

    def walk(node: dict, path: tuple[str, ...]) -> None:
        for key, prop in node_of(node).get("properties", {}).items():
            if "rol" in prop:
                found[".".join((*path, key))] = prop
            walk(prop, (*path, key))

    walk(schema, ())
    return found


def _every_spec() -> dict[str, levers.ControlSpec]:
    specs = {}
    for spec in [*levers.control_specs(), *levers.calendar_specs().values()]:
        specs[spec.key] = spec
        specs.update({c.key: c for c in spec.companions})
    return specs


def test_every_field_with_a_role_gets_a_control_with_its_metadata():
    roles = _schema_roles()
    specs = _every_spec()
    assert {"tendencia.contraccion", "macro.inflacion", "deuda.nuevo_prestamo.tasa"} <= set(specs)
    assert set(specs) <= set(roles), "a control for a field without rol"
    law = {k for k in roles if k.startswith("reglas.")}  # the legal limits are shown as law, not as controls
    for key in set(roles) - set(specs) - law:  # only mappings keyed by name (e.g. sector priorities) have none
        node = roles[key]
        assert node.get("type") == "object" and "minimum" not in node.get("additionalProperties", {}), key
    for key, spec in specs.items():
        node = roles[key]
        assert (spec.label, spec.role) == (node["etiqueta"], node["rol"]), key
        bounds = node["anyOf"][0] if spec.series else node  # a series: one number, or one by year
        options = [bounds, *bounds.get("anyOf", [])]
        assert spec.ge == next((o["minimum"] for o in options if "minimum" in o), None), key
        assert spec.optional == any(o.get("type") == "null" for o in options), key
        if node["unidad"] == "unidad del impulsor":  # a reform's target: its driver's unit, a share at most 100 %
            assert spec.unit == unit_of(key), key
            assert spec.le == (1.0 if spec.unit.startswith("fracción") else None), key
        else:
            assert spec.unit == node["unidad"], key
            assert spec.le == next((o["maximum"] for o in options if "maximum" in o), None), key


def test_shares_are_shown_and_typed_as_percentages():
    specs = _every_spec()
    shrink = specs["tendencia.contraccion"]
    assert (shrink.kind, shrink.ge, shrink.le, shrink.step, shrink.suffix) == ("slider", 0, 1, 1, "%")
    assert shrink.css_class == "nexos-palanca-tendencia-contraccion"
    assert shrink.shown(0.8) == 80 and shrink.stored(83) == 0.83 and shrink.clean(0.5 + 0.03) == 0.53
    coverage = specs["palancas.iusi_cobertura.meta"]
    assert coverage.unit == "fracción de predios" and coverage.suffix == "% de predios"
    assert coverage.stored(85) == 0.85 and coverage.problem(85) is None
    message = coverage.problem(150)
    assert message == ("Cobertura catastral del IUSI, meta: 150 % está fuera del rango; se esperaba un valor "
                       "entre 0 % y 100 %. No se cambió nada.")
    assert "-5 %" in coverage.problem(-5)
    tariff = specs["palancas.agua_tarifa.meta"]
    assert (tariff.scale, tariff.suffix, tariff.le) == (1.0, "Q por conexión al mes", None)
    assert "de Q 0 en adelante" in tariff.problem(-1)
    loan = specs["deuda.nuevo_prestamo.monto"]
    assert loan.kind == "number" and loan.shown(15e6) == 15e6 and loan.words(15e6) == "Q 15,000,000"
    assert "«abc» no es un número" in loan.problem("abc")


def test_years_are_picked_from_the_calendar():
    specs = _every_spec()
    loan = specs["deuda.nuevo_prestamo.monto"]
    year = next(d for d in loan.details if d.key.endswith(".anio"))
    assert year.kind == "year" and levers.year_options(year, 2027, 2036) == list(range(2027, 2037))
    reform = specs["palancas.iusi_cobertura.meta"]
    start = next(d for d in reform.details if d.key.endswith(".anio_inicio"))
    target = next(d for d in reform.details if d.key.endswith(".anio_meta"))
    assert levers.year_options(start, 2027, 2036) == list(range(2027, 2036))  # room for a target after it
    assert levers.year_options(target, 2027, 2036, start=2029) == list(range(2030, 2037))
    assert levers.year_options(target, 2027, 2036, start=2029, current=2025)[0] == 2025  # a file's year stays visible
    assert levers.budget_year_options(2027, 2021) == [2026, 2027, 2028, 2029, 2030, 2031]
    assert levers.budget_year_options(2027, 2026) == [2027, 2028, 2029, 2030, 2031]  # never a year with data


def test_the_loan_rate_sits_beside_the_amount_and_the_calendar_and_law_are_not_levers():
    specs = {s.key: s for s in levers.control_specs()}
    loan = specs["deuda.nuevo_prestamo.monto"]
    assert [c.key for c in loan.companions] == ["deuda.nuevo_prestamo.tasa"]
    assert {d.key.rsplit(".", 1)[1] for d in loan.details} >= {"plazo", "anio", "metodo"}
    assert "deuda.nuevo_prestamo.tasa" not in specs
    assert not [k for k in specs if k.startswith(("calendario.", "reglas."))]
    assert set(levers.calendar_specs()) == {"calendario.anio_presupuesto", "calendario.anios_plan"}


def test_law_rows_loan_note_and_todays_driver():
    result = run("0901", "base", {"deuda.nuevo_prestamo.monto": 5_000_000})
    params = result.parameters["0901"].params
    law = {what: limit for what, limit, _ in levers.law_rows(params)}
    assert law["Parte máxima del aporte para funcionamiento"] == "10 %"
    note = levers.loan_note(params)
    assert f"Un préstamo de {BUDGET_YEAR} debe quedar pagado en 2027" in note and "110 bis" in note
    assert "plazo de 1 año como máximo" in note and "8 %" in note
    value, origin = levers.current_driver(result, "0901", "palancas.iusi_cobertura.meta")
    assert value == params.own_revenue.drivers.iusi.coverage and origin == "supuesto genérico de Nexos"
    value, origin = levers.current_driver(result, "0901", "palancas.iusi_cobro.meta")
    calibrated = result.calibration.set_index("flujo").at["iusi", "valor"]
    assert value == pytest.approx(calibrated) and origin == "calibrado con los ingresos de 2019"


def test_layer_of_names_who_set_a_value(params_copy):
    from nexos_model.params.loader import load_parameters

    (params_copy / "escenarios" / "capas.yaml").write_text(
        "descripcion: 'Capas de prueba: una'\ntendencia:\n  contraccion: 0.3\n", encoding="utf-8")
    resolved = load_parameters("0901", "capas", {"macro.inflacion": 0.05})
    assert levers.layer_of(resolved, "tendencia.contraccion") == "escenario «Capas de prueba»"
    assert levers.value_of(resolved.params, "tendencia.contraccion") == 0.3
    assert levers.layer_of(resolved, "macro.inflacion") == "su ajuste"
    assert levers.value_of(resolved.params, "macro.inflacion") == 0.05
    assert levers.layer_of(load_parameters("0901", "base"), "macro.inflacion") == "supuesto genérico de Nexos"
