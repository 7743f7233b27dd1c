"""The app's controls come from the schema's metadata, and say who set each value."""

from __future__ import annotations


from nexos_model.app import levers
from nexos_model.params.schema import Parameters


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


def test_every_field_with_a_role_gets_a_control_with_its_metadata():
    roles = _schema_roles()
    specs = {s.key: s for s in levers.control_specs()}
    assert "tendencia.contraccion" in specs and "macro.inflacion" in specs
    assert set(specs) <= set(roles), "a control for a field without rol"
    for key in set(roles) - set(specs):  # only mappings keyed by name (e.g. sector priorities) have none
        node = roles[key]
        assert node.get("type") == "object" and "minimum" not in node.get("additionalProperties", {}), key
    for key, spec in specs.items():
        node = roles[key]
        assert (spec.label, spec.unit, spec.role) == (node["etiqueta"], node["unidad"], node["rol"]), key
        bounds = node["anyOf"][0] if spec.series else node  # a series: one number, or one by year
        options = [bounds, *bounds.get("anyOf", [])]
        assert spec.ge == next((o["minimum"] for o in options if "minimum" in o), None), key
        assert spec.le == next((o["maximum"] for o in options if "maximum" in o), None), key
        assert spec.optional == any(o.get("type") == "null" for o in options), key


def test_control_spec_kinds_steps_and_css_class():
    specs = {s.key: s for s in levers.control_specs()}
    shrink = specs["tendencia.contraccion"]
    assert (shrink.kind, shrink.ge, shrink.le, shrink.step) == ("slider", 0, 1, 0.01)
    assert shrink.css_class == "nexos-palanca-tendencia-contraccion"
    assert shrink.clean(0.5 + 0.01 + 0.01 + 0.01) == 0.53
    inflation = specs["macro.inflacion"]
    assert inflation.series and inflation.kind == "slider" and (inflation.ge, inflation.le) == (-0.1, 0.5)
    loan = specs.get("deuda.nuevo_prestamo.monto")
    if loan is not None:  # a lever group brings its plain fields along as details
        assert loan.role == "palanca" and {d.key.rsplit(".", 1)[1] for d in loan.details} >= {"plazo"}


def test_layer_of_names_who_set_a_value(params_copy):
    from nexos_model.params.loader import load_parameters

    (params_copy / "escenarios" / "capas.yaml").write_text("tendencia:\n  contraccion: 0.3\n", encoding="utf-8")
    resolved = load_parameters("0901", "capas", {"macro.inflacion": 0.05})
    assert levers.layer_of(resolved, "tendencia.contraccion") == "escenario (capas)"
    assert levers.value_of(resolved.params, "tendencia.contraccion") == 0.3
    assert levers.layer_of(resolved, "macro.inflacion") == "ajuste en la app"
    assert levers.value_of(resolved.params, "macro.inflacion") == 0.05
    assert levers.layer_of(load_parameters("0901", "base"), "macro.inflacion") == "valor por defecto"
