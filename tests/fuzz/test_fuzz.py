"""The fuzz suite's fast profile (``make test``) and the checks that its judge can fail.

The long profile, ten thousand cases and more, is ``make fuzz`` (``python -m tests.fuzz``).
"""

from __future__ import annotations

import json

import pytest

from tests.fuzz import cases
from tests.fuzz.harness import Outcome, counts, describe, english_words, judge, run_case, run_cases, wrong_file_lines

#: The fast profile: this many cases, from this seed (a few hundred: about half a minute on 2 cores).
FAST_CASES = 300
FAST_SEED = 2026


def test_fast_profile_no_case_crashes_hangs_blames_the_wrong_file_or_speaks_english():
    results = run_cases(FAST_SEED, range(FAST_CASES), workers=2)
    figures = counts(results)
    failed = [describe(o, FAST_SEED) for o in results if o.failed]
    assert figures["casos"] == FAST_CASES and not failed, json.dumps(figures, ensure_ascii=False) + "\n" + \
        "\n".join(failed)
    # Every kind was drawn, and most cases were refused with a message (the mutations bite).
    assert set(figures["por_tipo"]) == {"datos", "parametros", "cartera", "ajuste"}
    assert figures["rechazados_con_mensaje"] > FAST_CASES / 2 and figures["aceptados"] > 0


def test_a_case_is_the_same_every_time():
    first, again = cases.make_case(7, 123), cases.make_case(7, 123)
    assert (first.argv, first.files, first.steps) == (again.argv, again.files, again.steps)
    assert cases.make_case(7, 124).files != first.files


# --- the judge can fail --------------------------------------------------------------------


def test_english_words_are_found_and_the_users_own_text_is_not():
    assert english_words("x.yaml: línea 2: did not find expected key") == ["did", "not", "expected", "key"]
    assert english_words("error: x.csv: fila 3: Input should be a valid number") == ["Input", "should", "be", "valid",
                                                                                     "number"]
    assert english_words("UserWarning: Workbook contains no default style") != []
    assert english_words("params/x.yaml: clave 'the key' repetida (valor dado: 'invalid value')") == []
    assert english_words("error: the_file.csv: el archivo no existe", ["the_file.csv"]) == []


def test_a_message_naming_another_file_or_none_is_caught():
    culprit = ["params/escenarios/fuzz.yaml"]
    good = "params/escenarios/fuzz.yaml: macro.inflacion: fuera de rango (valor dado: 9)"
    assert wrong_file_lines([good], culprit) == []
    blamed = "params/defaults.yaml: 1: Keys should be strings (valor dado: True)"
    assert wrong_file_lines([blamed], culprit) == [blamed]
    assert wrong_file_lines(["error: algo falló"], culprit) == ["error: algo falló"]
    reference = "datos/x.csv: fila 2: el código no existe (se esperaba: uno de municipios_censo2018.csv)"
    assert wrong_file_lines([reference], ["datos/x.csv"]) == []


def test_judge_flags_time_memory_and_strange_exits():
    assert judge(Outcome(1, exit_code=0, seconds=11.0), []).over_time
    assert judge(Outcome(1, exit_code=0, peak_bytes=3 * 2**30), []).over_memory
    assert judge(Outcome(1, exit_code=3), []).uncaught
    assert not judge(Outcome(1, exit_code=1, stderr="error: x.csv: fila 1: mal\n"), ["x.csv"]).failed


def test_an_exception_escaping_the_command_is_caught_as_uncaught(monkeypatch):
    """A case whose command raises something other than NexosError is reported, with its traceback."""
    from nexos_model.io import sicoin

    def broken(path):
        raise ValueError("a bug")

    monkeypatch.setattr(sicoin, "read_revenue_export", broken)
    monkeypatch.setattr("nexos_model.cli.validar.read_revenue_export", broken)
    index = next(i for i in range(200) if cases.make_case(5, i).argv[:1] == ["validar"]
                 and cases.make_case(5, i).kind == "datos")
    outcome = run_case(5, index)
    assert "ValueError: a bug" in outcome.uncaught and outcome.failed


@pytest.mark.parametrize("kind", ["datos", "parametros", "cartera", "ajuste"])
def test_each_kind_of_case_names_its_culprit(kind):
    case = next(c for c in (cases.make_case(3, i) for i in range(100)) if c.kind == kind)
    assert case.culprits and case.argv
    for name in case.files:
        assert name in case.culprits
