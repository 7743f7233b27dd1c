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

from nexos_model.params.calendar_schema import term_last_year, term_start


def term_label(year: int, known_start: int, length: int) -> str:
    """The term in course in ``year`` as councils name it: ``'2024-2028'``."""
    start = int(term_start([year], known_start, length)[0])
    return f"{start}-{start + int(length)}"


__all__ = ["term_label", "term_last_year", "term_start"]
