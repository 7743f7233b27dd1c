"""The live views: each a small function of the model's result that returns HTML (or None).

A view takes a :class:`ViewContext` (the current ``RunResult``, the ``base`` reference for
the same municipality) and returns an HTML fragment, or ``None`` when the result does not carry
what it needs, so the app hides it. Parts of ``RunResult`` that the model may or may not
provide (``gaps``, ``fiscal_space``, ``rules``, ``plans``, ``percentiles``, ``probabilities``) are
read only through :func:`optional`: adding a view is one function and one entry in
:data:`SCENARIO_VIEWS`.

Every card and table is about **the budget year being prepared** (``RunResult.budget_year``,
``calendario.anio_presupuesto``) and the plan's years that start in it (the POM; its first
year's POA): the charts show every year, observed, estimated and projected, each shaded and
labelled as such. Text is Spanish; cards give millions with two decimals (``Q 31.84
millones``), tables whole quetzales (``Q 1,234,568``: :func:`table_html` rounds every amount
it shows); labels come from the concept catalog (``catalog.label``) and the report's summaries
(``report.summary``), so the app and the council report name things the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from html import escape
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd

from nexos_model import catalog
from nexos_model.app.charts import bar_chart, line_chart
from nexos_model.app.feedback import advisor_words
from nexos_model.diagnostics.indicators import compare_with_peers, indicators
from nexos_model.io.bundled import load_municipalities
from nexos_model.report import summary
from nexos_model.wording import anio_rango, millones, numero, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult
    from nexos_model.investment.plan import InvestmentPlan

#: RunResult attributes the app shows when the model provides them (read through :func:`optional`).
OPTIONAL_PARTS = ("gaps", "fiscal_space", "rules", "plans", "percentiles", "probabilities")
#: Concepts drawn as fan charts when the run has simulations.
FAN_CONCEPTS = ("ingresos_propios", "espacio_fiscal")
HEADLINE_CONCEPTS = ("ingresos_propios", "transferencias", "ingresos_totales")
#: An amount written with centavos (``Q 1,234.56``, ``-Q 3.10``): tables show it in whole quetzales.
_AMOUNT = re.compile(r"-?Q [\d,]+\.\d+")
#: The observed years' bars (a total, before the model splits it by stream): grey, like data.
OBSERVED_TONE = "#7f7f7f"
#: A cell that reads as a number (aligned right); other cells are text (aligned left, wrapping).
_NUMERIC = re.compile(r"^(-?Q [\d,]+(\.\d+)?|-?[\d,]+(\.\d+)?( %)?|—|✔|✘)$")
#: The plan's methods as the advisor reads them.
METHOD_NAMES = {"óptimo (MILP)": "Programa óptimo", "orden de puntaje": "En orden de puntaje"}


def optional(result: Any, name: str) -> Any:
    """``result.<name>`` when the model provides it (not None, not an empty table or mapping), else None."""
    if name not in OPTIONAL_PARTS:
        raise KeyError(f"{name} is not an optional part of RunResult (see OPTIONAL_PARTS)")
    value = getattr(result, name, None)
    if value is None or (isinstance(value, (pd.DataFrame, dict)) and len(value) == 0):
        return None
    return value


@dataclass
class ViewContext:
    """What every view may read: the current result, its base reference, the municipality."""

    result: "RunResult"
    base: "RunResult | None"
    municipio: str
    wide_of: Callable[["RunResult"], pd.DataFrame] | None = None  # a cache of RunResult.wide, if any
    plan_of: Callable[["RunResult"], "InvestmentPlan"] | None = None  # a cache of the run's plan, if any
    base_label: str = "el escenario base"

    def _wide(self, result: "RunResult") -> pd.DataFrame:
        return self.wide_of(result) if self.wide_of else result.wide(self.municipio)

    @cached_property
    def wide(self) -> pd.DataFrame:
        """Observed and projected values, years × concepts."""
        return self._wide(self.result)

    @cached_property
    def base_wide(self) -> pd.DataFrame | None:
        """The base reference's wide table (None without a reference)."""
        return None if self.base is None else self._wide(self.base)

    @cached_property
    def years(self) -> tuple[int, int, int]:
        """(first observed, last observed, last projected) year."""
        observed = self.result.annual.loc[self.result.annual["municipio"] == self.municipio, "anio"]
        projected = self.result.projection.loc[self.result.projection["municipio"] == self.municipio, "anio"]
        return int(observed.min()), int(observed.max()), int(projected.max())

    @cached_property
    def budget(self) -> int:
        """The budget year being prepared: every card and table is about it."""
        budget_year = getattr(self.result, "budget_year", None)
        if callable(budget_year):
            return int(budget_year(self.municipio))
        return self.years[1] + 1

    @cached_property
    def plan_years(self) -> list[int]:
        """The investment plan's years (POM): from the budget year, ``calendario.anios_plan`` of them
        (within the projection)."""
        n = self.result.parameters[self.municipio].params.calendar.plan_years
        return [y for y in range(self.budget, self.budget + n) if y <= self.years[2]]

    @property
    def plan(self) -> Any:
        """This municipality's investment plan: the one the run programmed (``planificar``), else the
        plan on its fiscal space (``plan_of``), else None."""
        plans = optional(self.result, "plans")
        made = plans.get(self.municipio) if plans else None
        if made is None and self.plan_of is not None:
            made = self.plan_of(self.result)
        return made

    def rows(self, table: pd.DataFrame) -> pd.DataFrame:
        """The rows of a per-municipality table that belong to this municipality."""
        if "municipio" in table.columns and self.result.municipios != [self.municipio]:
            return table.loc[table["municipio"] == self.municipio]
        return table


# --- helpers ----------------------------------------------------------------------------------

def whole(text: str) -> str:
    """Every amount with centavos in ``text`` in whole quetzales (tables of projections)."""
    return _AMOUNT.sub(lambda m: quetzales(round(float(m.group(0).replace("Q ", "").replace(",", ""))), 0), text)


def table_html(table: pd.DataFrame | list[dict[str, Any]], css: str = "nexos-tabla",
               row_classes: list[str] | None = None, highlight: str | None = None) -> str:
    """A table of text cells as HTML (a DataFrame without its index, or rows as dicts), amounts
    in whole quetzales; ``row_classes`` marks rows, ``highlight`` a column (the budget year's)."""
    if isinstance(table, pd.DataFrame):
        columns, rows = [str(c) for c in table.columns], list(table.itertuples(index=False))
    else:
        columns = list(table[0]) if table else []
        rows = [tuple(r.values()) for r in table]
    marked = [" class='nexos-anio-presupuesto'" if c == highlight else "" for c in columns]
    head = "".join(f"<th{m}>{escape(c)}</th>" for c, m in zip(columns, marked))
    body = []
    for i, row in enumerate(rows):
        row_mark = f" class='{row_classes[i]}'" if row_classes else ""
        cells = []
        for j, (v, m) in enumerate(zip(row, marked)):
            text = whole(advisor_words(str(v)))
            mark = m or ("" if j == 0 or _NUMERIC.match(text) else " class='nexos-texto'")
            cells.append(f"<td{mark}>{escape(text).replace('Q ', 'Q&nbsp;').replace(' %', '&nbsp;%')}</td>")
        body.append(f"<tr{row_mark}>" + "".join(cells) + "</tr>")
    return f"<table class='{css}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def section(title: str, body: str, note: str = "") -> str:
    foot = f"<p class='nexos-nota'>{escape(note)}</p>" if note else ""
    return f"<section class='nexos-vista'><h3>{escape(title)}</h3>{body}{foot}</section>"


def _against(label: str) -> str:
    """``frente a`` + a label, contracted as Spanish does (``frente al escenario base``)."""
    return f"frente al {label[3:]}" if label.startswith("el ") else f"frente a {label}"


def _change(now: float, ref: float | None, against: str) -> str:
    if ref is None or not pd.notna(ref) or ref == 0:
        return ""
    diff = now - ref
    if abs(diff) < 0.005:
        return f"igual que en {against}"
    sign = "+" if diff > 0 else ""
    amount = millones(diff, 2) if abs(diff) >= 1e6 else quetzales(diff, 0)  # never «+Q 0.00 millones»
    return f"{sign}{amount} ({sign}{porcentaje(diff / abs(ref))}) {_against(against)}"


def budget_header(year: int, budget: int) -> str:
    """A year as a column header: the budget year says so."""
    return f"{year} (presupuesto)" if year == budget else str(year)


# --- headline cards ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Card:
    """One headline number: ``concepto`` names its CSS class ``nexos-resultado-<concepto>``."""

    concepto: str
    titulo: str
    valor: str
    detalle: str = ""

    def html(self) -> str:
        detail = f"<div class='nexos-detalle'>{escape(self.detalle)}</div>" if self.detalle else ""
        return (f"<div class='nexos-tarjeta'><div class='nexos-titulo'>{escape(self.titulo)}</div>"
                f"<div class='nexos-valor'>{escape(self.valor)}</div>{detail}</div>")


def card_amount(value: float) -> str:
    """A card's amount: millions of quetzales with two decimals (``Q 31.84 millones``)."""
    return millones(value, 2)


def _spread(ctx: ViewContext, year: int) -> dict[str, str]:
    """``p10-p90: Q a - Q b millones`` by concept for ``year`` when the run has simulations."""
    percentiles = optional(ctx.result, "percentiles")
    if percentiles is None or not {"p10", "p90"} <= set(percentiles.columns):
        return {}
    rows = ctx.rows(percentiles)
    rows = rows.loc[rows["anio"] == year]
    return {c: f"p10-p90: {millones(a, 2)} a {millones(b, 2)}"
            for c, a, b in zip(rows["concepto"].tolist(), rows["p10"].tolist(), rows["p90"].tolist())}


def headline_cards(ctx: ViewContext) -> list[Card]:
    """The budget year's own revenue, transfers, total revenue, autonomy and fiscal space (with the
    plan's years), each beside the base reference and the last observed year."""
    _, last, _ = ctx.years
    year = ctx.budget
    wide, base = ctx.wide, ctx.base_wide
    cards = []
    spread = _spread(ctx, year)
    for concept in HEADLINE_CONCEPTS:
        value = float(wide.at[year, concept])
        ref = float(base.at[year, concept]) if base is not None and year in base.index else None
        observed = f"observado {last}: {card_amount(float(wide.at[last, concept]))}"
        detail = "; ".join(x for x in (_change(value, ref, ctx.base_label), observed, spread.get(concept, "")) if x)
        cards.append(Card(concept, f"{catalog.label(concept)} {year}", card_amount(value), detail))
    total = float(wide.at[year, "ingresos_totales"])
    autonomy = float(wide.at[year, "ingresos_propios"]) / total if total > 0 else float("nan")
    then = float(wide.at[last, "ingresos_propios"]) / float(wide.at[last, "ingresos_totales"] or float("nan"))
    cards.append(Card("autonomia", f"Autonomía financiera {year}", porcentaje(autonomy),
                      f"{porcentaje(then)} en {last}, observado (ingresos propios / ingresos totales)"))
    space = optional(ctx.result, "fiscal_space")
    if space is not None:
        rows = ctx.rows(space)
        by_year = rows.groupby("anio")["monto"].sum()
        plan = [y for y in ctx.plan_years if y in by_year.index]
        pom = (f"plan {anio_rango(plan[0], plan[-1])}: {card_amount(float(by_year.loc[plan].sum()))}"
               if len(plan) > 1 else "")
        cards.append(Card("espacio_fiscal", f"Espacio fiscal para inversión {year}",
                          card_amount(float(by_year.get(year, 0.0))),
                          "; ".join(x for x in (pom, "suma de todas las fuentes") if x)))
    return cards


# --- views ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _own_concepts() -> tuple[str, ...]:
    return tuple(catalog.children("ingresos_propios"))


def _growth(a: float, b: float, years: int) -> float:
    return (b / a) ** (1 / years) - 1 if a > 0 and b >= 0 and years > 0 else float("nan")


def _year_columns(ctx: ViewContext) -> list[int]:
    """The years a table shows: the last observed, the budget year, the plan's last, the projection's last."""
    _, last, end = ctx.years
    plan_end = ctx.plan_years[-1] if ctx.plan_years else ctx.budget
    return list(dict.fromkeys(y for y in (ctx.budget, plan_end, end)))


def own_revenue_view(ctx: ViewContext) -> str:
    """Own-source revenue by stream (IUSI, agua, ornato...: estimated and projected years) or, for a
    result without streams, by MINFIN concept; the table gives the budget year, the plan's last
    year and the projection's last, with the yearly growth."""
    _, last, end = ctx.years
    year = ctx.budget
    columns = _year_columns(ctx)
    projection = ctx.rows(ctx.result.projection)
    projected = projection.pivot(index="anio", columns="concepto", values="valor")
    streams = summary.stream_names(projected)
    if streams:
        # the observed years as their total (streams are the model's split), then each stream
        observed = ctx.wide.loc[ctx.wide.index <= last, "ingresos_propios"]
        years = [int(y) for y in observed.index] + [int(y) for y in projected.index]
        pad = [0.0] * len(observed)
        parts = [(f"Observado (total, {int(observed.index.min())}-{last})", observed.tolist() + [0.0] * len(projected))]
        parts += [(catalog.label(c), pad + projected[c].tolist()) for c in streams]
        chart = bar_chart(years, parts, "Ingresos propios: observados (total) y por flujo", divider=last, budget=year,
                          first_tone=OBSERVED_TONE)
        values, concepts, title = projected, [*streams], "Ingresos propios por flujo"
        total = "ingresos_propios" if "ingresos_propios" in projected.columns else None
    else:
        wide = ctx.wide
        totals = wide.abs().sum()
        concepts = [c for c in _own_concepts() if c in wide.columns and totals[c] > 0]
        chart = bar_chart(list(wide.index), [(catalog.label(c), wide[c].tolist()) for c in concepts],
                          "Ingresos propios por concepto", divider=last, budget=year)
        values, title, total = wide, "Ingresos propios por concepto", "ingresos_propios"
    rows = []
    for concept in [*concepts, *([total] if total else [])]:
        row = {"Concepto": catalog.label(concept)}
        for y in columns:
            row[budget_header(y, year)] = quetzales(float(values.at[y, concept]))
        row[f"Crecimiento anual {year}-{end}"] = porcentaje(_growth(float(values.at[year, concept]),
                                                                   float(values.at[end, concept]), end - year))
        rows.append(row)
    return section(title, chart + table_html(rows, highlight=budget_header(year, year)))


def gaps_view(ctx: ViewContext) -> str | None:
    """Potential and gap of the streams with a driver model (``RunResult.gaps``), in the budget year."""
    gaps = optional(ctx.result, "gaps")
    if gaps is None:
        return None
    rows = ctx.rows(gaps)
    years = rows["anio"].tolist()
    year = ctx.budget if ctx.budget in years else int(max(years))
    values: dict[str, dict[str, float]] = {}
    for y, stream, part, value in zip(years, rows["flujo"].tolist(), rows["componente"].tolist(),
                                      rows["valor"].tolist()):
        if y == year:
            values.setdefault(stream, {})[part] = value
    parts = [c for c in summary.GAP_LABELS if any(c in v for v in values.values())]
    shown = [{"Flujo": catalog.label(f), **{summary.GAP_LABELS[c]: quetzales(v.get(c)) for c in parts}}
             for f, v in values.items()]
    return section(f"Potencial y brecha de recaudación ({year})", table_html(shown),
                   "Potencial: cobertura total, avalúo actualizado, tasa legal y pago completo. La brecha se "
                   "descompone en cobertura, valuación, tasa y cumplimiento (más su interacción).")


def indicators_view(ctx: ViewContext) -> str:
    """Indicators of the last observed year and of the budget year beside the peer medians.

    Computed like ``RunResult.indicators`` but on the four years it needs (each year and the
    one before, for growth), from the already computed wide table: the view stays fast.
    """
    _, last, _ = ctx.years
    year = ctx.budget
    years = [y for y in dict.fromkeys((last - 1, last, year - 1, year)) if y in ctx.wide.index]
    values = ctx.wide.loc[years].rename_axis(index="anio").stack().rename("valor").reset_index()
    values.insert(0, "municipio", ctx.municipio)
    places = load_municipalities().set_index("municipio")
    table = compare_with_peers(indicators(values, places["poblacion"]), ctx.result.peers, ctx.municipio,
                               places.at[ctx.municipio, "departamento_codigo"])
    now = table.loc[table["anio"] == last].set_index("indicador")
    later = table.loc[table["anio"] == year].set_index("indicador")["valor"]

    def show(indicator: str, value: float) -> str:
        return quetzales(value) if indicator.endswith("per_capita") else porcentaje(value)

    rows = [{
        "Indicador": row.etiqueta,
        f"{last} (observado)": show(ind, row.valor),
        budget_header(year, year): show(ind, later.get(ind)),
        f"Mediana del departamento ({last})": show(ind, row.mediana_departamento),
        f"Mediana nacional ({last})": show(ind, row.mediana_nacional),
    } for ind, row in now.iterrows()]
    return section("Indicadores", table_html(rows, highlight=budget_header(year, year)))


def comparison_view(ctx: ViewContext) -> str | None:
    """The current settings against the base reference: line chart and the budget year's table."""
    if ctx.base is None:
        return None
    _, last, _ = ctx.years
    year = ctx.budget
    base = ctx.base_wide
    years = list(ctx.wide.index)
    chart = line_chart(years, [("Referencia: " + ctx.base_label, base["ingresos_propios"].reindex(years).tolist()),
                               ("En pantalla", ctx.wide["ingresos_propios"].tolist())],
                       f"{catalog.label('ingresos_propios')}: en pantalla {_against(ctx.base_label)}",
                       divider=last, dashed=(0,), budget=year)
    rows = []
    for concept in HEADLINE_CONCEPTS:
        now, ref = float(ctx.wide.at[year, concept]), float(base.at[year, concept])
        rows.append({"Concepto": catalog.label(concept), f"Referencia {year}": quetzales(ref),
                     f"En pantalla {year}": quetzales(now), "Diferencia": quetzales(now - ref),
                     "Diferencia (%)": porcentaje((now - ref) / ref if ref else float("nan"))})
    return section(f"Comparación con {ctx.base_label}", chart + table_html(rows))


def fiscal_space_view(ctx: ViewContext) -> str | None:
    """Fiscal space for investment by funding source: every year on the chart, the plan's years
    (from the budget year) in the table."""
    space = optional(ctx.result, "fiscal_space")
    if space is None:
        return None
    rows = ctx.rows(space)
    chart = fiscal_space_html(rows, table=False, divider=ctx.years[1], budget=ctx.budget)
    plan = ctx.plan_years or [ctx.budget]
    table = fiscal_space_html(rows.loc[rows["anio"].isin(plan)], table=True, chart=False, budget=ctx.budget)
    return section("Espacio fiscal para inversión por fuente", chart + f"<h4>Años del plan {anio_rango(plan[0], plan[-1])}</h4>"
                   + table)


def fiscal_space_html(space: pd.DataFrame, title: str = "Espacio fiscal para inversión por fuente",
                      table: bool = True, divider: int | None = None, budget: int | None = None,
                      chart: bool = True) -> str:
    """Chart and/or table (years × sources, with the total) of a long ``anio, fuente, monto`` table
    (one municipality); ``divider`` (last observed year) and ``budget`` shade the estimated and
    projected years."""
    cells: dict[tuple[int, str], float] = {}
    for year, source, amount in zip(space["anio"].tolist(), space["fuente"].tolist(), space["monto"].tolist()):
        cells[(int(year), source)] = cells.get((int(year), source), 0.0) + float(amount)
    years = sorted({y for y, _ in cells})
    present = {f for _, f in cells}
    order = [f for f in summary.SOURCE_NAMES if f in present] + sorted(present - set(summary.SOURCE_NAMES))
    columns = {f: [cells.get((y, f), 0.0) for y in years] for f in order}
    out = ""
    if chart:
        out += bar_chart(years, [(summary.SOURCE_NAMES.get(f, f), columns[f]) for f in order], title,
                         divider=divider, budget=budget)
    if table:
        rows = [{"Año": budget_header(y, budget) if budget else str(y),
                 **{summary.SOURCE_NAMES.get(f, f): quetzales(columns[f][i]) for f in order},
                 "Total": quetzales(sum(columns[f][i] for f in order))} for i, y in enumerate(years)]
        if len(years) > 1:
            rows.append({"Año": "Total", **{summary.SOURCE_NAMES.get(f, f): quetzales(sum(columns[f])) for f in order},
                         "Total": quetzales(sum(sum(columns[f]) for f in order))})
        out += table_html(rows)
    return out


def rules_view(ctx: ViewContext) -> str | None:
    """Legal-rule status by year (``RunResult.rules``): green when met, red when broken, with the article."""
    rules = optional(ctx.result, "rules")
    if rules is None:
        return None
    table = ctx.rows(rules)
    if not {"regla", "anio", "cumple"} <= set(table.columns):
        return section("Reglas legales", table_html(_money_text(table)))
    years = sorted({int(y) for y in table["anio"].tolist()})
    budget = ctx.budget

    def header(y: int) -> str:
        if y < budget:
            return f"<th title='estimado: año sin datos cargados'>{y} (est.)</th>"
        if y == budget:
            return f"<th class='nexos-anio-presupuesto' title='el presupuesto que se prepara'>{y}</th>"
        return f"<th>{y}</th>"

    head = "<th>Regla</th><th>Fuente legal</th>" + "".join(header(y) for y in years)
    columns = {c: table[c].tolist() if c in table.columns else [""] * len(table)
               for c in ("regla", "anio", "cumple", "etiqueta", "articulo", "mensaje")}
    by_rule: dict[str, dict] = {}
    for rule, year, ok, label, article, message in zip(*columns.values()):
        entry = by_rule.setdefault(rule, {"label": label or rule, "article": article, "years": {}})
        entry["years"][int(year)] = (bool(ok), message)
    body = []
    for rule, entry in by_rule.items():
        cells = []
        for y in years:
            if y not in entry["years"]:
                cells.append("<td></td>")
                continue
            ok, message = entry["years"][y]
            cells.append(f"<td class='{'nexos-cumple' if ok else 'nexos-incumple'}' title='{escape(str(message))}'>"
                         f"{'✔' if ok else '✘'}</td>")
        status = "nexos-cumple" if all(ok for ok, _ in entry["years"].values()) else "nexos-incumple"
        body.append(f"<tr class='{status} nexos-regla-{escape(str(rule))}'><td>{escape(str(entry['label']))}</td>"
                    f"<td>{escape(str(entry['article']))}</td>{''.join(cells)}</tr>")
    html = (f"<table class='nexos-tabla nexos-reglas'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")
    broken = [str(m) for ok, m in zip(columns["cumple"], columns["mensaje"]) if not bool(ok)]
    if not broken:
        note = f"Todas las reglas se cumplen en {years[0]}-{years[-1]}."
    else:
        html += "<ul>" + "".join(f"<li class='nexos-incumple'>{escape(whole(m))}</li>" for m in broken[:12]) + "</ul>"
        note = f"{len(broken)} incumplimientos (regla y año)."
    return section("Reglas legales", html, note)


def plan_view(ctx: ViewContext) -> str | None:
    """The investment plan of the budget year on: the POA of the budget year and the POM's schedule,
    what is left out and why (the report's tables: the same plan, ``plan_for_run``)."""
    plan = ctx.plan
    if plan is None:
        return None
    return section(f"Plan de inversión {anio_rango(plan.years[0], plan.years[-1])} y POA {plan.years[0]}",
                   poa_html(plan))


def poa_html(plan: "InvestmentPlan") -> str:
    """The POA of the plan's first year (the budget year) first, then the POM's schedule and the
    projects left out, as the council report words them."""
    notes = [*summary.plan_sentences(plan), *summary.plan_warnings(plan)]
    out = (f"<h4 class='nexos-poa'>{escape(summary.plan_poa_title(plan))}</h4>"
           + (table_html(summary.plan_poa_table(plan)) if len(plan.poa)
              else "<p class='nexos-nota'>El primer año del plan no ejecuta proyectos.</p>")
           + f"<h4>Plan multianual (POM) {anio_rango(plan.years[0], plan.years[-1])}</h4>"
           + table_html(summary.plan_schedule_table(plan)))
    if len(plan.no_financiados):
        out += "<h4>Proyectos sin financiamiento</h4>" + table_html(summary.plan_unfunded_table(plan))
    out += "<ul class='nexos-nota'>" + "".join(f"<li>{escape(whole(advisor_words(n)))}</li>" for n in notes) + "</ul>"
    return out


def fan_view(ctx: ViewContext) -> str | None:
    """Fan charts (median and p10-p90 band) when the run has simulations (``RunResult.percentiles``)."""
    percentiles = optional(ctx.result, "percentiles")
    if percentiles is None:
        return None
    rows = ctx.rows(percentiles)
    _, last, _ = ctx.years
    charts = []
    for concept in FAN_CONCEPTS:
        label = catalog.label(concept)
        own = rows.loc[rows["concepto"] == concept].sort_values("anio")
        if own.empty or not {"p10", "p50", "p90"} <= set(own.columns):
            continue
        years = [int(y) for y in own["anio"]]
        median, low, high = own["p50"].tolist(), own["p10"].tolist(), own["p90"].tolist()
        series = [("Mediana (p50)", median)]
        divider = None
        if concept in ctx.wide.columns:  # observed years first; the median starts at the last one
            observed = ctx.wide.loc[ctx.wide.index <= last, concept]
            pad = [float("nan")] * len(observed)
            series = [("Mediana (p50)", pad[:-1] + [float(observed.iloc[-1])] + median),
                      ("Observado", observed.tolist() + [float("nan")] * len(years))]
            years = [int(y) for y in observed.index] + years
            low, high, divider = pad + low, pad + high, last
        charts.append(line_chart(years, series, f"{label}: mediana y banda p10-p90", divider=divider,
                                 band=("Entre p10 y p90", low, high), budget=ctx.budget))
    if not charts:
        return None
    n = getattr(ctx.result, "simulations", 0) or ""
    return section("Incertidumbre (abanico)", "".join(charts),
                   f"La banda contiene el 80 % de las {n} simulaciones de cada año.".replace("  ", " "))


def risk_view(ctx: ViewContext) -> str | None:
    """Probability of each adverse event by year (``RunResult.probabilities``), coloured by size."""
    probabilities = optional(ctx.result, "probabilities")
    if probabilities is None:
        return None
    rows = ctx.rows(probabilities)
    labels: dict[str, str] = {}
    rules = optional(ctx.result, "rules")
    if rules is not None and {"regla", "etiqueta"} <= set(rules.columns):
        labels.update(zip(rules["regla"].tolist(), rules["etiqueta"].tolist()))
    years = sorted({int(y) for y in rows["anio"].tolist()})
    by_event: dict[str, dict[int, float]] = {}
    for event, year, p in zip(rows["evento"].tolist(), rows["anio"].tolist(), rows["probabilidad"].tolist()):
        by_event.setdefault(event, {})[int(year)] = float(p)
    head = "<th>Evento</th>" + "".join(
        f"<th class='nexos-anio-presupuesto'>{y}</th>" if y == ctx.budget else f"<th>{y}</th>" for y in years)
    body = []
    for event, values in by_event.items():
        cells = []
        for y in years:
            p = values.get(y)
            mark = "" if p is None else ("nexos-incumple" if p >= 0.5 else "nexos-riesgo" if p >= 0.1 else "nexos-cumple")
            cells.append(f"<td class='{mark}'>{porcentaje(p, 0) if p is not None else ''}</td>")
        body.append(f"<tr><td>{escape(str(labels.get(event) or catalog.label(event)))}</td>{''.join(cells)}</tr>")
    html = (f"<table class='nexos-tabla nexos-reglas'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")
    return section("Probabilidad de incumplir o de tener déficit", html,
                   "Parte de las simulaciones en que ocurre cada evento; rojo desde 50 %, ámbar desde 10 %.")


def plan_html(plan: Any) -> str:
    """An ``investment.InvestmentPlan`` in Spanish (the Cartera tab): the optimal programme beside
    the ranked fill, schedule, funding by source, what is left out."""
    compared = plan.comparacion
    head = pd.DataFrame({
        "Método": [METHOD_NAMES.get(m, m) for m in compared["metodo"].astype(str)],
        "Proyectos": compared["proyectos"].astype(str),
        "Puntaje total": [numero(v, 3) for v in compared["puntaje_total"]],
        "Inversión programada": [quetzales(v) for v in compared["inversion"]],
    })
    gain = float(compared["ganancia_sobre_orden_pct"].iloc[0])
    funding = plan.financiamiento
    chart = bar_chart(plan.years, [
        (summary.SOURCE_NAMES.get(k, k), funding.loc[funding["fuente"] == k].set_index("anio")["inversion"]
         .reindex(plan.years, fill_value=0.0).tolist())
        for k in dict.fromkeys(funding["fuente"])], "Inversión del plan por fuente de financiamiento")
    by_source = funding.groupby("fuente", sort=False)[["espacio", "inversion", "operacion", "saldo"]].sum()
    money = pd.DataFrame({
        "Fuente": [summary.SOURCE_NAMES.get(k, k) for k in by_source.index],
        "Espacio": [quetzales(v) for v in by_source["espacio"]],
        "Inversión": [quetzales(v) for v in by_source["inversion"]],
        "Operación": [quetzales(v) for v in by_source["operacion"]],
        "Saldo": [quetzales(v) for v in by_source["saldo"]],
    })
    origin = advisor_words(summary.plan_sentences(plan)[0].removeprefix("Cartera: ").removesuffix("."))
    out = (f"<p class='nexos-nota'>Cartera: {escape(origin)} · plan {plan.years[0]}-{plan.years[-1]}</p>"
           + table_html(head)
           + f"<p class='nexos-nota'>Ganancia del programa óptimo sobre el orden de puntaje: "
             f"{porcentaje(gain / 100)}.</p>"
           + "<h4>Cronograma</h4>" + table_html(summary.plan_schedule_table(plan)) + chart
           + f"<h4>Uso del espacio fiscal {plan.years[0]}-{plan.years[-1]}</h4>" + table_html(money))
    if len(plan.no_financiados):
        out += "<h4>Proyectos sin financiamiento</h4>" + table_html(summary.plan_unfunded_table(plan))
    goals = plan.resultados_metas
    if not goals.empty:
        out += "<h4>Resultados estratégicos</h4>" + table_html(_money_text(goals))
    if plan.avisos:
        out += "<ul class='nexos-nota'>" + "".join(f"<li>{escape(a)}</li>" for a in summary.plan_warnings(plan)) + "</ul>"
    return out


def _money_text(table: pd.DataFrame) -> pd.DataFrame:
    """A model table for display: amounts as quetzales, fractions as percentages, rest as text;
    column names in words."""
    out = table.copy()
    for column in out.columns:
        name = str(column).lower()
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "sí", False: "no"})
        elif pd.api.types.is_float_dtype(out[column]):
            money = any(w in name for w in ("monto", "valor", "potencial", "brecha", "espacio", "limite", "servicio"))
            out[column] = [quetzales(v) if money else f"{v:,.4g}" for v in out[column]]
    return out.rename(columns={c: str(c).replace("_", " ").capitalize() for c in out.columns})


#: Views drawn right after the others (the browser already shows the cards and charts by then).
DEFERRED_VIEWS = frozenset({"indicadores"})
#: The view the app draws in the background (the investment plan: scipy's MILP, a few tenths of a
#: second, which must not hold up the next lever move).
BACKGROUND_VIEWS = frozenset({"plan"})
#: The views of the *Escenario* tab, in display order: (key, function).
SCENARIO_VIEWS: list[tuple[str, Callable[[ViewContext], str | None]]] = [
    ("ingresos_propios", own_revenue_view),
    ("plan", plan_view),
    ("espacio_fiscal", fiscal_space_view),
    ("brecha", gaps_view),
    ("abanico", fan_view),
    ("riesgos", risk_view),
    ("reglas", rules_view),
    ("comparacion", comparison_view),
    ("indicadores", indicators_view),
]


# --- comparison across scenarios (the *Comparar* tab) -----------------------------------------

def scenarios_view(results: dict[str, "RunResult"], municipio: str,
                   wide_of: Callable[["RunResult"], pd.DataFrame] | None = None, reference: str | None = None) -> str:
    """Scenarios side by side (``results`` by label): the budget year's headline numbers and the
    plan's fiscal space, own revenue by year, and its difference from ``reference`` (the first
    scenario by default), where lines that overlap in levels come apart."""
    if not results:
        return "<p class='nexos-nota'>Marque al menos un escenario.</p>"
    contexts = {name: ViewContext(r, None, municipio, wide_of) for name, r in results.items()}
    first_ctx = next(iter(contexts.values()))
    first, last, end = first_ctx.years
    year = first_ctx.budget
    reference = reference if reference in contexts else next(iter(contexts))
    ref_wide = contexts[reference].wide
    ref = float(ref_wide.at[year, "ingresos_propios"])
    rows = []
    for name, ctx in contexts.items():
        wide = ctx.wide
        own, total = float(wide.at[year, "ingresos_propios"]), float(wide.at[year, "ingresos_totales"])
        row = {"Escenario": name,
               f"{catalog.label('ingresos_propios')} {year}": quetzales(own),
               f"Diferencia con {reference}": "—" if name == reference else quetzales(own - ref),
               f"{catalog.label('transferencias')} {year}": quetzales(float(wide.at[year, "transferencias"])),
               f"{catalog.label('ingresos_totales')} {year}": quetzales(total),
               f"Autonomía {year}": porcentaje(own / total if total > 0 else float("nan")),
               f"Crecimiento anual {year}-{end}": porcentaje(_growth(own, float(wide.at[end, "ingresos_propios"]),
                                                                    end - year))}
        space = optional(ctx.result, "fiscal_space")
        if space is not None and ctx.plan_years:
            rows_space = ctx.rows(space)
            plan = ctx.plan_years
            row[f"Espacio fiscal {anio_rango(plan[0], plan[-1])}"] = quetzales(
                float(rows_space.loc[rows_space["anio"].isin(plan), "monto"].sum()))
        rows.append(row)
    years = list(first_ctx.wide.index)
    levels = line_chart(years, [(name, ctx.wide["ingresos_propios"].reindex(years).tolist())
                                for name, ctx in contexts.items()],
                        f"{catalog.label('ingresos_propios')} por escenario", divider=last, budget=year, styled=True)
    future = [y for y in years if y >= year]
    multiples = "".join(
        "<div class='nexos-multiple'>"
        + bar_chart(future, [(f"{name} menos {reference}",
                              (ctx.wide["ingresos_propios"].reindex(future)
                               - ref_wide["ingresos_propios"].reindex(future)).tolist())],
                    f"{name}: diferencia con {reference}")
        + "</div>" for name, ctx in contexts.items() if name != reference)
    apart = (f"<h4>Diferencia de los {catalog.label('ingresos_propios').lower()} con {reference}, año por año "
             f"(cada gráfica con su escala)</h4><div class='nexos-multiples'>{multiples}</div>" if multiples else "")
    estimated = f"estimados {last + 1}-{year - 1}; " if year - 1 > last else ""
    return section(f"Escenarios lado a lado: presupuesto {year}", table_html(rows) + levels + apart,
                   f"Datos observados {first}-{last}; {estimated}proyección {year}-{end}. Cada línea tiene su "
                   f"trazo y su marcador; las gráficas pequeñas separan las que se confunden.")
