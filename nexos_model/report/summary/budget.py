"""The budget being prepared, as a council approves it: ceilings by funding source, the operating
budget, the POA and its funding, existing debt and the range of the headline figures.

Every section has a table of numbers (amounts already rounded to the quetzal, parts that foot to
their totals: :func:`~nexos_model.report.summary.common.whole_parts`), and its text table and
sentences are both written from that one table, so a sentence never says a number its table
does not show. The numbers come from ``run(..., planificar=True)``: its fiscal space (after the
plan's own O&M and debt service), its projection and its plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from nexos_model import catalog
from nexos_model.fiscal.debt import debt_service_by_year
from nexos_model.fiscal.space import SPACE_DETAIL_SOURCES, earmark, plan_source
from nexos_model.params.values import Values
from nexos_model.report.summary.finance import fiscal_space_numbers
from nexos_model.report.summary.common import (
    SECTOR_LABELS,
    SOURCE_NAMES,
    SPACE_SOURCE_NAMES,
    _code,
    _name,
    _place,
    _plan_span,
    _projected,
    _rows,
    _years,
    amount,
    whole,
    whole_parts,
)
from nexos_model.wording import anio_rango, millones, numero, porcentaje

if TYPE_CHECKING:
    from nexos_model.api import RunResult
    from nexos_model.investment.plan import InvestmentPlan

#: The ceilings table's groups, in order: what the money may pay.
FREE, EARMARKED, OWN, LOAN, CODEDE = "libre", "inversion", "propio", "prestamo", "codede"
USE_NAMES = {FREE: "Libre uso", EARMARKED: "Solo inversión", OWN: "", LOAN: "Solo inversión",
             CODEDE: "Proyectos que asigna el CODEDE"}
#: The headline figures whose p10-p90 range the report gives (all in ``RunResult.percentiles``).
RANGE_CONCEPTS = ("ingresos_propios", "transferencias", "gasto_funcionamiento", "espacio_fiscal")


def budget_heading(result: "RunResult", text: str, municipio: str | None = None, plan: bool = False) -> str:
    """A section title with the budget year (``Techos por fuente 2027``) or, with ``plan``, the
    plan's years (``Plan multianual 2027-2030``)."""
    code = _code(result, municipio)
    made = plan_of(result, code)
    if plan and made is not None:
        return f"{text} {anio_rango(made.years[0], made.years[-1])}"
    return f"{text} {result.budget_year(code)}"


def plan_of(result: "RunResult", municipio: str | None = None) -> "InvestmentPlan | None":
    """The plan ``run(..., planificar=True)`` made for one municipality (None without one)."""
    return getattr(result, "plans", {}).get(_code(result, municipio))


# --- (1) ceilings by funding source ------------------------------------------------------------

def _use_text(source: str, destino: str, v: Values) -> str:
    """What the money of one row may pay, with the legal share (a sourced parameter)."""
    if destino == FREE:
        if source == "propios":
            return "Libre uso: lo que queda después del funcionamiento y la deuda"
        if source in ("aporte_constitucional", "iva_paz"):
            return f"Libre uso: lo que no usa el funcionamiento de su {porcentaje(1 - earmark(source, v), 0)}"
        return "Libre uso"
    return f"Solo inversión ({porcentaje(earmark(source, v), 0)} por ley)"


def _loan_ceiling(result: "RunResult", code: str, year: int) -> tuple[float, int | None]:
    """The largest new INFOM loan that may start in ``year`` (the plan's own ceiling when there
    is a plan: before its loans use it) and its term."""
    capacity = _rows(result.borrowing, code)
    row = capacity.loc[capacity["anio"] == year]
    term = int(row["plazo"].iloc[0]) if len(row) else None
    plan = plan_of(result, code)
    if plan is not None:
        funding = plan.financiamiento
        loan = funding.loc[(funding["anio"] == year) & (funding["fuente"] == "prestamo_infom"), "espacio"]
        if len(loan):
            return float(loan.iloc[0]), term
    return (float(row["monto"].iloc[0]) if len(row) else 0.0), term


def ceilings(result: "RunResult", municipio: str | None = None, anio: int | None = None) -> pd.DataFrame:
    """The budget year's ceilings by funding source, as numbers: ``grupo`` (libre, inversion,
    propio = their total, prestamo, codede), ``fuente``, ``Fuente``, ``Uso`` and ``monto`` (whole
    quetzales; the free and earmarked rows foot to the ``propio`` row)."""
    code = _code(result, municipio)
    year = result.budget_year(code) if anio is None else int(anio)
    space = _rows(result.fiscal_space, code)
    space = space.loc[space["anio"] == year]
    v = Values(result.parameters[code].params)
    rows: list[dict[str, Any]] = []
    for destino in (FREE, EARMARKED):
        part = space.loc[space["destino"] == destino].set_index("fuente")["monto"]
        for source in [s for s in SPACE_DETAIL_SOURCES if s in part.index]:
            rows.append({"grupo": destino, "fuente": source, "Fuente": SPACE_SOURCE_NAMES[source],
                         "Uso": _use_text(source, destino, v), "valor": float(part[source])})
    # Rounded twice so every sum the report shows foots: the plan's sources (the rows each one
    # books) to the own space, then each source's rows to its rounded amount.
    sources = list(dict.fromkeys(plan_source(r["fuente"]) for r in rows))
    booked = {s: sum(r["valor"] for r in rows if plan_source(r["fuente"]) == s) for s in sources}
    for source, target in zip(sources, whole_parts(booked.values())):
        mine = [r for r in rows if plan_source(r["fuente"]) == source]
        for row, value in zip(mine, whole_parts((r["valor"] for r in mine), target)):
            row["monto"] = value
    values = [r["monto"] for r in rows]
    rows.append({"grupo": OWN, "fuente": "", "Fuente": "Espacio propio para inversión, sin préstamos",
                 "Uso": "", "valor": sum(r["valor"] for r in rows), "monto": sum(values)})
    loan, _ = _loan_ceiling(result, code, year)
    rows.append({"grupo": LOAN, "fuente": "prestamo_infom", "Fuente": "Préstamo nuevo del INFOM (máximo)",
                 "Uso": "Solo inversión (Código Municipal, crédito público)", "valor": loan, "monto": whole(loan)})
    codede = float(space.loc[space["destino"] == CODEDE, "monto"].sum())
    rows.append({"grupo": CODEDE, "fuente": "codede", "Fuente": SPACE_SOURCE_NAMES["codede"],
                 "Uso": "Asignados por el CODEDE a proyectos: fuera del espacio propio", "valor": codede,
                 "monto": whole(codede)})
    return pd.DataFrame(rows)


def ceilings_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """:func:`ceilings` as the council reads it."""
    table = ceilings(result, municipio)
    year = result.budget_year(_code(result, municipio))
    return pd.DataFrame({"Fuente": table["Fuente"], "Uso que permite la ley": table["Uso"],
                         f"Techo {year}": [amount(v) for v in table["monto"]]})


def _own_revenue_used(result: "RunResult", code: str, table: pd.DataFrame, year: int) -> list[str]:
    """Why the own-revenue ceiling is zero, when it is: operation (and debt) took all of it."""
    own_row = table.loc[(table["grupo"] == FREE) & (table["fuente"] == "propios"), "monto"]
    lines = _projected(result, code).loc[year]
    own, operating = whole(lines["ingresos_propios"]), whole(lines["gasto_funcionamiento"])
    if own_row.empty or own_row.iloc[0] != 0 or own <= 0:
        return []
    if own > operating:
        return [f"Los ingresos propios de {year} ({amount(own)}) se van por completo en el funcionamiento "
                f"({amount(operating)}) y la deuda: por eso su techo de libre uso es Q 0."]
    short = (f"los {amount(operating - own)} que faltan se pagan con transferencias de libre uso (sus techos en "
             f"la tabla ya los descuentan)")
    if whole(lines["deficit"]) > 0:
        short = (f"de los {amount(operating - own)} que faltan, las transferencias de libre uso no cubren "
                 f"{amount(whole(lines['deficit']))} (déficit)")
    return [f"Los ingresos propios de {year} ({amount(own)}) no alcanzan para el funcionamiento "
            f"({amount(operating)}): su techo de libre uso es Q 0, y {short}."]


def ceilings_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """The budget year's own space (free and earmarked), the new loan it could take and the
    CODEDE funds apart: every number a cell (or the sum of cells of one use) of :func:`ceilings`."""
    code = _code(result, municipio)
    year = result.budget_year(code)
    table = ceilings(result, code)
    by = table.groupby("grupo")["monto"].sum()
    _, term = _loan_ceiling(result, code, year)
    out = [f"Para el presupuesto {year}, el espacio propio para invertir, sin préstamos, es de {amount(by[OWN])}: "
           f"{amount(by.get(FREE, 0))} de libre uso y {amount(by.get(EARMARKED, 0))} que la ley destina solo a "
           f"inversión."]
    out += _own_revenue_used(result, code, table, year)
    if by[LOAN] > 0:
        years = f" a {term} año{'s' if term != 1 else ''}" if term else ""
        out.append(f"Un préstamo nuevo del INFOM que empiece en {year} podría ser de hasta {amount(by[LOAN])}{years}, "
                   f"dentro del límite del servicio de la deuda y del período del Concejo en curso.")
    else:
        out.append(f"En {year} no cabe un préstamo nuevo del INFOM dentro del límite del servicio de la deuda y del "
                   f"período del Concejo en curso.")
    out.append(f"Aparte, los fondos CODEDE de {year} ({amount(by[CODEDE])}) los asigna el Consejo Departamental de "
               f"Desarrollo a proyectos concretos: no son espacio del municipio.")
    return out


# --- (2) the operating budget -------------------------------------------------------------------

def _loan_service(loans, years: list[int]) -> pd.Series:
    """Debt service (interest + principal) of ``loans`` by year: the model's own formula."""
    total = pd.Series(0.0, index=years)
    for loan in loans:
        flows = debt_service_by_year(loan.amount, loan.rate, loan.term, loan.grace, loan.method,
                                     loan.payments_per_year, years, loan.start_year, disbursement=loan.disbursement)
        total += (flows.interest[0] + flows.amortization[0])
    return total


def debt_service_split(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Debt service by year from the budget year on, as numbers (whole quetzales): ``existente``
    (loans in force, ``deuda.existentes``), ``escenario`` (the scenario's new loan), ``plan``
    (the plan's new INFOM loans) and ``total`` (the projection's, which they foot to)."""
    code = _code(result, municipio)
    first, end = _plan_span(result, code)
    years = list(range(first, end + 1))
    p = result.parameters[code].params
    existing = _loan_service(p.debt.existing, years)
    scenario = _loan_service([p.debt.new_loan] if p.debt.new_loan.amount > 0 else [], years)
    plan = plan_of(result, code)
    planned = (plan.efecto.set_index("anio")["servicio_deuda"].reindex(years, fill_value=0.0)
               if plan is not None else pd.Series(0.0, index=years))
    total = _projected(result, code).loc[years, "servicio_deuda"]
    rows = []
    for year in years:
        parts = whole_parts([existing[year], scenario[year], planned[year]])
        rows.append({"anio": year, "existente": parts[0], "escenario": parts[1], "plan": parts[2],
                     "total": sum(parts), "valor_total": float(total[year])})
    return pd.DataFrame(rows).set_index("anio")


def operating_budget(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The budget year's operating budget as numbers: spending lines, their total, debt service
    (existing and new) and the whole, each with where it comes from; parts foot to totals."""
    code = _code(result, municipio)
    year = result.budget_year(code)
    values = _projected(result, code).loc[year]
    assumed = _rows(result.assumptions, code)
    generic = (not assumed.empty) and bool((assumed["clave"] == "gasto.funcionamiento.monto_base").any())
    base = ("estimado con un supuesto genérico (el municipio no dio su gasto)" if generic
            else "del presupuesto del municipio, proyectado")
    lines = [("gasto_personal", base), ("gasto_bienes_servicios", base),
             ("costo_reformas", "costo de las reformas del escenario"),
             ("operacion_mantenimiento", "obras nuevas del plan de inversión")]
    lines = [(c, o) for c, o in lines if c in values.index and (c.startswith("gasto") or abs(values[c]) >= 0.5)]
    spending = whole_parts(values[c] for c, _ in lines)
    debt = debt_service_split(result, code).loc[year]
    loans = result.parameters[code].params.debt.existing
    rows = [{"concepto": c, "Concepto": catalog.label(c), "Origen": o, "monto": m, "grupo": "funcionamiento"}
            for (c, o), m in zip(lines, spending)]
    rows.append({"concepto": "gasto_funcionamiento", "Concepto": catalog.label("gasto_funcionamiento"), "Origen": "",
                 "monto": sum(spending), "grupo": "total_funcionamiento"})
    rows.append({"concepto": "deuda_existente", "Concepto": "Servicio de la deuda existente",
                 "Origen": (f"{len(loans)} préstamo{'s' if len(loans) != 1 else ''} vigente{'s' if len(loans) != 1 else ''}"
                            if loans else "ningún préstamo vigente registrado"),
                 "monto": int(debt["existente"]), "grupo": "deuda"})
    rows.append({"concepto": "deuda_nueva", "Concepto": "Servicio de préstamos nuevos",
                 "Origen": "préstamos del plan de inversión y del escenario", "monto": int(debt["plan"] + debt["escenario"]),
                 "grupo": "deuda"})
    rows.append({"concepto": "servicio_deuda", "Concepto": catalog.label("servicio_deuda"), "Origen": "",
                 "monto": int(debt["total"]), "grupo": "total_deuda"})
    rows.append({"concepto": "total", "Concepto": "Funcionamiento y deuda", "Origen": "",
                 "monto": sum(spending) + int(debt["total"]), "grupo": "total"})
    return pd.DataFrame(rows)


def operating_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """:func:`operating_budget` as the council reads it."""
    table = operating_budget(result, municipio)
    year = result.budget_year(_code(result, municipio))
    return pd.DataFrame({"Concepto": table["Concepto"], f"Presupuesto {year}": [amount(v) for v in table["monto"]],
                         "De dónde sale la cifra": table["Origen"]})


def operating_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """The operating budget in one sentence and its debt service in another, from its table."""
    code = _code(result, municipio)
    year = result.budget_year(code)
    table = operating_budget(result, code).set_index("concepto")["monto"]
    parts = [f"{catalog.label(c).lower()} {amount(table[c])}" for c in
             ("gasto_personal", "gasto_bienes_servicios", "costo_reformas", "operacion_mantenimiento") if c in table]
    out = [f"El funcionamiento de {year} costaría {amount(table['gasto_funcionamiento'])}: {', '.join(parts)}."]
    out.append(f"El servicio de la deuda de {year} sería {amount(table['servicio_deuda'])}: "
               f"{amount(table['deuda_existente'])} de la deuda existente y {amount(table['deuda_nueva'])} de préstamos "
               f"nuevos; con el funcionamiento suman {amount(table['total'])}.")
    return out


# --- (3) the POA and its funding ---------------------------------------------------------------

def poa_funding(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The POA as numbers: one row per project (``Proyecto``, ``Código SNIP``, ``Sector``), one
    column per funding source it uses (whole quetzales that foot to the project's ``total``),
    and a last row ``Total``."""
    plan = plan_of(result, municipio)
    if plan is None or plan.poa.empty:
        return pd.DataFrame()
    poa = plan.poa
    sources = [s for s in SOURCE_NAMES if s in poa.columns and poa[s].abs().sum() >= 0.5]
    rows = []
    for _, row in poa.iterrows():
        parts = whole_parts(row[s] for s in sources)
        rows.append({"Proyecto": row["proyecto"], "Código SNIP": str(row["codigo_snip"]) if row["codigo_snip"] else "",
                     "Sector": _name(SECTOR_LABELS, row["sector"]), **dict(zip(sources, parts)), "total": sum(parts)})
    table = pd.DataFrame(rows)
    total = {"Proyecto": "Total", "Código SNIP": "", "Sector": "", **{c: int(table[c].sum()) for c in [*sources, "total"]}}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def poa_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """:func:`poa_funding` as the council reads it (a source's column titled with its name)."""
    table = poa_funding(result, municipio)
    if table.empty:
        return table
    out = table[["Proyecto", "Código SNIP", "Sector"]].copy()
    out["Código SNIP"] = [c or ("pendiente" if p != "Total" else "") for c, p in zip(out["Código SNIP"], out["Proyecto"])]
    for source in [c for c in table.columns if c in SOURCE_NAMES]:
        out[SOURCE_NAMES[source]] = [amount(v) for v in table[source]]
    out["Total"] = [amount(v) for v in table["total"]]
    return out


def poa_ceiling_use(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Each of the plan's funding sources in the budget year, as numbers: its ceiling (the rows of
    :func:`ceilings` it books), what the POA programmes from it (the POA table's total row) and
    what is left."""
    code = _code(result, municipio)
    table = ceilings(result, code)
    booked = table.loc[table["grupo"].isin([FREE, EARMARKED, LOAN, CODEDE])]
    ceiling = booked.assign(plan=booked["fuente"].map(plan_source)).groupby("plan")["monto"].sum()
    poa = poa_funding(result, code)
    total = poa.iloc[-1] if not poa.empty else pd.Series(dtype=float)
    rows = [{"fuente": s, "Fuente": SOURCE_NAMES[s], "techo": int(ceiling.get(s, 0)), "poa": int(total.get(s, 0))}
            for s in SOURCE_NAMES if s in ceiling.index or s in total.index]
    out = pd.DataFrame(rows)
    out["saldo"] = out["techo"] - out["poa"]
    return out


def poa_ceiling_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """:func:`poa_ceiling_use` as the council reads it."""
    code = _code(result, municipio)
    year = result.budget_year(code)
    table = poa_ceiling_use(result, code)
    return pd.DataFrame({"Fuente del plan": table["Fuente"], f"Techo {year}": [amount(v) for v in table["techo"]],
                         f"POA {year}": [amount(v) for v in table["poa"]],
                         "Queda": [amount(v) for v in table["saldo"]]})


def poa_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """How many projects the POA funds, for how much and from which sources (its total row), and
    how much of the ceiling stays unprogrammed."""
    code = _code(result, municipio)
    year = result.budget_year(code)
    poa = poa_funding(result, code)
    if plan_of(result, code) is None:
        return [f"Esta corrida no programó el plan de inversión: no hay POA {year}."]
    if poa.empty:
        return [f"El POA {year} no ejecuta proyectos: ningún proyecto de la cartera empieza en {year}."]
    total = poa.iloc[-1]
    sources = [c for c in poa.columns if c in SOURCE_NAMES and total[c] > 0]
    parts = "; ".join(f"{SOURCE_NAMES[s]} {amount(total[s])}" for s in sources)
    n = len(poa) - 1
    out = [f"El POA {year} ejecuta {n} proyecto{'s' if n != 1 else ''} por {amount(total['total'])}: {parts}."]
    use = poa_ceiling_use(result, code)
    own = use.loc[~use["fuente"].isin(["codede", "prestamo_infom"])]
    out.append(f"Del espacio propio de {year} sin préstamos ({amount(own['techo'].sum())}), el POA usa "
               f"{amount(own['poa'].sum())} y quedan {amount(own['saldo'].sum())} sin programar.")
    if (poa.iloc[:-1]["Código SNIP"] == "").any():
        out.append("Los proyectos aún no tienen código SNIP: deben registrarse en el Sistema Nacional de Inversión "
                   "Pública antes de ejecutarse.")
    return out


# --- (4) the multi-year plan and its effect on the fiscal space ------------------------------------

def plan_overview_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """The multi-year plan in one sentence: projects funded and investment (the executive summary)."""
    plan = plan_of(result, municipio)
    if plan is None:
        return []
    optimum = plan.comparacion.iloc[0]
    years = anio_rango(plan.years[0], plan.years[-1])
    return [f"El plan multianual {years} financia {len(plan.cronograma)} de {len(plan.projects)} proyectos, con una "
            f"inversión de {amount(optimum['inversion'])}."]


def plan_effect_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """What the plan's O&M and loans leave of the free-use money after it (the fiscal-space
    table's numbers)."""
    code = _code(result, municipio)
    plan = plan_of(result, code)
    if plan is None:
        return []
    out: list[str] = []
    effect = plan.efecto.set_index("anio")
    cost = effect["operacion_mantenimiento"] + effect["servicio_deuda"]
    if cost.max() >= 0.5:
        top = int(cost.idxmax())
        space = fiscal_space_numbers(result, code)
        before = plan.years[-1]
        out.append(f"Sus obras y préstamos añaden gasto recurrente ({amount(cost[top])} en {top}: operación y "
                   f"mantenimiento {amount(effect.at[top, 'operacion_mantenimiento'])}, servicio de la deuda nueva "
                   f"{amount(effect.at[top, 'servicio_deuda'])}), que se paga antes de invertir: el dinero de libre "
                   f"uso pasa de {amount(space.at[before, 'libre'])} en {before} a "
                   f"{amount(space.at[top, 'libre'])} en {top}." if top > before else
                   f"Sus obras y préstamos añaden gasto recurrente ({amount(cost[top])} en {top}), que se paga antes "
                   f"de invertir.")
    return out


# --- (5) existing debt ---------------------------------------------------------------------------

def existing_debt_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The loans in force (the municipality's file): amount, rate, term, first year, service in
    the budget year."""
    code = _code(result, municipio)
    year = result.budget_year(code)
    loans = result.parameters[code].params.debt.existing
    return pd.DataFrame([{"Préstamo": f"Préstamo {i}", "Año del desembolso": str(loan.start_year),
                          "Monto": amount(loan.amount, observed=True), "Tasa anual": porcentaje(loan.rate, 2),
                          "Plazo (años)": numero(loan.term),
                          f"Servicio {year}": amount(_loan_service([loan], [year])[year])}
                         for i, loan in enumerate(loans, start=1)])


def debt_split_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Debt service year by year from the budget year: existing, new (plan and scenario), total
    (empty when there is none: the sentences say so)."""
    split = debt_service_split(result, municipio)
    if not split["total"].any():
        return pd.DataFrame()
    return pd.DataFrame({"Año": [str(y) for y in split.index],
                         "Deuda existente": [amount(v) for v in split["existente"]],
                         "Préstamos nuevos del plan": [amount(v) for v in split["plan"]],
                         "Préstamo nuevo del escenario": [amount(v) for v in split["escenario"]],
                         "Servicio de la deuda": [amount(v) for v in split["total"]]})


def debt_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Whether the municipality has loans in force and what they and the new ones cost."""
    code = _code(result, municipio)
    first, end = _plan_span(result, code)
    split = debt_service_split(result, code)
    loans = result.parameters[code].params.debt.existing
    name = _place(code)["nombre"]
    if not loans:
        out = [f"Los parámetros de {name} no registran préstamos vigentes, así que la deuda existente es cero. Si la "
               f"municipalidad tiene deuda con el INFOM u otro acreedor, regístrela en el archivo del municipio "
               f"(ver el anexo): reduce el espacio fiscal y la capacidad de endeudamiento."]
    else:
        out = [f"{name} tiene {len(loans)} préstamo{'s' if len(loans) != 1 else ''} vigente"
               f"{'s' if len(loans) != 1 else ''}: su servicio sería {amount(split.at[first, 'existente'])} en {first} "
               f"y {amount(split['existente'].sum())} en {anio_rango(first, end)}."]
    new = split["plan"] + split["escenario"]
    if new.sum() > 0:
        out.append(f"Los préstamos nuevos costarían {amount(new.sum())} de servicio en {anio_rango(first, end)}.")
    else:
        out.append(f"El plan no toma préstamos nuevos: no añade servicio de deuda en {anio_rango(first, end)}.")
    return out


# --- (6) the p10-p90 range ------------------------------------------------------------------------

def headline_range(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The headline figures in the budget year and the plan's last year: the central projection
    and the Monte Carlo p10, median and p90 (empty without simulations)."""
    code = _code(result, municipio)
    table = _rows(getattr(result, "percentiles", None), code)
    if table.empty:
        return pd.DataFrame()
    plan = plan_of(result, code)
    first = result.budget_year(code)
    last = plan.years[-1] if plan is not None else _plan_span(result, code)[1]
    central = _projected(result, code)
    rows = []
    for concept in RANGE_CONCEPTS:
        for year in dict.fromkeys((first, last)):
            pct = table.loc[(table["concepto"] == concept) & (table["anio"] == year)]
            if pct.empty:
                continue
            rows.append({"concepto": concept, "anio": year, "central": float(central.at[year, concept]),
                         **{k: float(pct[k].iloc[0]) for k in ("p10", "p50", "p90")}})
    return pd.DataFrame(rows)


def range_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """:func:`headline_range` in millions of quetzales (the unit is in each cell)."""
    table = headline_range(result, municipio)
    if table.empty:
        return table
    return pd.DataFrame({"Cifra": [catalog.label(c) for c in table["concepto"]], "Año": table["anio"].astype(str),
                         "Proyección central": [millones(v, 1) for v in table["central"]],
                         "p10": [millones(v, 1) for v in table["p10"]],
                         "p90": [millones(v, 1) for v in table["p90"]]})


#: The trend-error parameters ``nexos backtest`` calibrated: the range's measured coverage
#: (8 in 10 municipalities in the observed years) holds only with their default values.
CALIBRATED_ERROR = ("incertidumbre.error_tendencia", "incertidumbre.error_tendencia_referencia",
                    "incertidumbre.error_tendencia_elasticidad", "incertidumbre.error_crecimiento")


def range_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """What the range means, with the number of draws and the seed, and the budget year's own
    space range from the same table."""
    code = _code(result, municipio)
    table = headline_range(result, code)
    draws = getattr(result, "simulations", 0)
    if table.empty:
        return ["Este informe se generó sin simulaciones: no da el rango de las cifras."]
    year = result.budget_year(code)
    space = table.loc[(table["concepto"] == "espacio_fiscal") & (table["anio"] == year)].iloc[0]
    out = [f"Rango de {numero(draws)} simulaciones (Monte Carlo, semilla {result.seed}) de los supuestos inciertos "
           f"(inflación, crecimiento de las transferencias, salarios, tasa del préstamo, tendencia de los ingresos): "
           f"en 8 de cada 10 simulaciones la cifra queda entre su p10 y su p90."]
    out.append(f"El espacio fiscal propio de {year} estaría entre {millones(space['p10'], 1)} y "
               f"{millones(space['p90'], 1)} (proyección central {millones(space['central'], 1)}).")
    last = _years(result, code)[1]
    years_without = (f"Los ingresos propios tienen datos hasta {last}: el rango de {year} suma {year - last} año"
                     f"{'s' if year - last != 1 else ''} de error de su tendencia")
    if any(result.parameters[code].departs_from_defaults(key) for key in CALIBRATED_ERROR):
        out.append(f"{years_without}, con el error que fijan los supuestos de este informe y no el medido en los años "
                   f"ya observados: la banda p10-p90 no tiene la cobertura comprobada con ese error calibrado.")
    else:
        out.append(f"{years_without}, un error anual medido en los años ya observados (en ellos la banda p10-p90 "
                   f"contuvo el valor real de 8 de cada 10 municipios) y menor en los municipios de más ingresos.")
    wide = table.loc[(table["p90"] - table["p10"]) > 0.5 * table["central"].abs()]
    if len(wide):
        out.append("Un rango más ancho que la mitad de la proyección central dice que la cifra depende mucho de "
                   "supuestos inciertos, sobre todo de los años sin datos: planifique con la proyección central, "
                   "prevea qué obras posponer si la cifra se acerca a su p10 y cargue datos recientes para "
                   "acotarla.")
    return out
