"""Potential and gap of a driver stream: the parts add up to the total gap."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from nexos_model.revenue.potential import gap_decomposition


share = st.floats(0.0, 1.0)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1e5), share, st.floats(0, 1e6), st.floats(0, 0.02), share,
       st.floats(0, 1e6), st.floats(0, 0.02))
def test_gap_parts_sum_to_total(base, coverage, valuation, rate, compliance, v_target, r_target):
    g = gap_decomposition(base, coverage, valuation, rate, compliance, v_target, r_target)
    parts = g["coverage_gap"] + g["valuation_gap"] + g["rate_gap"] + g["compliance_gap"] \
        + g["interaction"]
    scale = max(1.0, *(abs(float(v)) for v in g.values()))  # float rounding of the largest term
    assert abs(parts - g["total_gap"]) <= 1e-9 * scale
    assert abs(g["potential"] - g["actual"] - g["total_gap"]) <= 1e-9 * scale
