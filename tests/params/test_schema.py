"""The parameter schema: every key with its label, unit, range and source."""

from __future__ import annotations

import json

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
