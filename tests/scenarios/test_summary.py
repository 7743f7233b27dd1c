"""Percentile and probability tables: numpy.percentile in long form, exact or streamed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from nexos_model.scenarios.summary import (
    COLUMNS,
    PERCENTILES,
    PercentileAccumulator,
    ProbabilityAccumulator,
    percentile_table,
    probability_table,
)


LABELS = {"municipio": ["0101", "0901", "1301"], "anio": [2025, 2026], "concepto": ["ingresos_propios", "espacio_fiscal"]}


def test_percentile_table_is_numpy_percentile_in_long_form():
    values = np.random.default_rng(0).lognormal(size=(999, 3, 2, 2))
    table = percentile_table(values, LABELS)
    assert list(table.columns) == ["municipio", "anio", "concepto", *COLUMNS, "media"]
    assert COLUMNS == ("p05", "p10", "p25", "p50", "p75", "p90", "p95")
    assert len(table) == 12
    row = table[(table.municipio == "0901") & (table.anio == 2026) & (table.concepto == "espacio_fiscal")].iloc[0]
    cell = values[:, 1, 1, 1]
    assert row["p10"] == np.percentile(cell, 10)
    assert row["media"] == pytest.approx(cell.mean(), rel=1e-13)
    index = pd.MultiIndex.from_product(LABELS.values(), names=list(LABELS))
    pd.testing.assert_frame_equal(percentile_table(values, index), table)


@settings(max_examples=30, deadline=None)
@given(data=st.lists(st.lists(st.floats(-1e9, 1e9), min_size=3, max_size=3), min_size=1, max_size=60))
def test_percentiles_are_ordered(data):
    values = np.array(data)
    table = percentile_table(values, {"concepto": ["a", "b", "c"]})
    assert (np.diff(table[list(COLUMNS)].to_numpy(), axis=1) >= 0).all()
    acc = PercentileAccumulator(len(values), max_bytes=8)  # compress as much as possible
    for start in range(0, len(values), 7):
        acc.add(values[start : start + 7])
    streamed = acc.table({"concepto": ["a", "b", "c"]})
    assert (np.diff(streamed[list(COLUMNS)].to_numpy(), axis=1) >= 0).all()
    low, high = values.min(axis=0), values.max(axis=0)
    assert (streamed["p05"].to_numpy() >= low).all() and (streamed["p95"].to_numpy() <= high).all()


def test_streamed_percentiles_equal_exact_ones_when_memory_allows():
    values = np.random.default_rng(1).normal(size=(5000, 3, 2, 2))
    acc = PercentileAccumulator(5000)
    for start in range(0, 5000, 1300):
        acc.add(values[start : start + 1300])
    assert acc.exact
    exact, streamed = percentile_table(values, LABELS), acc.table(LABELS)
    pd.testing.assert_frame_equal(streamed.drop(columns="media"), exact.drop(columns="media"))
    np.testing.assert_allclose(streamed["media"], exact["media"], rtol=1e-12, atol=1e-15)


def test_compressed_percentiles_stay_within_monte_carlo_error():
    n, cells = 10_000, 400
    values = np.random.default_rng(2).lognormal(mean=13, sigma=0.3, size=(n, cells))
    ordered = np.sort(values, axis=0)
    # 1,000-draw chunks are 125 groups of 8 (equal weights); 1,100-draw chunks leave remainder
    # groups (the general merge).
    for size in (1000, 1100):
        acc = PercentileAccumulator(n, max_bytes=n * cells * 4 // 6)
        for start in range(0, n, size):
            acc.add(values[start : start + size])
        assert not acc.exact and acc.group == 8
        approx = acc.quantiles()
        for k, q in enumerate(PERCENTILES):
            ranks = np.array([np.searchsorted(ordered[:, c], approx[k, c]) for c in range(cells)])
            rank_error = np.sqrt(np.mean((ranks - q / 100 * (n - 1)) ** 2))
            monte_carlo_error = math.sqrt(n * q / 100 * (1 - q / 100))
            assert rank_error < 0.5 * monte_carlo_error, (size, q, rank_error)
        np.testing.assert_allclose(acc.mean(), values.mean(axis=0), rtol=1e-12)


def test_constant_cells_stay_exact_when_compressed():
    values = np.full((3000, 4), 1e7 / 3)
    values[:, 0] = 0.1
    acc = PercentileAccumulator(3000, max_bytes=100)
    for start in range(0, 3000, 700):
        acc.add(values[start : start + 700])
    assert acc.group > 1
    assert (acc.quantiles() == values[0]).all() and (acc.mean() == values[0]).all()
    table = percentile_table(values, {"concepto": list("abcd")})
    assert (table["p50"].to_numpy() == values[0]).all() and (table["media"].to_numpy() == values[0]).all()


def test_probabilities_are_shares_of_draws():
    space = np.random.default_rng(3).normal(loc=[[-1.0, 0.0, 2.0]], size=(4000, 3))
    table = probability_table(space < 0, {"anio": [2025, 2026, 2027]})
    assert list(table.columns) == ["anio", "probabilidad"]
    np.testing.assert_allclose(table["probabilidad"], stats.norm.cdf([1.0, 0.0, -2.0]), atol=0.025)
    acc = ProbabilityAccumulator()
    for start in range(0, 4000, 900):
        acc.add(space[start : start + 900] < 0)
    pd.testing.assert_frame_equal(acc.table({"anio": [2025, 2026, 2027]}), table)
