"""Parameter values as the model reads them: year-keyed series."""

from __future__ import annotations

import numpy as np

from nexos_model.params.values import year_path as year_values


def test_year_keyed_values_hold_until_the_next_key():
    np.testing.assert_allclose(year_values({0: 0.04, 2025: 0.06, 2027: 0.03}, np.arange(2023, 2029)),
                               [0.04, 0.04, 0.06, 0.06, 0.03, 0.03])
