"""The parameter schema: every key with its label, unit, range and source."""

from __future__ import annotations

import json

import pytest

from nexos_model.params.schema import Parameters


def test_json_schema_carries_labels_units_ranges_and_sources():
    schema = json.dumps(Parameters.model_json_schema(by_alias=True), ensure_ascii=False)
    assert '"contraccion"' in schema and '"etiqueta": "Peso del crecimiento nacional en la tendencia"' in schema
    assert '"unidad": "años"' in schema and '"maximum": 30' in schema and '"fuente"' in schema


def test_every_parameter_has_label_unit_and_source():
    def walk(model):
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra or {}
            assert {"etiqueta", "unidad", "fuente"} <= set(extra), name
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, Parameters.__mro__[1]):
                walk(ann)
    walk(Parameters)


def test_operation_cannot_be_paid_with_money_earmarked_for_investment():
    from nexos_model.errors import ParameterError
    from nexos_model.params.loader import load_parameters

    with pytest.raises(ParameterError, match="petroleo tiene destino solo de inversión"):
        load_parameters("0901", "base", {"gasto.funcionamiento.orden_financiamiento": ["propios", "petroleo"]})
    # CODEDE may be listed: the rule codede_solo_inversion then reports what it pays
    load_parameters("0901", "base", {"gasto.funcionamiento.orden_financiamiento": ["propios", "codede"]})
