"""The municipal council's term in course each year (the electoral calendar as a rule).

Councils are elected for four years (Constitución art. 254) and take office on 15 January (Ley
Electoral y de Partidos Políticos art. 211): terms 2016-2020, 2020-2024, 2024-2028, 2028-2032...
Because the handover is on 15 January, almost the whole of a year whose term starts that year
belongs to the new council: the term in course in budget year Y starts in the latest start year
s <= Y, and its last full year is s + length - 1 (2027 for the term 2024-2028). A loan may not be
repaid after the term of the council that takes it (Código Municipal art. 110 and 110 bis,
Decreto 5-2026) [C], so a loan taken in Y must end by that last full year.
"""

from __future__ import annotations

import numpy as np

from nexos_model.errors import ParameterError


def term_start(years, known_start: int, length: int) -> np.ndarray:
    """First year of the term in course in each of ``years``: ``known_start + length ×
    floor((year − known_start) / length)``. ``known_start`` is any year a term began."""
    if int(length) < 1:
        raise ParameterError(f"calendario.duracion_periodo_concejo: valor dado {length!r} (se esperaba: 1 año o más)")
    years = np.asarray(years, dtype=int)
    return known_start + length * np.floor_divide(years - known_start, int(length))


def term_last_year(years, known_start: int, length: int) -> np.ndarray:
    """Last full year of the term in course in each of ``years`` (a loan taken that year ends by it)."""
    return term_start(years, known_start, length) + int(length) - 1


def term_label(year: int, known_start: int, length: int) -> str:
    """The term in course in ``year`` as councils name it: ``'2024-2028'``."""
    start = int(term_start([year], known_start, length)[0])
    return f"{start}-{start + int(length)}"


__all__ = ["term_label", "term_last_year", "term_start"]
