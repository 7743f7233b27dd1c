"""Reforms (levers): the path from the current value to the target, and their cost."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from nexos_model.revenue.levers import implementation_cost, lever_path


money = st.floats(0.0, 1e7)


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.integers(2000, 2040),
       st.integers(1, 15), st.sampled_from(["lineal", "s", "escalones"]))
def test_lever_path_monotone_and_exact(current, target, start, length, shape):
    target_year = start + length
    years = np.arange(start - 2, target_year + 3)
    path = lever_path(current, target, start, target_year, years, shape=shape)
    lo, hi = min(current, target), max(current, target)
    assert np.all(path >= lo) and np.all(path <= hi)
    steps = np.diff(path) * np.sign(target - current)
    assert np.all(steps >= -1e-9 * max(1.0, hi - lo))
    assert np.all(path[years <= start] == current)
    assert np.all(path[years >= target_year] == target)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=5), money)
def test_implementation_cost_sums_to_total(weights, total):
    profile = np.array(weights) / np.sum(weights)
    cost = implementation_cost(total, 2026, np.arange(2025, 2035), profile)
    assert np.isclose(cost.sum(), total, rtol=1e-9, atol=1e-6)
    assert cost[0] == 0 and np.all(cost >= 0)
