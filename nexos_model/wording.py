"""Spanish number and date formatting, written the way Guatemalans write them.

The one place that turns numbers and dates into text for reports, the app and messages:
``Q 1,234,567.89``, ``Q 12.3 millones``, ``12.3 %``, ``25 de noviembre de 2026``. It imports
nothing from the package, so the model may word its messages with it (ARCHITECTURE.md).

Guatemala writes amounts with a comma for thousands and a point for decimals (the SICOIN and
MINFIN convention), so nothing here depends on the machine's locale.

Rounding is half away from zero on the number as it is written: a float is read through its
shortest decimal representation (``repr``), so ``2.675`` rounds to ``2.68`` as a person expects,
not to the ``2.67`` that binary rounding gives. A missing or non-finite value (``None``, NaN,
``pandas.NA``, infinity) is shown as an em dash, ``—``.
"""

from __future__ import annotations

import math
import numbers
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = [
    "FALTANTE",
    "MESES",
    "anio_rango",
    "anios_texto",
    "fecha",
    "millones",
    "numero",
    "porcentaje",
    "quetzales",
    "segun_unidad",
]

#: Shown in place of a missing or non-finite value.
FALTANTE = "—"

#: Month names as written in Spanish dates (lower case, as in "25 de noviembre de 2026").
MESES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def _is_missing(x: object) -> bool:
    """True for None, NaN, pandas.NA / NaT (anything that is not equal to itself)."""
    if x is None:
        return True
    try:
        return bool(x != x)
    except TypeError:  # pandas.NA: bool(NA != NA) raises
        return True


def _to_decimal(x: object) -> Decimal | None:
    """The number as written, or None when missing or not finite.

    Floats go through ``repr`` (the shortest string that reads back as the same float), so
    the decimal is what the person sees, not the binary approximation.
    """
    if isinstance(x, bool):
        raise TypeError(f"se esperaba un número, no un valor lógico: {x!r}")
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    if isinstance(x, numbers.Real):
        f = float(x)
        return Decimal(repr(f)) if math.isfinite(f) else None
    if _is_missing(x):
        return None
    raise TypeError(f"se esperaba un número: {x!r}")


def _round(d: Decimal, decimals: int) -> Decimal:
    """Round half away from zero to ``decimals`` places, dropping the sign of a zero."""
    if decimals < 0:
        raise ValueError(f"decimales debe ser 0 o más, no {decimals}")
    # Enough precision for the largest float (1.8e308) with its decimals, so quantize never
    # fails or loses digits.
    ctx = Context(prec=max(28, d.adjusted() + decimals + 3), rounding=ROUND_HALF_UP)
    r = d.quantize(Decimal(1).scaleb(-decimals), context=ctx)
    return r.copy_abs() if r.is_zero() else r


def _agrupar(d: Decimal, decimals: int) -> str:
    """``1234567.891`` -> ``1,234,567.89`` (absolute value, comma thousands, point decimals)."""
    return format(_round(d, decimals).copy_abs(), f",.{decimals}f")


def _con_signo(d: Decimal, decimals: int, prefijo: str = "", sufijo: str = "") -> str:
    """Sign before the currency symbol: ``-Q 1,234.00``; never ``-Q 0.00``."""
    signo = "-" if _round(d, decimals).is_signed() else ""
    return f"{signo}{prefijo}{_agrupar(d, decimals)}{sufijo}"


def quetzales(x: object, decimals: int = 2) -> str:
    """An amount in quetzales: ``Q 1,234,567.89``; negatives ``-Q 1,234.00``; missing ``—``."""
    d = _to_decimal(x)
    if d is None:
        return FALTANTE
    return _con_signo(d, decimals, prefijo="Q ")


def millones(x: object, decimals: int = 1) -> str:
    """An amount in quetzales shown in millions: ``12_345_678`` -> ``Q 12.3 millones``."""
    d = _to_decimal(x)
    if d is None:
        return FALTANTE
    return _con_signo(d.scaleb(-6), decimals, prefijo="Q ", sufijo=" millones")


def porcentaje(x: object, decimals: int = 1) -> str:
    """A fraction shown as a percentage: ``0.123`` -> ``12.3 %`` (space before %, per the spec)."""
    d = _to_decimal(x)
    if d is None:
        return FALTANTE
    return _con_signo(d.scaleb(2), decimals, sufijo=" %")


def numero(x: object, decimals: int = 0) -> str:
    """A plain number with thousands separators: ``1234567`` -> ``1,234,567``."""
    d = _to_decimal(x)
    if d is None:
        return FALTANTE
    return _con_signo(d, decimals)


def segun_unidad(x: object, unidad: str) -> str:
    """A value in its unit's words: ``quetzales`` as an amount, ``porcentaje`` (or any
    ``fracción…``) as a percentage, anything else (personas, conexiones) as a plain number."""
    if unidad == "quetzales":
        return quetzales(x)
    if unidad == "porcentaje" or unidad.startswith("fracción"):
        return porcentaje(x)
    return numero(x)


def fecha(d: date | None) -> str:
    """A date in Spanish: ``date(2026, 11, 25)`` -> ``25 de noviembre de 2026``.

    Accepts ``date``, ``datetime`` and ``pandas.Timestamp`` (the time is ignored); missing
    (None, NaT) gives ``—``.
    """
    if _is_missing(d):
        return FALTANTE
    if not isinstance(d, date):
        raise TypeError(f"se esperaba una fecha: {d!r}")
    return f"{d.day} de {MESES[d.month - 1]} de {d.year}"


def _anio(x: object) -> int:
    """A year as int; accepts numpy ints and whole floats (a year column with gaps is float)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or int(x) != x:
        raise TypeError(f"se esperaba un año entero: {x!r}")
    return int(x)


def anio_rango(a: int, b: int) -> str:
    """A span of years: ``anio_rango(2016, 2019)`` -> ``2016-2019``; one year alone if equal."""
    a, b = _anio(a), _anio(b)
    if a > b:
        raise ValueError(f"rango de años invertido: {a} > {b}")
    return str(a) if a == b else f"{a}-{b}"


def anios_texto(years) -> str:
    """A set of years as runs: ``[2020, 2021, 2023]`` -> ``2020-2021, 2023``."""
    runs: list[list[int]] = []
    for year in sorted({_anio(y) for y in years}):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(anio_rango(r[0], r[-1]) for r in runs)

