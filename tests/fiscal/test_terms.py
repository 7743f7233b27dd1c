"""The council's term in course each year: the electoral calendar as a rule, checked against
the bundled table of terms (Constitución art. 254, LEPP art. 211)."""

from __future__ import annotations

import pandas as pd
import pytest

from nexos_model.errors import ParameterError
from nexos_model.fiscal.terms import term_label, term_last_year, term_start
from nexos_model.io.bundled import data_path
from nexos_model.params.loader import load_parameters


def test_the_rule_reproduces_every_term_of_the_electoral_calendar():
    periods = pd.read_csv(data_path("calendario_electoral_periodos_municipales.csv"))
    c = load_parameters(None, None).params.calendar
    for row in periods.itertuples():
        start, end = (int(d[:4]) for d in (row.fecha_inicio, row.fecha_fin))
        assert row.fecha_inicio[5:] == "01-15"  # councils take office on 15 January
        for year in range(start, end):
            assert term_start([year], c.term_start, c.term_length)[0] == start
            assert term_last_year([year], c.term_start, c.term_length)[0] == end - 1
        assert term_label(start, c.term_start, c.term_length) == row.periodo


def test_a_loan_taken_in_the_election_year_ends_that_year():
    # 2027 is the last full year of the 2024-2028 term; 2028 starts a new one.
    assert term_last_year([2026, 2027, 2028, 2031, 2032], 2024, 4).tolist() == [2027, 2027, 2031, 2031, 2035]
    assert term_last_year([2023], 2024, 4).tolist() == [2023]  # before the anchor too


def test_the_length_must_be_a_year_or_more():
    with pytest.raises(ParameterError, match="duracion_periodo_concejo"):
        term_start([2027], 2024, 0)
