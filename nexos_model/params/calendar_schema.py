"""The planning calendar: the budget being prepared, the plan's years, how far the projection
goes, and the electoral calendar that bounds a council's loans.

**The default budget year** (``calendario.anio_presupuesto: null``) is the year after today's
date, on every day of the year. By Código Municipal art. 131 the mayor submits the draft budget
in the first week of October and the council approves it by 15 December [C]; from 1 January that
budget is executed, no longer prepared. So on any date of year Y the budget being prepared is
that of Y + 1: in December 2026 the 2027 budget, and in March 2027 already the 2028 one (the
2027 budget is in execution and the next draft is due in October). A council that starts a year
without an approved budget (art. 131: last year's rules) sets the year by hand.

"Today" is the system date, or ``NEXOS_HOY`` (``AAAA-MM-DD``) to reproduce a run as of another
date (the tests fix it this way, so none depends on the day it runs).

The defaults that follow the calendar (a reform's years, the new loan's year) are written
``null`` in ``params/defaults.yaml`` and filled here when the layers are merged
(:func:`fill_calendar`), so no year constant in the defaults goes stale.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any, MutableMapping

import numpy as np

from nexos_model.errors import ParameterError
from nexos_model.params.fields import Section, param

#: Environment variable naming the date Nexos takes as today (``AAAA-MM-DD``).
TODAY_VARIABLE = "NEXOS_HOY"
#: What a year's figures are (the ``tipo`` of every result table): data; the model's estimate of
#: a year that has happened but whose data are not loaded; a projection (the budget year on).
OBSERVED, ESTIMATED, PROJECTED = "observado", "estimado", "proyectado"


class CalendarSettings(Section):
    """When the plan is made and for how long (``calendario``)."""

    budget_year: int = param(
        "anio_presupuesto",
        label="Año del presupuesto que se prepara",
        unit="año",
        source="Vacío (null) = el año siguiente a la fecha de hoy: el proyecto de presupuesto se "
               "presenta al Concejo en la primera semana de octubre y se aprueba a más tardar el 15 de "
               "diciembre (Código Municipal art. 131) [C]; desde el 1 de enero ese presupuesto se ejecuta "
               "y el que se prepara es el del año siguiente. El plan de inversión, el POA, las reformas y "
               "el préstamo nuevo empiezan en este año.",
        ge=2000, le=2100, role="palanca")
    plan_years: int = param(
        "anios_plan",
        label="Años del plan de inversión multianual (POM), desde el año del presupuesto",
        unit="años",
        source="Período del gobierno municipal: 4 años (Constitución art. 254) [C]. Las herramientas "
               "de SEGEPLAN usaron un POM de 5 años (2023-2027) [C]; 4 es una elección de Nexos [NC].",
        ge=1, le=15, role="palanca")
    horizon: int = param(
        "horizonte",
        label="Años proyectados desde el año del presupuesto",
        unit="años",
        source="Práctica de planificación multianual (POM de 4-5 años; PDM-OT a 10 años). Los años "
               "entre el último con datos y el del presupuesto se estiman siempre.",
        ge=1, le=30)
    term_length: int = param(
        "duracion_periodo_concejo",
        label="Duración del período del Concejo Municipal",
        unit="años",
        source="Constitución art. 254: alcalde, síndicos y concejales electos para un período de "
               "cuatro años [C]; elecciones generales cada cuatro años (2019, 2023, 2027) [C].",
        ge=1, le=10)
    term_start: int = param(
        "inicio_periodo_concejo",
        label="Año en que tomó posesión un Concejo Municipal (15 de enero)",
        unit="año",
        source="Ley Electoral y de Partidos Políticos art. 211: los concejos toman posesión el 15 de "
               "enero [C]; períodos 2020-2024, 2024-2028 [C] y 2028-2032 [C]. Con la toma de posesión "
               "el 15 de enero, casi todo el año del presupuesto pertenece al período que empieza en él.",
        ge=1986, le=2100)


def reference_date() -> dt.date:
    """Today for the calendar: ``NEXOS_HOY`` (``AAAA-MM-DD``) when set, else the system date."""
    text = os.environ.get(TODAY_VARIABLE, "").strip()
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{TODAY_VARIABLE}: fecha no válida (valor dado: {text!r}; se esperaba: "
                             f"una fecha AAAA-MM-DD, p. ej. 2026-12-05)") from None


def default_budget_year(today: dt.date) -> int:
    """The budget being prepared on ``today``: the next year's, on every day of the year (art. 131)."""
    return today.year + 1


def year_kinds(years, last_observed, budget_year) -> np.ndarray:
    """What each year's figures are: ``observado`` up to ``last_observed``, ``estimado`` before
    ``budget_year``, ``proyectado`` from it on (the limits: one year, or one per year)."""
    years = np.asarray(years, dtype=int)
    return np.where(years <= np.asarray(last_observed), OBSERVED,
                    np.where(years < np.asarray(budget_year), ESTIMATED, PROJECTED))


def term_start(years, known_start: int, length: int) -> np.ndarray:
    """First year of the council's term in course in each of ``years``: ``known_start + length ×
    floor((year − known_start) / length)``. ``known_start`` is any year a term began (15 January:
    almost the whole of that year belongs to the new council)."""
    if int(length) < 1:
        raise ParameterError(f"calendario.duracion_periodo_concejo: valor dado {length!r} (se esperaba: 1 año o más)")
    years = np.asarray(years, dtype=int)
    return known_start + length * np.floor_divide(years - known_start, int(length))


def term_last_year(years, known_start: int, length: int) -> np.ndarray:
    """Last full year of the term in course in each of ``years`` (a loan taken that year ends by it)."""
    return term_start(years, known_start, length) + int(length) - 1


def longest_loan_term(year: int, known_start: int, length: int, max_term: int) -> int:
    """Years of the longest new loan taken in ``year`` that INFOM would grant: at most ``max_term``
    (``deuda.plazo_maximo``: most INFOM loans run 3 years at most [C]) and repaid within the term
    of the council that takes it (Código Municipal art. 110 and 110 bis, Decreto 5-2026 [C]); at
    least 1 year. A 2027 loan (the last full year of the 2024-2028 council) runs 1 year."""
    last = int(term_last_year([year], known_start, length)[0])
    return max(1, min(int(max_term), last - int(year) + 1))


def _section(tree: MutableMapping[str, Any], key: str) -> MutableMapping[str, Any] | None:
    node = tree.get(key)
    return node if isinstance(node, MutableMapping) else None


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: The keys :func:`fill_calendar` fills when they are ``null``, by schema section: a user's file may
#: write ``null`` there (the JSON Schema for editors says so).
FILLED_WHEN_NULL = {"CalendarSettings": ("anio_presupuesto",), "Lever": ("anio_inicio", "anio_meta"),
                    "Loan": ("anio", "plazo")}


#: The keys :func:`fill_calendar` fills when they are left ``null`` (in any section it visits).
CALENDAR_FILLED = frozenset({"anio_presupuesto", "anio_inicio", "anio_meta", "anio", "plazo"})


def fill_calendar(merged: MutableMapping[str, Any], today: dt.date | None = None) -> None:
    """Fill, in place, the merged parameters' years left ``null``: the budget year (the year after
    ``today``), each reform's start (the budget year) and target (the plan's last year, at least
    one year after the start), the new loan's year (the budget year) and its term (the longest an
    INFOM loan of that year may run: :func:`longest_loan_term`).

    Values of the wrong type are left alone: validation reports them with the file that set them.
    """
    calendar = _section(merged, "calendario")
    if calendar is None:
        return
    if calendar.get("anio_presupuesto") is None:
        calendar["anio_presupuesto"] = default_budget_year(today or reference_date())
    budget, plan = calendar["anio_presupuesto"], calendar.get("anios_plan")
    if not _is_year(budget):
        return
    for lever in (_section(merged, "palancas") or {}).values():
        if not isinstance(lever, MutableMapping):
            continue
        if lever.get("anio_inicio") is None:
            lever["anio_inicio"] = budget
        if lever.get("anio_meta") is None and _is_year(lever["anio_inicio"]) and _is_year(plan):
            lever["anio_meta"] = lever["anio_inicio"] + max(plan - 1, 1)
    debt = _section(merged, "deuda") or {}
    loan = _section(debt, "nuevo_prestamo")
    if loan is None:
        return
    if loan.get("anio") is None:
        loan["anio"] = budget
    known = (loan["anio"], calendar.get("inicio_periodo_concejo"), calendar.get("duracion_periodo_concejo"),
             debt.get("plazo_maximo"))
    if loan.get("plazo") is None and all(_is_year(x) for x in known) and known[2] >= 1:
        loan["plazo"] = longest_loan_term(*known)


__all__ = ["CalendarSettings", "ESTIMATED", "FILLED_WHEN_NULL", "OBSERVED", "PROJECTED", "TODAY_VARIABLE",
           "default_budget_year", "fill_calendar", "longest_loan_term", "reference_date", "term_last_year",
           "term_start", "year_kinds"]
