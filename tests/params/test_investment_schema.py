"""The ``inversion`` parameters: results in a municipality file validated with file and key."""

from __future__ import annotations

import pytest
import yaml

from nexos_model.errors import ParameterError
from nexos_model.params.loader import load_parameters


def test_results_in_a_municipality_file_are_validated_with_file_and_key(params_copy):
    (params_copy / "municipios" / "0901.yaml").write_text(yaml.safe_dump({"inversion": {"resultados": {
        "agua": {"indicador": "Agua", "unidad": "%", "anio_base": 2030, "linea_base": 70, "anio_meta": 2020,
                 "meta": "mucho"}}}}), encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_parameters("0901", "base")
    text = str(err.value)
    assert "municipios/0901.yaml: inversion.resultados.agua.meta: debe ser un número" in text
