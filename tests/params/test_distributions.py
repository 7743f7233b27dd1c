"""Distribution specs of uncertain parameters against scipy.stats (the independent truth) and closed-form means."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from nexos_model.errors import NexosError, ParameterError
from nexos_model.params.distributions import central, describe, parse_spec, parse_specs
from tests.support import SPECS, frozen


def test_central_is_the_mean_of_each_family():
    specs = parse_specs(SPECS)
    assert central(specs["ingreso_nacional"]) == 1.0
    assert central(specs["cobertura"]) == pytest.approx((0.3 + 0.5 + 0.6) / 3)
    assert central(specs["recaudo"]) == pytest.approx(0.5 + 0.5 * 4 / 6)
    assert central(specs["tasa"]) == pytest.approx(0.035)
    untruncated = parse_spec({"distribucion": "normal", "media": 0.04, "desviacion": 0.01})
    assert central(untruncated) == 0.04
    # Truncating at 0 (4 standard deviations away) moves the mean up by phi(4)/Phi(4)·sd.
    shift = stats.norm.pdf(4) / stats.norm.cdf(4) * 0.01
    assert central(specs["inflacion"]) == pytest.approx(0.04 + shift, rel=1e-12)
    for spec in specs.values():  # and it is what scipy says the mean is
        assert central(spec) == pytest.approx(frozen(spec).mean(), rel=1e-12)


def test_lognormal_media_and_desviacion_are_of_the_variable_itself():
    spec = parse_spec({"distribucion": "lognormal", "media": 250_000.0, "desviacion": 40_000.0})
    dist = frozen(spec)
    assert dist.mean() == pytest.approx(250_000.0, rel=1e-12)
    assert dist.std() == pytest.approx(40_000.0, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(u=st.lists(st.floats(1e-6, 1 - 1e-6), min_size=1, max_size=20),
       a=st.floats(0.2, 8), b=st.floats(0.2, 8), lo=st.floats(-5, 5), width=st.floats(0.01, 10),
       mode=st.floats(0, 1))
def test_quantile_functions_match_scipy(u, a, b, lo, width, mode):
    u = np.array(u)
    cases = [
        {"distribucion": "normal", "media": lo, "desviacion": width},
        {"distribucion": "normal", "media": lo, "desviacion": width, "minimo": lo - width, "maximo": lo + 2 * width},
        {"distribucion": "lognormal", "media": width, "desviacion": a},
        {"distribucion": "triangular", "minimo": lo, "moda": lo + mode * width, "maximo": lo + width},
        {"distribucion": "beta", "alfa": a, "beta": b, "minimo": lo, "maximo": lo + width},
        {"distribucion": "uniforme", "minimo": lo, "maximo": lo + width},
    ]
    for raw in cases:
        spec = parse_spec(raw)
        expected = frozen(spec).ppf(u)
        np.testing.assert_allclose(spec.ppf(u), expected, rtol=1e-7, atol=1e-9 * width)
        z = stats.norm.ppf(u)  # the copula step: value = ppf(Phi(z))
        np.testing.assert_allclose(spec.from_normal(z), expected, rtol=1e-7, atol=1e-9 * width)


def test_invalid_specs_list_every_error_in_spanish():
    bad = {
        "inflacion": {"distribucion": "normal", "media": 0.04, "desviacion": -0.01},
        "cobertura": {"distribucion": "triangular", "minimo": 0.6, "moda": 0.5, "maximo": 0.3},
        "ingreso": {"distribucion": "lognormal", "media": 0, "desviacion": 0.1, "maximo": 2},
        "recaudo": {"distribucion": "beta", "alfa": 2, "beta": "dos", "minimo": 0.5},
        "tasa": {"distribucion": "gaussiana", "media": 1},
        "poblacion": {"media": 1},
        "otro": 0.5,
    }
    with pytest.raises(ParameterError) as caught:
        parse_specs(bad, "params/escenarios/pesimista.yaml")
    messages = caught.value.messages
    text = "\n".join(messages)
    assert all(m.startswith("params/escenarios/pesimista.yaml: ") for m in messages)
    assert "inflacion.desviacion: fuera de rango (valor dado: -0.01; se esperaba: un número >= 0" in text
    assert "cobertura: se requiere minimo <= moda <= maximo" in text
    assert "ingreso.media: fuera de rango (valor dado: 0; se esperaba: un número > 0" in text
    assert "ingreso.maximo: clave desconocida" in text and "distribucion, media, desviacion" in text
    assert "recaudo.beta: debe ser un número (valor dado: 'dos'" in text
    assert "recaudo.maximo: falta esta clave" in text
    assert "tasa: distribución desconocida (valor dado: 'gaussiana'; se esperaba: distribucion: uno de normal, lognormal, triangular, beta, uniforme)" in text
    assert "poblacion: falta la clave 'distribucion'" in text
    assert "otro: debe ser un mapa de claves (valor dado: 0.5)" in text
    assert len(messages) == 9
    with pytest.raises(NexosError, match="media debe estar entre minimo y maximo|media \\(0.04\\) debe estar"):
        parse_spec({"distribucion": "normal", "media": 0.04, "desviacion": 0.01, "minimo": 0.05})
    with pytest.raises(NexosError, match="moda: clave desconocida; ¿quiso decir 'media'\\?"):
        parse_spec({"distribucion": "normal", "media": 0.04, "desviacion": 0.01, "moda": 0.05})


def test_describe_is_spanish_for_the_annex():
    assert describe(parse_spec(SPECS["inflacion"])) == "normal (media 0.04, desviación 0.01, mínimo 0)"
    assert describe(parse_spec(SPECS["cobertura"])) == "triangular (mínimo 0.3, moda 0.5, máximo 0.6)"


def test_a_distribution_moved_to_a_new_value_keeps_its_spread():
    from nexos_model.params.distributions import parse_spec
    from nexos_model.params.loader import load_parameters
    from nexos_model.params.uncertainty import centred_specs, recentred

    spec = {"distribucion": "triangular", "minimo": 0.065, "moda": 0.08, "maximo": 0.095}
    moved = recentred(spec, -0.01)
    assert parse_spec(moved).central() == pytest.approx(parse_spec(spec).central() - 0.01)
    assert moved["maximo"] - moved["minimo"] == pytest.approx(0.03)
    params = load_parameters("0901", "base").params
    assert set(centred_specs(params, {"deuda.nuevo_prestamo.tasa": 0.07, "macro.inflacion": 0.06,
                                      "tendencia.contraccion": 0.2})) == {"deuda.nuevo_prestamo.tasa"}
    assert centred_specs(params, {"deuda.nuevo_prestamo.tasa": 0.08}) == {}
