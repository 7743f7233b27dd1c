"""Parameter values as the model reads them: year-keyed series."""

from __future__ import annotations

import numpy as np

from nexos_model.params.loader import load_parameters
from nexos_model.params.values import Values
from nexos_model.params.values import year_path as year_values


def test_year_keyed_values_hold_until_the_next_key():
    np.testing.assert_allclose(year_values({0: 0.04, 2025: 0.06, 2027: 0.03}, np.arange(2023, 2029)),
                               [0.04, 0.04, 0.06, 0.06, 0.03, 0.03])


def test_a_known_year_beats_the_parameter_and_its_draws():
    params = load_parameters(None, None).params
    years = np.arange(2023, 2029)
    known = {"macro.inflacion": {2023: 0.0621, 2024: 0.0287}}
    plain = Values(params).with_known(known)
    np.testing.assert_allclose(plain.path("macro.inflacion", years), [0.0621, 0.0287, 0.04, 0.04, 0.04, 0.04])
    drawn = Values(params, {"macro.inflacion": np.array([0.02, 0.06, 0.09])}).with_known(known)
    path = drawn.path("macro.inflacion", years)
    assert path.shape == (1, 3, 6)
    np.testing.assert_allclose(path[0, :, :2], [[0.0621, 0.0287]] * 3)  # the past is not redrawn
    np.testing.assert_allclose(path[0, :, 2:], [[0.02] * 4, [0.06] * 4, [0.09] * 4])
