"""Spanish number and date wording (``nexos_model.wording``): cases a finance officer can check by eye."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, strategies as st

from nexos_model.wording import (
    FALTANTE,
    anio_rango,
    fecha,
    millones,
    numero,
    porcentaje,
    quetzales,
    segun_unidad,
)

MISSING = [None, float("nan"), np.nan, pd.NA, pd.NaT, float("inf"), -float("inf")]


@pytest.mark.parametrize(
    "x, expected",
    [
        (1234567.89, "Q 1,234,567.89"),
        (1234567.891, "Q 1,234,567.89"),
        (-1234, "-Q 1,234.00"),
        (-1234.5, "-Q 1,234.50"),
        (0, "Q 0.00"),
        (0.0, "Q 0.00"),
        (-0.0, "Q 0.00"),
        (-0.001, "Q 0.00"),  # rounds to zero: no "-Q 0.00"
        (-0.005, "-Q 0.01"),  # half away from zero
        (0.005, "Q 0.01"),
        (0.125, "Q 0.13"),  # not banker's 0.12
        (2.675, "Q 2.68"),  # float is 2.67499999..., a person reads 2.675
        (1.005, "Q 1.01"),
        (-2.675, "-Q 2.68"),
        (999.995, "Q 1,000.00"),
        (999999.999, "Q 1,000,000.00"),
        (0.1 + 0.2, "Q 0.30"),
        (5e-324, "Q 0.00"),
        (1e-10, "Q 0.00"),
        (12, "Q 12.00"),
        (1e15, "Q 1,000,000,000,000,000.00"),
        (10**24, "Q 1,000,000,000,000,000,000,000,000.00"),
        (Decimal("2.675"), "Q 2.68"),
        (Decimal("-1234567.885"), "-Q 1,234,567.89"),
        (np.float64(1234.565), "Q 1,234.57"),
        (np.int64(-7), "-Q 7.00"),
        (np.float32(0.5), "Q 0.50"),
    ],
)
def test_quetzales(x, expected):
    assert quetzales(x) == expected


@pytest.mark.parametrize(
    "x, decimals, expected",
    [
        (1234567.5, 0, "Q 1,234,568"),
        (2.5, 0, "Q 3"),
        (-2.5, 0, "-Q 3"),
        (-0.4, 0, "Q 0"),
        (1.23456, 4, "Q 1.2346"),
    ],
)
def test_quetzales_decimals(x, decimals, expected):
    assert quetzales(x, decimals) == expected


def test_quetzales_huge_keeps_every_digit():
    text = quetzales(1e300)
    assert text.startswith("Q 1,000,000,")
    assert text.endswith(",000.00")
    assert len(text.replace("Q ", "").replace(",", "")) == 301 + 3  # 301 digits, ".00"
    assert quetzales(-1.7976931348623157e308).startswith("-Q 179,769,313,486,231,570,")


@pytest.mark.parametrize("x", MISSING)
def test_missing_is_dash(x):
    for f in (quetzales, millones, porcentaje, numero):
        assert f(x) == FALTANTE == "—"


@pytest.mark.parametrize("x", ["1234", [1, 2], True, object()])
def test_not_a_number_is_an_error(x):
    with pytest.raises(TypeError):
        quetzales(x)


def test_negative_decimals_is_an_error():
    with pytest.raises(ValueError):
        numero(1234, -1)


@pytest.mark.parametrize(
    "x, expected",
    [
        (12_345_678, "Q 12.3 millones"),
        (12_350_000, "Q 12.4 millones"),  # half away from zero
        (-12_345_678, "-Q 12.3 millones"),
        (1_234_567_890, "Q 1,234.6 millones"),
        (49_999, "Q 0.0 millones"),
        (50_000, "Q 0.1 millones"),
        (-40_000, "Q 0.0 millones"),
        (0, "Q 0.0 millones"),
        (1e6, "Q 1.0 millones"),
    ],
)
def test_millones(x, expected):
    assert millones(x) == expected


def test_millones_decimals():
    assert millones(12_345_678, decimals=2) == "Q 12.35 millones"
    assert millones(12_345_678, decimals=0) == "Q 12 millones"


@pytest.mark.parametrize(
    "x, decimals, expected",
    [
        (0.123, 1, "12.3 %"),
        (0.285, 1, "28.5 %"),  # 0.285 * 100 is 28.499999999999996 in floats
        (0.00049, 1, "0.0 %"),
        (0.0005, 1, "0.1 %"),
        (1, 1, "100.0 %"),
        (0, 1, "0.0 %"),
        (-0.05, 1, "-5.0 %"),
        (-0.0001, 1, "0.0 %"),
        (12.345, 1, "1,234.5 %"),
        (0.12345, 2, "12.35 %"),
        (0.125, 0, "13 %"),
        (1 / 3, 1, "33.3 %"),
    ],
)
def test_porcentaje(x, decimals, expected):
    assert porcentaje(x, decimals) == expected


@pytest.mark.parametrize(
    "x, decimals, expected",
    [
        (1234567, 0, "1,234,567"),
        (1234567.5, 0, "1,234,568"),
        (-1234567, 0, "-1,234,567"),
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1,000"),
        (1234.5678, 2, "1,234.57"),
        (0.4, 0, "0"),
        (-0.4, 0, "0"),
        (10**18, 0, "1,000,000,000,000,000,000"),
    ],
)
def test_numero(x, decimals, expected):
    assert numero(x, decimals) == expected


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2026, 11, 25), "25 de noviembre de 2026"),
        (date(2026, 1, 1), "1 de enero de 2026"),
        (date(2019, 9, 15), "15 de septiembre de 2019"),
        (date(2000, 2, 29), "29 de febrero de 2000"),
        (datetime(2026, 12, 31, 23, 59), "31 de diciembre de 2026"),
        (pd.Timestamp("2026-07-04 10:00"), "4 de julio de 2026"),
        (None, "—"),
        (pd.NaT, "—"),
    ],
)
def test_fecha(d, expected):
    assert fecha(d) == expected


def test_fecha_every_month_is_spanish():
    months = [fecha(date(2026, m, 1)).split(" de ")[1] for m in range(1, 13)]
    assert months == [
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ]  # fmt: skip


def test_fecha_rejects_text():
    with pytest.raises(TypeError):
        fecha("2026-11-25")


def test_anio_rango():
    assert anio_rango(2016, 2019) == "2016-2019"
    assert anio_rango(np.int64(2016), 2019.0) == "2016-2019"
    assert anio_rango(2026, 2026) == "2026"
    with pytest.raises(ValueError):
        anio_rango(2019, 2016)
    with pytest.raises(TypeError):
        anio_rango(2016.5, 2019)


# --- Properties --------------------------------------------------------------------------------


def _parse_quetzales(text: str) -> Decimal:
    return Decimal(text.replace("Q ", "").replace(",", ""))


def _is_tie_at_centavo(x: float) -> bool:
    """True when the written number ends in exactly half a centavo (2.675, 0.125)."""
    cents = Decimal(repr(x)).scaleb(2)
    return (cents - cents.to_integral_value(ROUND_DOWN)).copy_abs() == Decimal("0.5")


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite)
@example(2.675)
@example(0.125)
@example(-1.005)
@example(1e22)
@example(-0.0)
def test_quetzales_round_trip(x):
    parsed = _parse_quetzales(quetzales(x))
    if _is_tie_at_centavo(x):
        # Half a centavo as written: away from zero, where round() may go either way.
        assert parsed == Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    else:
        assert float(parsed) == round(x, 2)
    assert parsed.as_tuple().exponent == -2


@given(finite)
def test_quetzales_shape(x):
    text = quetzales(x)
    sign = "-" if text.startswith("-") else ""
    body = text.removeprefix(sign)
    assert body.startswith("Q ")
    integer = body[2:].split(".")[0]
    groups = integer.split(",")
    assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    assert sign == "" or x < 0
    assert text != "-Q 0.00"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_porcentaje_is_a_hundred_times_the_fraction(x):
    text = porcentaje(x, 3)
    assert text.endswith(" %")
    value = float(text.removesuffix(" %").replace(",", ""))
    assert math.isclose(value, x * 100, abs_tol=0.0005 + 1e-9 * abs(x * 100))


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_numero_integers_round_trip(n):
    assert int(numero(n).replace(",", "")) == n
    assert numero(n) == f"{n:,}"


@given(st.dates())
def test_fecha_names_day_month_year(d):
    day, month, year = fecha(d).split(" de ")
    assert (int(day), int(year)) == (d.day, d.year)


@pytest.mark.parametrize("x, unidad, expected", [
    (1234567.891, "quetzales", "Q 1,234,567.89"),
    (0.2345, "porcentaje", "23.5 %"),
    (0.05, "fracción del valor", "5.0 %"),
    (117818, "personas", "117,818"),
    (float("nan"), "quetzales", "—"),
])
def test_segun_unidad(x, unidad, expected):
    assert segun_unidad(x, unidad) == expected
