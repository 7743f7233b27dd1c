"""Transfers, spending, debt, legal rules, fiscal space and sources = uses (workbook 03)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from nexos_model.wording import anio_rango, numero, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult

from nexos_model.report.summary.common import (
    BREACH,
    CRITERIA_LABELS,
    OK,
    SOURCE_NAMES,
    TRANSFER_SOURCES,
    _code,
    _kinds,
    _name,
    _path_sentence,
    _path_table,
    _place,
    _plan_span,
    _projected,
    _rows,
    _share,
    _year_header,
    _year_table,
)
from nexos_model.fiscal.rules import catalog as rule_catalog

# --- transfers, spending, debt, rules, fiscal space (03) ------------------------------------

def transfer_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Transfers by source: the budget year and the last projected year, growth, share of all transfers."""
    code = _code(result, municipio)
    values = _projected(result, code)
    first, end = _plan_span(result, code)
    sources = [s for s in TRANSFER_SOURCES if s in values.columns]
    return _path_table(values, sources, first, end, {"transferencias_total": "Transferencias"},
                       total="transferencias_total")


def aporte_criteria_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The aporte constitucional by art. 119 criterion: legal weight, amount, share of the total."""
    code = _code(result, municipio)
    parts = _rows(result.aporte, code)
    if parts.empty:
        return pd.DataFrame()
    weights = result.parameters[code].params.transfers.aporte.weights
    wide = parts.pivot(index="anio", columns="criterio", values="monto")
    first, end = _plan_span(result, code)
    rows = [{"Criterio (art. 119)": _name(CRITERIA_LABELS, c), "Peso legal": porcentaje(weights.get(c)),
             str(first): quetzales(wide.at[first, c]), str(end): quetzales(wide.at[end, c]),
             f"Parte del aporte {end}": porcentaje(_share(wide.at[end, c], wide.loc[end].sum()))}
            for c in dict.fromkeys(parts["criterio"])]
    rows.append({"Criterio (art. 119)": "Aporte constitucional", "Peso legal": porcentaje(sum(weights.values())),
                 str(first): quetzales(wide.loc[first].sum()), str(end): quetzales(wide.loc[end].sum()),
                 f"Parte del aporte {end}": porcentaje(1.0)})
    return pd.DataFrame(rows)


def spending_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Operating spending by line, year by year."""
    code = _code(result, municipio)
    values = _projected(result, code)
    lines = ["gasto_personal", "gasto_bienes_servicios", "costo_reformas", "operacion_mantenimiento",
             "gasto_funcionamiento"]
    short = {"gasto_personal": "Personal", "gasto_bienes_servicios": "Bienes y servicios",
             "costo_reformas": "Reformas", "operacion_mantenimiento": "O&M de obras nuevas",
             "gasto_funcionamiento": "Funcionamiento total"}
    return _year_table(values, {c: short[c] for c in lines if c in values.columns}, _kinds(result, code, values.index))


def debt_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Debt service, its ratio to ordinary revenue (the legal limit's base) and the largest new
    INFOM loan each year could start, with its term."""
    code = _code(result, municipio)
    values = _projected(result, code)
    table = _year_table(values, {"intereses": "Intereses", "amortizacion": "Amortización",
                                 "servicio_deuda": "Servicio de la deuda"}, _kinds(result, code, values.index))
    ratio = values["servicio_deuda"] / values["ingresos_ordinarios"].where(values["ingresos_ordinarios"] > 0)
    table["Servicio / ingresos ordinarios"] = [porcentaje(v) for v in ratio]
    table["Desembolsos"] = [quetzales(v) for v in values["desembolso_prestamo"]]
    capacity = _rows(result.borrowing, code)
    if not capacity.empty:
        capacity = capacity.set_index("anio").reindex(values.index)
        table["Préstamo nuevo posible"] = [quetzales(v) for v in capacity["monto"]]
        table["Plazo (años)"] = [numero(v) for v in capacity["plazo"]]
    return table


def _rules(result: "RunResult", code: str) -> pd.DataFrame:
    return _rows(result.rules, code)


def rules_matrix(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Each legal rule (rows) in each model year (columns, estimated years marked ``est.``):
    ``✓`` met, ``✗`` broken."""
    code = _code(result, municipio)
    rules = _rules(result, code)
    if rules.empty:
        return pd.DataFrame()
    wide = rules.pivot(index="regla", columns="anio", values="cumple").reindex(list(dict.fromkeys(rules["regla"])))
    labels = dict(zip(rules["regla"], rules["etiqueta"]))
    out = {"Regla": [labels[r] for r in wide.index]}
    for year in wide.columns:
        out[_year_header(result, code, int(year))] = ["✓" if ok else "✗" for ok in wide[year]]
    return pd.DataFrame(out)


def rules_basis_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Each rule's legal basis, limit, years broken and whether the article is confirmed."""
    code = _code(result, municipio)
    rules = _rules(result, code)
    if rules.empty:
        return pd.DataFrame()
    certainty = rule_catalog()["certeza"].to_dict()
    rows = []
    for rule, part in rules.groupby("regla", sort=False):
        broken = part.loc[~part["cumple"], "anio"].astype(int).tolist()
        limit = float(part["limite"].iloc[0])
        share_rule = rule in {"aporte_funcionamiento", "iva_paz_funcionamiento", "servicio_deuda"}
        rows.append({
            "Regla": part["etiqueta"].iloc[0],
            "Base legal": part["articulo"].iloc[0],
            "Límite": (f"máximo {porcentaje(limit)}" if share_rule else
                       f"año {int(limit)}" if rule == "plazo_prestamo" else quetzales(limit)),
            "Resultado": OK if not broken else f"{BREACH} en {', '.join(map(str, broken))}",
            "Texto legal": "confirmado" if certainty.get(rule) == "C" else "por confirmar",
        })
    return pd.DataFrame(rows)


def rules_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Whether every rule holds; otherwise one sentence per broken rule with its first breach."""
    code = _code(result, municipio)
    rules = _rules(result, code)
    if rules.empty:
        return []
    first, end = int(rules["anio"].min()), int(rules["anio"].max())
    kinds = rules["regla"].nunique()
    broken = rules.loc[~rules["cumple"]]
    if broken.empty:
        return [f"Se cumplen las {kinds} reglas legales revisadas en todos los años, de {first} a {end}."]
    n = broken["regla"].nunique()
    out = [f"{n} de las {kinds} reglas legales revisadas no se cumpl{'e' if n == 1 else 'en'} en algún año "
           f"de {first} a {end}."]
    for _, part in broken.groupby("regla", sort=False):
        years = part["anio"].astype(int).tolist()
        out.append(f"{part['etiqueta'].iloc[0]} ({part['articulo'].iloc[0]}): no se cumple en "
                   f"{len(years)} año{'s' if len(years) > 1 else ''}. {part['mensaje'].iloc[0]}")
    return out


def space_by_source(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Fiscal space as numbers: years × sources (in :data:`SOURCE_NAMES` order)."""
    space = _rows(result.fiscal_space, _code(result, municipio))
    wide = space.pivot(index="anio", columns="fuente", values="monto")
    return wide[[s for s in SOURCE_NAMES if s in wide.columns] + [s for s in wide.columns if s not in SOURCE_NAMES]]


def fiscal_space_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Fiscal space for investment by source of funds, year by year, and its total."""
    code = _code(result, municipio)
    wide = space_by_source(result, code)
    wide["total"] = wide.sum(axis=1)
    short = {**SOURCE_NAMES, "propios": "Propios y libre uso", "aporte_constitucional": "Aporte constitucional",
             "total": "Total"}
    return _year_table(wide, {c: _name(short, c) for c in wide.columns}, _kinds(result, code, wide.index))


def fiscal_space_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """The fiscal space from the budget year on and how much of it is earmarked money."""
    code = _code(result, municipio)
    first, end = _plan_span(result, code)
    wide = space_by_source(result, code).loc[first:]
    if wide.empty:
        return []
    total = wide.sum(axis=1)
    earmarked = wide[[c for c in ("aporte_constitucional", "iva_paz", "codede") if c in wide.columns]].sum().sum()
    out = [f"El espacio fiscal para inversión sumaría {quetzales(total.sum())} en {anio_rango(first, end)} "
           f"({quetzales(total.at[first])} en {first} y {quetzales(total.at[end])} en {end}); "
           f"{porcentaje(_share(earmarked, total.sum()))} son fondos con destino de inversión "
           f"(aporte constitucional, IVA-PAZ y CODEDE)."]
    if "propios" in wide.columns:
        out.append(f"Los ingresos propios y las transferencias de libre uso dejarían "
                   f"{quetzales(wide.at[end, 'propios'])} para invertir en {end}, después de pagar el funcionamiento.")
    return out


#: The identity every projected year satisfies (``fiscal.py``): sources on the left, uses on the right.
SOURCES = {"ingresos_propios_total": "Ingresos propios", "transferencias_total": "Transferencias",
           "desembolso_prestamo": "Desembolsos de préstamos", "deficit": "Gasto sin fuente de pago"}
USES = {"gasto_funcionamiento": "Gasto de funcionamiento", "servicio_deuda": "Servicio de la deuda",
        "espacio_fiscal": "Espacio fiscal para inversión"}


def _identity(values: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    return values[list(SOURCES)].sum(axis=1), values[list(USES)].sum(axis=1)


def sources_uses_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Sources = uses: each line in the budget year and the last projected year and over those
    years, with the totals and their difference (zero: every quetzal is accounted for)."""
    code = _code(result, municipio)
    first, end = _plan_span(result, code)
    values = _projected(result, code).loc[first:]
    sources, uses = _identity(values)
    span = f"Total {anio_rango(first, end)}"
    rows = []

    def add(label: str, series: pd.Series) -> None:
        rows.append({"Fuentes y usos": label, str(first): quetzales(series.at[first]),
                     str(end): quetzales(series.at[end]), span: quetzales(series.sum())})

    for concept, label in SOURCES.items():
        add(f"(+) {label}", values[concept])
    add("= Total de fuentes", sources)
    for concept, label in USES.items():
        add(f"(−) {label}", values[concept])
    add("= Total de usos", uses)
    add("Diferencia (fuentes − usos)", (sources - uses).round(2))
    return pd.DataFrame(rows)


def sources_uses_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """That the identity holds every year, to the cent."""
    code = _code(result, municipio)
    values = _projected(result, code)
    sources, uses = _identity(values)
    gap = float((sources - uses).abs().max())
    first, end = int(values.index.min()), int(values.index.max())
    verdict = ("las fuentes igualan a los usos" if gap < 0.005 else
               f"las fuentes y los usos difieren hasta en {quetzales(gap)}")
    return [f"En cada año, de {first} a {end}, {verdict} (diferencia máxima {quetzales(gap)}): "
            f"ingresos propios + transferencias + préstamos + gasto sin fuente = funcionamiento + servicio "
            f"de la deuda + espacio fiscal."]


def finance_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Transfers, the aporte's weight, operating spending, debt room, fiscal space and the rules."""
    code = _code(result, municipio)
    values = _projected(result, code)
    first, end = _plan_span(result, code)
    place = _place(code)["nombre"]
    out = [_path_sentence("Las transferencias", place, values.at[first, "transferencias_total"],
                          values.at[end, "transferencias_total"], first, end)]
    if "aporte_constitucional" in values:
        aporte = values.at[end, "aporte_constitucional"]
        share = _share(aporte, values.at[end, "transferencias_total"])
        out.append(f"El aporte constitucional sería {porcentaje(share)} de las transferencias en {end} "
                   f"({quetzales(aporte)}).")
    operating = values["gasto_funcionamiento"]
    out.append(f"El gasto de funcionamiento pasaría de {quetzales(operating.at[first])} en {first} "
               f"a {quetzales(operating.at[end])} en {end}.")
    capacity = _rows(result.borrowing, code)
    if not capacity.empty:
        row = capacity.loc[capacity["anio"] == first].iloc[0]
        if row["monto"] > 0:
            term = int(row["plazo"])
            out.append(f"Un préstamo nuevo del INFOM que empiece en {first} podría ser de hasta "
                       f"{quetzales(row['monto'])} a {term} año{'s' if term > 1 else ''}, dentro del límite "
                       f"del servicio de la deuda y del período del Concejo en curso.")
        else:
            out.append(f"En {first} no cabe un préstamo nuevo dentro del límite del servicio de la deuda y del "
                       f"período del Concejo en curso.")
    out.extend(fiscal_space_sentences(result, code)[:1])
    out.extend(rules_sentences(result, code)[:1])
    return out


