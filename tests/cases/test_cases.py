"""Hand cases a finance officer can check: the art. 119 distribution, French and German loans
and every legal rule, as YAML under ``tests/cases/<tema>/`` (Spanish comments with the arithmetic).

The form is the one of ``tests/cases/revenue/`` (run by ``test_revenue_drivers.py``): each file
has ``casos``, each case a ``nombre``, the ``funcion`` it calls, its ``entradas`` (the
function's arguments), and either ``esperado`` (result keys -> numbers, lists, booleans or
text; amounts to the centavo unless ``tolerancia`` says otherwise) or ``error_contiene`` (parts
of the Spanish error). ``mensaje_contiene`` checks the Spanish sentence of a rule.

Every loan schedule is also cross-checked with numpy-financial (independent of our code): the
instalments repay the loan at its own rate (``npf.irr``), and a French loan's instalment,
interest and principal are ``npf.pmt``, ``npf.ipmt`` and ``npf.ppmt``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
import yaml

# The model's entry points used by the cases (one place to fix if modules move).
from nexos_model.fiscal.debt import debt_service_by_year, loan_schedule
from nexos_model.errors import ParameterError
from nexos_model.fiscal.space import FiscalResult
from nexos_model.params.loader import load_parameters
from nexos_model.params.values import Values
from nexos_model.fiscal.rules import catalog, rules_table
from nexos_model.fiscal.transfers import allocate_art119, allocation_in_quetzales

HERE = Path(__file__).resolve().parent
TOPICS = ("aporte", "prestamos", "reglas")  # revenue/ has its own runner (test_revenue_drivers.py)
CENTAVO = 0.005  # half a centavo: results must match the hand computation to the centavo


def default_weights() -> dict[str, float]:
    """The art. 119 weights of ``params/defaults.yaml`` (the cases check they are the law's)."""
    return dict(load_parameters(None, None).params.transfers.aporte.weights)


def aporte_en_quetzales(pool, population, own_revenue, aldeas_caserios, weights=None) -> dict:
    """The art. 119 table as ``nexos aporte`` prints it: the formula, then rounded to centavos
    so rows, columns and the pool add up exactly. Weights: the default parameters unless given."""
    parts = allocate_art119(pool, population, own_revenue, aldeas_caserios, weights or default_weights())
    return allocation_in_quetzales(parts, pool)


class _ZeroLines(dict):
    """Model lines of one municipality, draw and year; a line the case does not give is 0."""

    def __missing__(self, key):
        return np.zeros((1, 1, 1))


def _lines(values: dict | None) -> _ZeroLines:
    return _ZeroLines({k: np.full((1, 1, 1), float(v)) for k, v in (values or {}).items()})


def regla_legal(rule: str, year: int, lines=None, used_for_operation=None, parameters=None,
                new_loan_last_year=None) -> dict:
    """One legal rule in one year, as the projection reports it (``RunResult.rules``).

    ``lines``: the year's amounts the rules read (``aporte_constitucional``, ``iva_paz``,
    ``servicio_deuda``, ``ingresos_ordinarios``, ``deficit``, ``desembolso_prestamo``);
    ``used_for_operation``: what operating spending took from each source; ``parameters``:
    ``--set``-style overrides of the defaults (limits, the new loan, the mayor's term);
    ``new_loan_last_year``: the year of the new loan's last payment, if there is one.
    """
    v = Values(load_parameters(None, None, parameters or {}).params)
    result = FiscalResult(lines=_lines(lines), space={}, used_for_operation=_lines(used_for_operation),
                          aporte_parts={}, new_loan_last_year=new_loan_last_year)
    table = rules_table(result, v, np.array([year]), ["0000"])
    row = table.loc[table["regla"] == rule]
    assert len(row) == 1, f"regla {rule!r}: {len(row)} filas en la tabla de reglas"
    return row.iloc[0].to_dict()


FUNCTIONS = {
    "allocate_art119": allocate_art119,
    "aporte_en_quetzales": aporte_en_quetzales,
    "loan_schedule": loan_schedule,
    "debt_service_by_year": debt_service_by_year,
    "regla_legal": regla_legal,
}


def load_cases():
    for topic in TOPICS:
        for path in sorted((HERE / topic).glob("*.yaml")):
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["casos"]:
                yield pytest.param(case, id=f"{topic}/{path.stem}:{case['nombre']}")


CASES = list(load_cases())


def _as_dict(result) -> dict:
    if isinstance(result, pd.DataFrame):
        return {c: result[c].to_numpy() for c in result.columns}
    if hasattr(result, "_asdict"):
        return result._asdict()
    return result if isinstance(result, dict) else {"resultado": result}


def _cross_check_loan(schedule: pd.DataFrame, entradas: dict) -> None:
    """numpy-financial, independent of our code, on a loan disbursed at once."""
    m = entradas.get("payments_per_year", 1)
    r = entradas["annual_rate"] / m
    principal = entradas["principal"]
    if entradas.get("disbursement") or principal == 0:
        return
    flows = np.concatenate(([-principal], schedule["cuota"].to_numpy()))
    assert npf.irr(flows) == pytest.approx(r, abs=1e-9), "las cuotas no pagan el préstamo a su tasa (npf.irr)"
    if entradas.get("method", "frances") == "frances":
        g = entradas.get("grace_years", 0) * m
        n = len(schedule) - g
        after = schedule.iloc[g:]
        per = np.arange(1, n + 1)
        with np.errstate(divide="ignore", invalid="ignore"):  # npf divides by the rate, then picks r = 0's branch
            pmt, ipmt, ppmt = -npf.pmt(r, n, principal), -npf.ipmt(r, per, n, principal), -npf.ppmt(r, per, n, principal)
        np.testing.assert_allclose(after["cuota"], pmt, rtol=0, atol=1e-6, err_msg="npf.pmt")
        np.testing.assert_allclose(after["interes"], ipmt, rtol=0, atol=1e-6, err_msg="npf.ipmt")
        np.testing.assert_allclose(after["amortizacion"], ppmt, rtol=0, atol=1e-6, err_msg="npf.ppmt")


@pytest.mark.parametrize("case", CASES)
def test_case(case):
    function = FUNCTIONS[case["funcion"]]
    entradas = case["entradas"]
    if "error_contiene" in case:
        with pytest.raises(ParameterError) as err:
            function(**entradas)
        text = "\n".join(err.value.messages)
        for fragment in case["error_contiene"]:
            assert fragment in text, f"{case['nombre']}: falta {fragment!r} en:\n{text}"
        return
    result = function(**entradas)
    got = _as_dict(result)
    tolerance = case.get("tolerancia", CENTAVO)
    for key, want in case["esperado"].items():
        value = got[key]
        if isinstance(want, bool):
            assert np.asarray(value).dtype == bool and bool(value) is want, f"{case['nombre']}: {key} = {value}, no {want}"
        elif isinstance(want, str):
            assert value == want, f"{case['nombre']}: {key} = {value!r}, no {want!r}"
        else:
            value = np.asarray(value, dtype=float)
            if value.ndim == 2 and value.shape[0] == 1:  # one draw
                value = value[0]
            np.testing.assert_allclose(value, want, rtol=0, atol=tolerance, err_msg=f"{case['nombre']}: {key}")
    for fragment in case.get("mensaje_contiene", []):
        assert fragment in got["mensaje"], f"{case['nombre']}: falta {fragment!r} en: {got['mensaje']}"
    if case["funcion"] == "loan_schedule":
        _cross_check_loan(result, entradas)


# ------------------------------------------------------------------------------ what the cases cover


def _cases_of(function: str) -> list[dict]:
    """The cases that call ``function`` and check a result (not an error)."""
    return [p.values[0] for p in CASES if p.values[0]["funcion"] == function and "esperado" in p.values[0]]


def test_every_legal_rule_has_a_keeping_and_a_breaking_case():
    verdicts: dict[str, set] = {rule: set() for rule in catalog().index}
    for case in _cases_of("regla_legal"):
        verdicts[case["entradas"]["rule"]].add(case["esperado"]["cumple"])
    missing = {rule: sorted({True, False} - seen) for rule, seen in verdicts.items() if seen != {True, False}}
    assert not missing, f"reglas sin caso que cumple (True) o que no cumple (False): {missing}"


def test_loans_cover_both_methods_grace_and_periods():
    schedules = _cases_of("loan_schedule")
    assert {c["entradas"].get("method", "frances") for c in schedules} == {"frances", "aleman"}
    assert any(c["entradas"].get("grace_years", 0) > 0 for c in schedules)
    assert {c["entradas"].get("payments_per_year", 1) for c in schedules} >= {1, 2, 12}


def test_art119_cases_use_the_law_s_weights():
    assert default_weights() == {"partes_iguales": 0.35, "poblacion": 0.30, "ingresos_propios_per_capita": 0.25,
                                 "aldeas_caserios": 0.10}
    assert any("weights" not in c["entradas"] for c in _cases_of("aporte_en_quetzales"))
