"""The hot-path array helpers give numpy's general functions' numbers, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from nexos_model.fiscal.arrays import nanmedian_columns, nanmedian_last

VALUES = st.one_of(st.just(np.nan), st.just(0.0), st.floats(-1e9, 1e9), st.just(np.inf), st.just(-np.inf))


@settings(max_examples=300, deadline=None)
@given(values=hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 5)), elements=VALUES))
def test_nanmedian_last_is_numpys_nanmedian(values):
    """Short rows (1 to 3 values: the sorting network) and longer ones (the sort), with NaN,
    infinities and rows all NaN."""
    with warnings.catch_warnings():  # all NaN, or −inf and inf: numpy warns, and so do these
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(values, axis=-1)
        np.testing.assert_array_equal(nanmedian_last(values), expected)
        if values.shape[-1] <= 3:
            np.testing.assert_array_equal(nanmedian_columns(list(values.T)), expected)
