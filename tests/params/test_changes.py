"""A scenario named as people name it, and its adjustments in plain words."""

from __future__ import annotations

import pytest

from nexos_model.errors import ParameterError
from nexos_model.params.changes import (
    adjustment_sentence,
    adjustment_sentences,
    file_label,
    scenario_label,
    scenario_title,
    value_words,
)
from nexos_model.params.loader import load_parameters


def test_a_scenario_is_named_by_the_start_of_its_description():
    assert scenario_label("base", "Escenario base: tendencias recientes") == "Escenario base"
    assert scenario_label("usuarios/catastro_2028", "sin etiqueta") == "Catastro 2028"
    assert scenario_label("actualizacion_catastral", "") == "Actualizacion catastral"
    resolved = load_parameters("1301", "mejora_cobranza", {"tendencia.contraccion": 0.3, "macro.inflacion": 0.05})
    assert scenario_title("mejora_cobranza", resolved) == "Mejora de la cobranza + 2 ajustes"
    assert scenario_title("base", load_parameters("1301", "base")) == "Escenario base"
    assert file_label("Escenario base + 2 ajustes") == "escenario_base_2_ajustes"
    assert file_label("Reforma catastral Huehue 2027") == "reforma_catastral_huehue_2027"


@pytest.mark.parametrize("key, value, words", [
    ("palancas.iusi_cobertura.meta", 0.85, "Cobertura catastral del IUSI, valor meta: 85 % de predios"),
    ("palancas.agua_tarifa.meta", 35.5, "Tarifa mensual del agua, valor meta: Q 35.50 por conexión al mes"),
    ("palancas.iusi_cobertura.meta", None, "Cobertura catastral del IUSI: sin reforma"),
    ("deuda.nuevo_prestamo.monto", 15e6, "Préstamo nuevo, monto del préstamo: Q 15,000,000"),
    ("deuda.nuevo_prestamo.tasa", 0.075, "Préstamo nuevo, tasa de interés anual: 7.5 %"),
    ("deuda.nuevo_prestamo.plazo", 1, "Préstamo nuevo, plazo: 1 año"),
    ("deuda.nuevo_prestamo.metodo", "aleman", "Préstamo nuevo, sistema de amortización: amortización constante (alemán)"),
    ("calendario.anio_presupuesto", 2028, "Calendario de planificación, año del presupuesto que se prepara: 2028"),
    ("macro.inflacion", 0.05, "Supuestos macroeconómicos, inflación proyectada: 5 % por año"),
])
def test_each_adjustment_reads_in_plain_words(key, value, words):
    assert adjustment_sentence(key, value) == words


def test_the_adjustments_of_a_run_leave_moved_distributions_out():
    resolved = load_parameters("0901", "base", {
        "deuda.nuevo_prestamo.tasa": 0.07,
        "incertidumbre.distribuciones": {"deuda.nuevo_prestamo.tasa": {"distribucion": "triangular", "minimo": 0.055,
                                                                       "moda": 0.07, "maximo": 0.085}}})
    assert adjustment_sentences(resolved) == ["Préstamo nuevo, tasa de interés anual: 7 %"]
    assert value_words(1_234.5, "quetzales") == "Q 1,234.50" and value_words(True, "") == "sí"


def test_a_share_above_one_is_refused_as_a_reform_target():
    with pytest.raises(ParameterError, match=r"iusi_cobertura\.meta: valor dado 1\.5 \(se esperaba una fracción "
                                             r"entre 0 y 1, p\. ej\. 0\.85 para 85 %\)"):
        load_parameters("0901", "base", {"palancas.iusi_cobertura.meta": 1.5})
    assert load_parameters("0901", "base", {"palancas.agua_tarifa.meta": 60}).params.levers.water_tariff.target == 60
