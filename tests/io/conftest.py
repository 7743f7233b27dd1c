"""Fixtures of the file-writing tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def resultados() -> pd.DataFrame:
    """A small long-form result table, as the projection returns."""
    return pd.DataFrame(
        {
            "escenario": ["base", "base", "base", "optimista"],
            "municipio": ["0901", "0901", "1301", "0101"],
            "anio": [2026, 2027, 2026, 2026],
            "concepto": ["iusi", "iusi", "aporte_constitucional", "ornato"],
            "valor": [1234567.891, -2500.5, np.nan, 0.0],
            "cobertura": [0.123, 0.5, 1.0, np.nan],
        }
    )
