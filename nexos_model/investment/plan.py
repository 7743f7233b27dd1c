"""The investment plan of one municipality: the optimal programme beside the ranked fill, the
strategic progress it buys, and its effect on the projection (O&M and new debt service).

:func:`plan_investment` is pure (portfolio, fiscal space and settings in; tables out).
:func:`plan_for_space` takes the money from a run (:func:`run_space`: the run's fiscal space and
new-loan capacity) and its parameters, and keeps an illustrative portfolio from stopping a
report; :func:`nexos_model.api.plan_for_run` finds the portfolio (the municipality's file, or an
illustrative one) and calls it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nexos_model.errors import NexosError, ParameterError
from nexos_model.fiscal.debt import debt_service_by_year
from nexos_model.investment.borrowing import NewBorrowing, new_loans
from nexos_model.investment.inputs import ProgrammeOptions, check_years, fiscal_space_table
from nexos_model.investment.optimize import compare_methods
from nexos_model.investment.programme import Comparison, Programme
from nexos_model.investment.progress import strategic_progress
from nexos_model.investment.project import FUENTES, INFOM, PROPIOS, Project, projects_table
from nexos_model.investment.targets import parse_targets
from nexos_model.investment.verify import plan_violations
from nexos_model.params.calendar_schema import CalendarSettings, longest_loan_term
from nexos_model.params.investment_schema import InvestmentSettings
from nexos_model.params.schema import Parameters
from nexos_model.wording import porcentaje


EFFECT_COLUMNS = ["anio", "operacion_mantenimiento", "desembolso_prestamo", "intereses", "amortizacion",
                  "servicio_deuda", "saldo_deuda"]
_CENT = 0.01  # Q
# An illustrative portfolio costs this many times the plan's fiscal space, so choosing matters.
ILLUSTRATIVE_SIZE = 1.5


@dataclass(frozen=True)
class LoanTerms:
    """Terms of a new INFOM loan the plan takes in a year (``deuda`` parameters)."""

    rate: float  # nominal annual rate, fraction
    term: int  # years, grace included
    grace: int = 0
    method: str = "frances"
    payments_per_year: int = 1


@dataclass
class InvestmentPlan:
    """What a council decides with: which projects, when, paid by what, and what it buys.

    Tables (Spanish columns): ``cronograma`` (schedule), ``financiamiento`` (funding mix by
    year and source: espacio, inversion, operacion, saldo), ``financiamiento_proyectos``
    (proyecto, fuente, anio, monto), ``no_financiados`` (with the binding reason), ``poa``
    (first year), ``puntajes`` (each criterion's contribution), ``resultados`` (progress per
    result and year) and ``resultados_metas`` (per result: reached or not, and why),
    ``comparacion`` (optimum vs ranked fill), ``efecto`` (O&M and new debt by year, to feed
    back into spending).
    """

    municipio: str
    escenario: str
    years: list[int]
    projects: list[Project]
    cartera: str  # where the portfolio came from, in Spanish
    ilustrativa: bool
    comparison: Comparison
    espacio: pd.DataFrame  # sources × plan years (Q)
    resultados: pd.DataFrame
    resultados_metas: pd.DataFrame
    efecto: pd.DataFrame
    avisos: list[str] = field(default_factory=list)
    borrowing: NewBorrowing | None = None  # the new-loan room the plan kept to
    post_horizon_room: float | None = None  # own revenue's room for O&M after the plan

    @property
    def optimo(self) -> Programme:
        return self.comparison.optimo

    @property
    def orden(self) -> Programme:
        return self.comparison.orden

    @property
    def cronograma(self) -> pd.DataFrame:
        return self.optimo.cronograma

    @property
    def financiamiento(self) -> pd.DataFrame:
        """Funding mix by year and source: space, investment, O&M, balance and share used."""
        table = self.optimo.uso_espacio[["anio", "fuente", "espacio", "inversion", "operacion", "saldo"]]
        table = table.sort_values(["anio", "fuente"], key=_source_order, ignore_index=True)
        used = table["inversion"] + table["operacion"]
        table = table.assign(uso=np.divide(used, table["espacio"], out=np.zeros(len(table)),
                                           where=table["espacio"].to_numpy() > 0))
        return table

    @property
    def financiamiento_proyectos(self) -> pd.DataFrame:
        return self.optimo.financiamiento

    @property
    def no_financiados(self) -> pd.DataFrame:
        return self.optimo.no_financiados

    @property
    def poa(self) -> pd.DataFrame:
        return self.optimo.poa

    @property
    def puntajes(self) -> pd.DataFrame:
        return self.optimo.puntajes.sort_values("puntaje", ascending=False, ignore_index=True)

    @property
    def comparacion(self) -> pd.DataFrame:
        return self.comparison.summary()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by sheet name, for ``nexos planificar`` and the report."""
        return {
            "cronograma": self.cronograma,
            "financiamiento": self.financiamiento,
            "financiamiento_proyectos": self.financiamiento_proyectos,
            "no_financiados": self.no_financiados,
            "poa": self.poa,
            "puntajes": self.puntajes,
            "resultados": self.resultados,
            "resultados_metas": self.resultados_metas,
            "comparacion": self.comparacion,
            "efecto_proyeccion": self.efecto,
            "cartera": projects_table(self.projects),
            "avisos": pd.DataFrame({"aviso": self.avisos}, dtype=object),
        }


def _source_order(column: pd.Series) -> pd.Series:
    if column.name == "fuente":
        return column.map({k: i for i, k in enumerate(FUENTES)})
    return column


# --------------------------------------------------------------------------- pure plan


def estimate_om(projects: Sequence[Project], om_share: float | None) -> tuple[list[Project], list[str]]:
    """Projects with no declared O&M get ``om_share × costo_total`` per year; notes say which."""
    out, estimated = [], []
    for p in projects:
        if p.annual_om_cost is None:
            value = 0.0 if om_share is None else round(om_share * p.total_cost, 2)
            out.append(p.model_copy(update={"annual_om_cost": value}))
            estimated.append(p.name)
        else:
            out.append(p)
    notes = []
    if estimated:
        how = (f"se estimó como {porcentaje(om_share)} de su costo por año (gasto.funcionamiento."
               "operacion_mantenimiento_inversion)" if om_share is not None else "se tomó como cero")
        notes.append(f"{len(estimated)} proyecto(s) sin costo_operacion_anual: {how}: "
                     + ", ".join(f"'{n}'" for n in estimated))
    return out, notes


def _loan_terms_by_year(loans: LoanTerms | Mapping[int, LoanTerms] | None,
                        years: Sequence[int]) -> dict[int, LoanTerms]:
    if loans is None:
        return {}
    if isinstance(loans, LoanTerms):
        return {y: loans for y in years}
    missing = [y for y in years if y not in loans]
    if missing:
        raise ParameterError(f"condiciones del préstamo: faltan los años {missing}")
    return {int(y): loans[y] for y in years}


def plan_effect(programme: Programme, space: pd.DataFrame, borrowing: NewBorrowing | None,
                loans: Mapping[int, LoanTerms], effect_years: Sequence[int]) -> pd.DataFrame:
    """O&M of the built projects and service of the plan's new loans, by year (Q).

    ``operacion_mantenimiento``: Σ O&M of the projects finished before the year (it goes on
    after the plan). Each year's new borrowing (``prestamo_infom`` funding beyond the loans
    already decided, whose service the projection already has) is a loan taken that year on
    its ``loans`` terms (``nexos_model.fiscal.debt.debt_service_by_year``). Years run from the first
    of ``effect_years`` to the later of its last year and the last repayment.
    """
    by_name = {p.name: p for p in programme.projects}
    years_plan = list(programme.years)
    fin = programme.financiamiento
    used = fin.loc[fin["fuente"] == INFOM].groupby("anio")["monto"].sum().reindex(years_plan, fill_value=0.0)
    fresh = dict(zip(years_plan, new_loans(space.loc[INFOM, years_plan].to_numpy(), used.to_numpy(),
                                           years_plan, borrowing)))
    last = max(effect_years)
    fresh = {t: a for t, a in fresh.items() if a > _CENT / 2}  # solver noise is not a loan
    for t in fresh:
        last = max(last, t + loans[t].term - 1)
    years = np.arange(min(effect_years), last + 1)
    flows = {k: np.zeros(len(years)) for k in ("interest", "amortization", "balance", "disbursement")}
    for t, amount in fresh.items():
        terms = loans[t]
        service = debt_service_by_year(float(amount), terms.rate, terms.term, terms.grace, terms.method,
                                       terms.payments_per_year, years, int(t))
        for k in flows:
            flows[k] += getattr(service, k)[0]
    starts = programme.starts
    om = [sum(by_name[n].annual_om_cost for n, s in starts.items() if y >= s + by_name[n].duration)
          for y in years]
    return pd.DataFrame({
        "anio": years.astype(int), "operacion_mantenimiento": om, "desembolso_prestamo": flows["disbursement"],
        "intereses": flows["interest"], "amortizacion": flows["amortization"],
        "servicio_deuda": flows["interest"] + flows["amortization"], "saldo_deuda": flows["balance"],
    }, columns=EFFECT_COLUMNS)


def plan_investment(
    projects: Sequence[Project],
    space: Any,
    years: Sequence[int],
    settings: InvestmentSettings,
    *,
    loans: LoanTerms | Mapping[int, LoanTerms] | None = None,
    new_capacity: Mapping[int, float] | None = None,
    om_share: float | None = None,
    post_horizon_room: float | None = None,
    effect_years: Sequence[int] | None = None,
    municipio: str = "",
    escenario: str = "",
    cartera: str = "cartera dada",
    gap: float = 1e-6,
) -> InvestmentPlan:
    """Programme ``projects`` over ``years`` within ``space``; see :class:`InvestmentPlan`.

    ``space``: fiscal space by source and year (:func:`~nexos_model.investment.inputs.fiscal_space_table`).
    ``loans``: terms of a new loan taken in each year (one for all years, or ``{año:
    LoanTerms}``). With them the plan may borrow: ``new_capacity[año]`` is the part of that
    year's ``prestamo_infom`` space that is new-loan capacity (default: all of it; the rest
    is money of loans already decided); new loans of several years share the borrowing room,
    and their service is in ``efecto``. Without ``loans``, ``prestamo_infom`` is money like
    any other source. ``om_share``: O&M per year as a share of cost for projects that do not
    declare it. ``post_horizon_room``: own revenue's space for O&M after the plan (default:
    last year's). ``effect_years``: years of the ``efecto`` table (default: the plan's).

    Raises ParameterError with a Spanish explanation when the mandatory projects cannot be
    paid, NexosError if a programme breaks a rule (a bug, never expected).
    """
    years = check_years(years)
    table = fiscal_space_table(space, years)
    projects, avisos = estimate_om(list(projects), om_share)
    targets = parse_targets(settings.results, "inversion.resultados")
    unknown = sorted({r for p in projects for r in p.results} - set(targets))
    if targets and unknown:
        avisos.append("la cartera declara aportes a resultados que no están en inversion.resultados: "
                      + ", ".join(unknown))
    by_year = _loan_terms_by_year(loans, years)
    borrowing = None
    if by_year:
        capacity = new_capacity if new_capacity is not None else {y: float(table.loc[INFOM, y]) for y in years}
        borrowing = NewBorrowing({y: float(capacity.get(y, 0.0)) for y in years},
                                 {y: t.term for y, t in by_year.items()})
    elif new_capacity is not None:
        raise ParameterError("préstamo nuevo: hay capacidad de endeudamiento pero no condiciones del préstamo")
    options = ProgrammeOptions(
        weights=settings.weights.as_dict(), sector_priority=settings.sector_priority,
        default_priority=settings.other_sector_priority, results_targets=targets,
        result_weight=settings.result_weight, om_after_horizon=settings.om_after_horizon,
        post_horizon_room=post_horizon_room, borrowing=borrowing, time_limit=settings.time_limit, gap=gap,
    )
    comparison = compare_methods(projects, table, years, options)
    for programme in (comparison.optimo, comparison.orden):
        problems = plan_violations(programme, projects, table, years, options)
        if problems:
            raise NexosError([f"error interno: el programa '{programme.metodo}' rompe una regla:"] + problems)
    progress, summary, messages = strategic_progress(comparison.optimo, targets, projects)
    avisos += comparison.optimo.avisos + messages
    if comparison.optimo.estado != "óptimo":
        avisos.append(f"el optimizador se detuvo por tiempo: el programa es el mejor encontrado "
                      f"(brecha de optimalidad {porcentaje(comparison.optimo.brecha_mip, 2)})")
    effect = plan_effect(comparison.optimo, table, borrowing, by_year, effect_years or years)
    return InvestmentPlan(
        municipio=municipio, escenario=escenario, years=years, projects=projects, cartera=cartera,
        ilustrativa=any(p.illustrative for p in projects), comparison=comparison, espacio=table,
        resultados=progress, resultados_metas=summary, efecto=effect, avisos=avisos, borrowing=borrowing,
        post_horizon_room=post_horizon_room,
    )


# --------------------------------------------------------------------------- from a run


def plan_years(calendar: CalendarSettings, space_years: Sequence[int]) -> list[int]:
    """The plan's years: from the budget being prepared (``calendario.anio_presupuesto``, its
    first year is the POA) for ``calendario.anios_plan`` years, which must lie inside the years
    the fiscal space covers."""
    space_years = sorted(int(y) for y in space_years)
    first = calendar.budget_year
    years = list(range(first, first + calendar.plan_years))
    outside = [y for y in years if y not in space_years]
    if outside:
        raise ParameterError(
            f"calendario: el plan {years[0]}–{years[-1]} (anio_presupuesto {first}, anios_plan "
            f"{calendar.plan_years}) sale del espacio fiscal proyectado {space_years[0]}–{space_years[-1]} "
            f"(se esperaba: años dentro de la proyección; ajuste calendario.anio_presupuesto, "
            f"calendario.anios_plan o calendario.horizonte)"
        )
    return years


def loan_terms_from_params(params: Any, years: Sequence[int],
                           terms: Mapping[int, int] | None = None) -> dict[int, LoanTerms]:
    """Terms of a new loan taken in each year, from the ``deuda`` and ``reglas`` parameters.

    Rate ``deuda.tasa_capacidad``; method and payments per year of ``deuda.nuevo_prestamo``;
    no grace (as the run's borrowing capacity). Term: ``terms[año]`` when given (the term the
    capacity was computed with); otherwise ``deuda.plazo_maximo`` shortened so the last payment
    falls within the council's term in course that year (a loan may not outlive the council
    that takes it: Código Municipal art. 110 bis), at least 1 year.
    """
    debt, calendar = params.debt, params.calendar
    terms = terms or {}
    out = {}
    for y in years:
        term = terms.get(y) or longest_loan_term(y, calendar.term_start, calendar.term_length, debt.max_term)
        out[y] = LoanTerms(rate=debt.capacity_rate, term=int(term), grace=0, method=debt.new_loan.method,
                           payments_per_year=debt.new_loan.payments_per_year)
    return out


def run_space(result: Any, code: str) -> tuple[pd.DataFrame, dict[int, float] | None, dict[int, int]]:
    """A run's money for the plan: ``(space, new-loan capacity by year, its term by year)``.

    ``result.fiscal_space`` gives each source's space (``municipio, anio, fuente, monto``);
    its ``prestamo_infom`` is money of loans already decided. ``result.borrowing``
    (``municipio, anio, monto, plazo``), when the run has it, is the largest new loan each
    year allows alone: it is added to ``prestamo_infom`` as capacity the plan may use.
    Without it, the whole ``prestamo_infom`` space is taken as new-loan capacity.
    """
    space = getattr(result, "fiscal_space", None)
    if space is None:
        raise NexosError("la corrida no tiene espacio fiscal (RunResult.fiscal_space)")
    space = space.loc[space["municipio"] == code, ["anio", "fuente", "monto"]].copy()
    if space.empty:
        raise NexosError(f"municipio {code}: la corrida no tiene espacio fiscal")
    space["anio"] = space["anio"].astype(int)
    borrowing = getattr(result, "borrowing", None)
    if borrowing is None:
        return space, None, {}
    rows = borrowing.loc[borrowing["municipio"] == code]
    capacity = {int(y): max(float(m), 0.0) for y, m in zip(rows["anio"], rows["monto"])}
    terms = {int(y): int(t) for y, t in zip(rows["anio"], rows["plazo"]) if int(t) >= 1}
    extra = pd.DataFrame({"anio": list(capacity), "fuente": INFOM, "monto": list(capacity.values())})
    space = pd.concat([space, extra], ignore_index=True).groupby(["anio", "fuente"], as_index=False)["monto"].sum()
    return space, capacity, terms


def illustrative_budget(years: Sequence[int], space: pd.DataFrame,
                        capacity: Mapping[int, float] | None) -> float | None:
    """What an ILLUSTRATIVE portfolio should cost: ``ILLUSTRATIVE_SIZE`` times the plan's money
    (None when there is none), so that choosing matters.

    The money: every source's space over the plan years, counting new borrowing once (the
    largest yearly capacity: loans of several years share one debt-service room).
    """
    in_plan = space.loc[space["anio"].isin(years)]
    money = float(in_plan["monto"].sum())
    if capacity:
        money -= sum(capacity.get(y, 0.0) for y in years) - max(capacity.get(y, 0.0) for y in years)
    return ILLUSTRATIVE_SIZE * money if money > 0 else None


def plan_for_space(projects: list[Project], cartera: str | None, params: Parameters, years: list[int],
                   space: pd.DataFrame, capacity: Mapping[int, float] | None, terms: Mapping[int, int],
                   municipio: str, escenario: str) -> InvestmentPlan:
    """The plan of ``projects`` over ``years`` within a run's money (:func:`run_space`), with the
    municipality's ``inversion``, ``deuda`` and ``gasto`` parameters.

    ``cartera``: the portfolio file the projects came from, or None for an ILLUSTRATIVE
    portfolio (flagged in ``avisos``; its mandatory flags are only examples, so they are dropped
    rather than stop a report when they do not fit). The plan's ``efecto`` table (O&M and new
    debt service by year) is what the projection's spending must add.
    """
    settings = params.investment
    avisos = []
    if cartera is None:
        cartera = f"cartera ILUSTRATIVA generada para {municipio} (no es un plan municipal real)"
        avisos.append(f"{municipio} no tiene cartera en params/carteras/: se usa una {cartera}")
    propios = space.loc[(space["fuente"] == PROPIOS) & (space["anio"] >= years[-1])]
    post_room = float(propios["monto"].min()) if len(propios) else None
    effect_years = sorted(int(y) for y in space["anio"].unique() if y >= years[0])

    def programme(portfolio: list[Project]) -> InvestmentPlan:
        return plan_investment(
            portfolio, space, years, settings,
            loans=loan_terms_from_params(params, years, terms),
            new_capacity=None if capacity is None else {y: capacity.get(y, 0.0) for y in years},
            om_share=params.spending.operating.om_share, post_horizon_room=post_room, effect_years=effect_years,
            municipio=municipio, escenario=escenario, cartera=cartera,
        )

    try:
        plan = programme(projects)
    except ParameterError:
        if not avisos:
            raise  # a real portfolio whose mandatory projects do not fit: the council must know
        plan = programme([p.model_copy(update={"mandatory": False}) for p in projects])
        avisos.append("los proyectos obligatorios de la cartera ilustrativa no caben en el espacio fiscal "
                      "de " + municipio + ": se programan como no obligatorios")
    plan.avisos[:0] = avisos
    return plan


__all__ = [
    "EFFECT_COLUMNS",
    "ILLUSTRATIVE_SIZE",
    "InvestmentPlan",
    "LoanTerms",
    "estimate_om",
    "illustrative_budget",
    "loan_terms_from_params",
    "plan_effect",
    "plan_for_space",
    "plan_investment",
    "plan_years",
    "run_space",
]
