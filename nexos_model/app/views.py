"""The live views: each a small function of the model's result that returns HTML (or None).

A view takes a :class:`ViewContext` (the current ``RunResult``, the ``base`` reference for
the same municipality) and returns an HTML fragment, or ``None`` when the result does not carry
what it needs, so the app hides it. Parts of ``RunResult`` that the model may or may not
provide (``gaps``, ``fiscal_space``, ``rules``, ``plans``, ``percentiles``, ``probabilities``) are
read only through :func:`optional`: adding a view is one function and one entry in
:data:`SCENARIO_VIEWS`.

Text is Spanish; amounts are ``Q 1,234,567.89`` (``nexos_model.wording``); labels come from the
concept catalog (``catalog.label``) and the report's summaries (``report.summary``), so the app
and the council report name things the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from html import escape
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd

from nexos_model import catalog
from nexos_model.app.charts import bar_chart, line_chart
from nexos_model.diagnostics.indicators import compare_with_peers, indicators
from nexos_model.io.bundled import load_municipalities
from nexos_model.report import summary
from nexos_model.wording import porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult

#: RunResult attributes the app shows when the model provides them (read through :func:`optional`).
OPTIONAL_PARTS = ("gaps", "fiscal_space", "rules", "plans", "percentiles", "probabilities")
#: Concepts drawn as fan charts when the run has simulations.
FAN_CONCEPTS = ("ingresos_propios", "espacio_fiscal")
HEADLINE_CONCEPTS = ("ingresos_propios", "transferencias", "ingresos_totales")


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
    def budget(self) -> int | None:
        """The budget year being prepared (earlier years without data are estimates)."""
        budget_year = getattr(self.result, "budget_year", None)
        return budget_year(self.municipio) if callable(budget_year) else None

    @property
    def plan(self) -> Any:
        """This municipality's investment plan when the run programmed one (``run(planificar=True)``)."""
        plans = optional(self.result, "plans")
        return plans.get(self.municipio) if plans else None

    def rows(self, table: pd.DataFrame) -> pd.DataFrame:
        """The rows of a per-municipality table that belong to this municipality."""
        if "municipio" in table.columns and self.result.municipios != [self.municipio]:
            return table.loc[table["municipio"] == self.municipio]
        return table


# --- helpers ----------------------------------------------------------------------------------

def table_html(table: pd.DataFrame | list[dict[str, Any]], css: str = "nexos-tabla",
               row_classes: list[str] | None = None) -> str:
    """A table of text cells as HTML (a DataFrame without its index, or rows as dicts).

    ``row_classes`` marks rows (e.g. a status). Rows as dicts skip pandas: the live views use them.
    """
    if isinstance(table, pd.DataFrame):
        columns, rows = [str(c) for c in table.columns], list(table.itertuples(index=False))
    else:
        columns = list(table[0]) if table else []
        rows = [tuple(r.values()) for r in table]
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for i, row in enumerate(rows):
        mark = f" class='{row_classes[i]}'" if row_classes else ""
        body.append(f"<tr{mark}>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>")
    return f"<table class='{css}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def section(title: str, body: str, note: str = "") -> str:
    foot = f"<p class='nexos-nota'>{escape(note)}</p>" if note else ""
    return f"<section class='nexos-vista'><h3>{escape(title)}</h3>{body}{foot}</section>"


def _change(now: float, ref: float) -> str:
    if ref is None or not pd.notna(ref) or ref == 0:
        return ""
    diff = now - ref
    if abs(diff) < 0.005:
        return "igual que en el escenario base"
    sign = "+" if diff > 0 else ""
    return f"{sign}{quetzales(diff)} ({sign}{porcentaje(diff / abs(ref))}) frente a base"


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


def _spread(ctx: ViewContext, year: int) -> dict[str, str]:
    """``p10-p90: Q a - Q b`` by concept for ``year`` when the run has simulations."""
    percentiles = optional(ctx.result, "percentiles")
    if percentiles is None or not {"p10", "p90"} <= set(percentiles.columns):
        return {}
    rows = ctx.rows(percentiles)
    rows = rows.loc[rows["anio"] == year]
    return {c: f"p10-p90: {quetzales(a)} - {quetzales(b)}"
            for c, a, b in zip(rows["concepto"].tolist(), rows["p10"].tolist(), rows["p90"].tolist())}


def headline_cards(ctx: ViewContext) -> list[Card]:
    """Own revenue, transfers and total revenue in the last projected year; autonomy; fiscal space."""
    _, last, end = ctx.years
    wide = ctx.wide
    base = ctx.base_wide
    cards = []
    spread = _spread(ctx, end)
    for concept in HEADLINE_CONCEPTS:
        value = float(wide.at[end, concept])
        ref = float(base.at[end, concept]) if base is not None and end in base.index else None
        detail = "; ".join(x for x in (_change(value, ref), spread.get(concept, "")) if x)
        cards.append(Card(concept, f"{catalog.label(concept)} {end}", quetzales(value), detail))
    total = float(wide.at[end, "ingresos_totales"])
    autonomy = float(wide.at[end, "ingresos_propios"]) / total if total > 0 else float("nan")
    observed = float(wide.at[last, "ingresos_propios"]) / float(wide.at[last, "ingresos_totales"] or float("nan"))
    cards.append(Card("autonomia", f"Autonomía financiera {end}", porcentaje(autonomy),
                      f"{porcentaje(observed)} en {last} (ingresos propios / ingresos totales)"))
    space = optional(ctx.result, "fiscal_space")
    if space is not None:
        rows = ctx.rows(space)
        start = ctx.budget if ctx.budget in set(rows["anio"].tolist()) else int(rows["anio"].min())
        rows = rows.loc[rows["anio"] >= start]
        cards.append(Card("espacio_fiscal", f"Espacio fiscal {start}-{int(rows['anio'].max())}",
                          quetzales(float(rows["monto"].sum())), "suma de todas las fuentes y años proyectados"))
    return cards


# --- views ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _own_concepts() -> tuple[str, ...]:
    return tuple(catalog.children("ingresos_propios"))


def own_revenue_view(ctx: ViewContext) -> str:
    """Own-source revenue by stream (IUSI, agua, ornato...: projected years) or, for a result
    without streams, by MINFIN concept (observed and projected), with its growth table."""
    _, last, end = ctx.years
    projection = ctx.rows(ctx.result.projection)
    projected = projection.pivot(index="anio", columns="concepto", values="valor")
    streams = summary.stream_names(projected)
    if streams:
        years = [int(y) for y in projected.index]
        chart = bar_chart(years, [(catalog.label(c), projected[c].tolist()) for c in streams],
                          "Ingresos propios por flujo (estimación y proyección)", divider=last, budget=ctx.budget)
        return section("Ingresos propios por flujo", chart + table_html(summary.stream_table(ctx.result, ctx.municipio)))
    wide = ctx.wide
    totals = wide.abs().sum()
    concepts = [c for c in _own_concepts() if c in wide.columns and totals[c] > 0]
    chart = bar_chart(list(wide.index), [(catalog.label(c), wide[c].tolist()) for c in concepts],
                      "Ingresos propios por concepto", divider=last, budget=ctx.budget)
    start, finish = wide.loc[last].to_dict(), wide.loc[end].to_dict()
    rows = []
    for concept in [*concepts, "ingresos_propios"]:
        a, b = float(start[concept]), float(finish[concept])
        rate = (b / a) ** (1 / (end - last)) - 1 if a > 0 and b >= 0 and end > last else float("nan")
        rows.append({"Concepto": catalog.label(concept), str(last): quetzales(a), str(end): quetzales(b),
                     "Crecimiento anual": porcentaje(rate)})
    return section("Ingresos propios por concepto", chart + table_html(rows))


def gaps_view(ctx: ViewContext) -> str | None:
    """Potential and gap of the streams with a driver model (``RunResult.gaps``), last projected year."""
    gaps = optional(ctx.result, "gaps")
    if gaps is None:
        return None
    _, _, end = ctx.years
    rows = ctx.rows(gaps)
    years = rows["anio"].tolist()
    year = end if end in years else int(max(years))
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
    """Indicators of the last observed and last projected year beside the peer medians.

    Computed like ``RunResult.indicators`` but on the four years it needs (each year and the
    one before, for growth), from the already computed wide table: the view stays fast.
    """
    _, last, end = ctx.years
    years = [y for y in dict.fromkeys((last - 1, last, end - 1, end)) if y in ctx.wide.index]
    values = ctx.wide.loc[years].rename_axis(index="anio").stack().rename("valor").reset_index()
    values.insert(0, "municipio", ctx.municipio)
    places = load_municipalities().set_index("municipio")
    table = compare_with_peers(indicators(values, places["poblacion"]), ctx.result.peers, ctx.municipio,
                               places.at[ctx.municipio, "departamento_codigo"])
    now = table.loc[table["anio"] == last].set_index("indicador")
    later = table.loc[table["anio"] == end].set_index("indicador")["valor"]

    def show(indicator: str, value: float) -> str:
        return quetzales(value) if indicator.endswith("per_capita") else porcentaje(value)

    rows = [{
        "Indicador": row.etiqueta,
        str(last): show(ind, row.valor),
        f"{end} (proyección)": show(ind, later.get(ind)),
        f"Mediana del departamento ({last})": show(ind, row.mediana_departamento),
        f"Mediana nacional ({last})": show(ind, row.mediana_nacional),
    } for ind, row in now.iterrows()]
    return section("Indicadores", table_html(rows))


def comparison_view(ctx: ViewContext) -> str | None:
    """The current settings against scenario base without adjustments: line chart and table."""
    if ctx.base is None:
        return None
    _, last, end = ctx.years
    base = ctx.base_wide
    years = list(ctx.wide.index)
    chart = line_chart(years, [("Base", base["ingresos_propios"].reindex(years).tolist()),
                               ("Escenario actual", ctx.wide["ingresos_propios"].tolist())],
                       f"{catalog.label('ingresos_propios')}: escenario actual frente a base",
                       divider=last, dashed=(0,), budget=ctx.budget)
    rows = []
    for concept in HEADLINE_CONCEPTS:
        now, ref = float(ctx.wide.at[end, concept]), float(base.at[end, concept])
        rows.append({"Concepto": catalog.label(concept), f"Base {end}": quetzales(ref),
                     f"Actual {end}": quetzales(now), "Diferencia": quetzales(now - ref),
                     "Diferencia (%)": porcentaje((now - ref) / ref if ref else float("nan"))})
    return section("Comparación con el escenario base", chart + table_html(rows))


def fiscal_space_view(ctx: ViewContext) -> str | None:
    """Fiscal space for investment by funding source and year (``RunResult.fiscal_space``)."""
    space = optional(ctx.result, "fiscal_space")
    if space is None:
        return None
    chart = fiscal_space_html(ctx.rows(space), table=False, divider=ctx.years[1], budget=ctx.budget)
    return section("Espacio fiscal por fuente", chart + table_html(summary.fiscal_space_table(ctx.result, ctx.municipio)))


def fiscal_space_html(space: pd.DataFrame, title: str = "Espacio fiscal para inversión por fuente",
                      table: bool = True, divider: int | None = None, budget: int | None = None) -> str:
    """Chart (and table, years × sources) of a long ``anio, fuente, monto`` table (one municipality);
    ``divider`` (last observed year) and ``budget`` shade the estimated and projected years."""
    cells: dict[tuple[int, str], float] = {}
    for year, source, amount in zip(space["anio"].tolist(), space["fuente"].tolist(), space["monto"].tolist()):
        cells[(int(year), source)] = cells.get((int(year), source), 0.0) + float(amount)
    years = sorted({y for y, _ in cells})
    present = {f for _, f in cells}
    order = [f for f in summary.SOURCE_NAMES if f in present] + sorted(present - set(summary.SOURCE_NAMES))
    columns = {f: [cells.get((y, f), 0.0) for y in years] for f in order}
    chart = bar_chart(years, [(summary.SOURCE_NAMES.get(f, f), columns[f]) for f in order], title,
                      divider=divider, budget=budget)
    if not table:
        return chart
    rows = [{"Año": str(y), **{summary.SOURCE_NAMES.get(f, f): quetzales(columns[f][i]) for f in order},
             "Total": quetzales(sum(columns[f][i] for f in order))} for i, y in enumerate(years)]
    return chart + table_html(rows)


def rules_view(ctx: ViewContext) -> str | None:
    """Legal-rule status by year (``RunResult.rules``): green when met, red when broken, with the article."""
    rules = optional(ctx.result, "rules")
    if rules is None:
        return None
    table = ctx.rows(rules)
    if not {"regla", "anio", "cumple"} <= set(table.columns):
        return section("Reglas legales", table_html(_money_text(table)))
    years = sorted({int(y) for y in table["anio"].tolist()})
    estimated = ctx.budget or min(years)
    head = "<th>Regla</th><th>Fuente legal</th>" + "".join(
        f"<th title='estimado: año sin datos cargados'>{y} (est.)</th>" if y < estimated else f"<th>{y}</th>"
        for y in years)
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
        html += "<ul>" + "".join(f"<li class='nexos-incumple'>{escape(m)}</li>" for m in broken[:12]) + "</ul>"
        note = f"{len(broken)} incumplimientos (regla y año)."
    return section("Reglas legales", html, note)


def plan_view(ctx: ViewContext) -> str | None:
    """The model's investment plan (``RunResult.plans``): schedule, funding by source, what is left out."""
    plan = ctx.plan
    if plan is None:
        return None
    return section("Plan de inversión", plan_html(plan))


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
    head = "<th>Evento</th>" + "".join(f"<th>{y}</th>" for y in years)
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
    """An ``investment.InvestmentPlan`` in Spanish: optimal vs ranked fill, schedule, funding, gaps."""
    compared = plan.comparacion
    head = pd.DataFrame({
        "Método": compared["metodo"].astype(str),
        "Proyectos": compared["proyectos"].astype(str),
        "Puntaje total": [f"{v:.3f}" for v in compared["puntaje_total"]],
        "Inversión programada": [quetzales(v) for v in compared["inversion"]],
    })
    gain = float(compared["ganancia_sobre_orden_pct"].iloc[0])
    schedule = plan.cronograma
    table = pd.DataFrame({
        "Proyecto": schedule["proyecto"], "Sector": schedule["sector"],
        "Inicio": schedule["inicio"].astype(str), "Fin": schedule["fin"].astype(str),
        "Costo total": [quetzales(v) for v in schedule["costo_total"]],
        "Operación anual": [quetzales(v) for v in schedule["costo_operacion_anual"]],
        "Puntaje": [f"{v:.3f}" for v in schedule["puntaje"]],
        "Obligatorio": ["sí" if v else "no" for v in schedule["obligatorio"]],
    })
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
    out = (f"<p class='nexos-nota'>{escape(plan.cartera)} · {len(plan.projects)} proyectos · plan "
           f"{plan.years[0]}-{plan.years[-1]}</p>" + table_html(head)
           + f"<p class='nexos-nota'>Ganancia del programa óptimo sobre el orden de puntaje: "
             f"{porcentaje(gain / 100)}.</p>"
           + "<h4>Cronograma</h4>" + table_html(table) + chart
           + f"<h4>Uso del espacio fiscal {plan.years[0]}-{plan.years[-1]}</h4>" + table_html(money))
    left_out = plan.no_financiados
    if not left_out.empty:
        out += "<h4>Proyectos sin financiamiento</h4>" + table_html(pd.DataFrame({
            "Proyecto": left_out["proyecto"], "Razón": left_out["razon"]}))
    goals = plan.resultados_metas
    if not goals.empty:
        out += "<h4>Resultados estratégicos</h4>" + table_html(_money_text(goals))
    if plan.avisos:
        out += "<ul class='nexos-nota'>" + "".join(f"<li>{escape(a)}</li>" for a in plan.avisos) + "</ul>"
    return out


def _money_text(table: pd.DataFrame) -> pd.DataFrame:
    """A model table for display: amounts as quetzales, fractions as percentages, rest as text."""
    out = table.copy()
    for column in out.columns:
        name = str(column).lower()
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "sí", False: "no"})
        elif pd.api.types.is_float_dtype(out[column]):
            money = any(w in name for w in ("monto", "valor", "potencial", "brecha", "espacio", "limite", "servicio"))
            out[column] = [quetzales(v) if money else f"{v:,.4g}" for v in out[column]]
    return out


#: Views drawn right after the others (the browser already shows the cards and charts by then).
DEFERRED_VIEWS = frozenset({"indicadores"})
#: The views of the *Escenario* tab, in display order: (key, function).
SCENARIO_VIEWS: list[tuple[str, Callable[[ViewContext], str | None]]] = [
    ("ingresos_propios", own_revenue_view),
    ("brecha", gaps_view),
    ("abanico", fan_view),
    ("riesgos", risk_view),
    ("espacio_fiscal", fiscal_space_view),
    ("reglas", rules_view),
    ("plan", plan_view),
    ("comparacion", comparison_view),
    ("indicadores", indicators_view),
]


# --- comparison across scenarios (the *Comparar* tab) -----------------------------------------

def scenarios_view(results: dict[str, "RunResult"], municipio: str,
                   wide_of: Callable[["RunResult"], pd.DataFrame] | None = None) -> str:
    """Scenarios side by side: headline numbers in the last projected year, and own revenue by year."""
    if not results:
        return "<p class='nexos-nota'>Elija al menos un escenario.</p>"
    contexts = {name: ViewContext(r, None, municipio, wide_of) for name, r in results.items()}
    first, last, end = next(iter(contexts.values())).years
    base = contexts.get("base")
    ref = float(base.wide.at[end, "ingresos_propios"]) if base is not None else None
    rows = []
    for name, ctx in contexts.items():
        wide = ctx.wide
        own, total = float(wide.at[end, "ingresos_propios"]), float(wide.at[end, "ingresos_totales"])
        start = float(wide.at[last, "ingresos_propios"])
        growth = (own / start) ** (1 / (end - last)) - 1 if start > 0 and own >= 0 and end > last else float("nan")
        row = {"Escenario": name,
               f"{catalog.label('ingresos_propios')} {end}": quetzales(own),
               "Diferencia con base": quetzales(own - ref) if ref is not None else "—",
               f"{catalog.label('transferencias')} {end}": quetzales(float(wide.at[end, "transferencias"])),
               f"{catalog.label('ingresos_totales')} {end}": quetzales(total),
               f"Autonomía {end}": porcentaje(own / total if total > 0 else float("nan")),
               f"Crecimiento anual {last}-{end}": porcentaje(growth)}
        space = optional(ctx.result, "fiscal_space")
        if space is not None:
            row["Espacio fiscal (total)"] = quetzales(float(ctx.rows(space)["monto"].sum()))
        rows.append(row)
    years = list(next(iter(contexts.values())).wide.index)
    budget = next(iter(contexts.values())).budget
    chart = line_chart(years, [(name, ctx.wide["ingresos_propios"].reindex(years).tolist())
                               for name, ctx in contexts.items()],
                       f"{catalog.label('ingresos_propios')} por escenario", divider=last, budget=budget)
    estimated = f"estimados {last + 1}-{budget - 1}; " if budget and budget - 1 > last else ""
    return section("Escenarios lado a lado", table_html(rows) + chart,
                   f"Datos observados {first}-{last}; {estimated}proyección hasta {end}.")
