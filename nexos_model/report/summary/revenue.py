"""Own revenue by stream: projection, potential and gap, calibration, levers (workbook 02)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from nexos_model import catalog
from nexos_model.params.schema import field_metadata
from nexos_model.wording import anio_rango, numero, porcentaje, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult

from nexos_model.report.summary.common import (
    DRIVER_LABELS,
    GAP_LABELS,
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
    _year_table,
    _years,
)

# --- own revenue by stream: projection, potential and gap, calibration, levers (02) -----------

def stream_names(values: pd.DataFrame) -> list[str]:
    """The own-revenue streams of the projection, in the catalog's order."""
    lines = catalog.result_lines()
    names = lines.index[(lines["grupo"] == "flujo") & (lines.index != "ingresos_propios_total")]
    return [s for s in names if s in values.columns]


def stream_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Own revenue by stream (IUSI, ornato, agua, ...): the budget year and the last projected
    year, growth, share."""
    code = _code(result, municipio)
    values = _projected(result, code)
    first, end = _plan_span(result, code)
    return _path_table(values, stream_names(values), first, end, {"ingresos_propios_total": "Ingresos propios"},
                       total="ingresos_propios_total")


def _in_sentence(label: str) -> str:
    """A label inside a sentence: ``Boleto de ornato`` -> ``boleto de ornato``; acronyms (IUSI) stay."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


def _gap_sentences(result: "RunResult", code: str, streams: tuple[str, ...] | None = None) -> list[str]:
    gaps = _rows(result.gaps, code)
    if gaps.empty:
        return []
    first = _plan_span(result, code)[0]
    out = []
    for stream, rows in gaps.loc[gaps["anio"] == first].groupby("flujo", sort=False):
        if streams and stream not in streams:
            continue
        value = rows.set_index("componente")["valor"]
        per_head = rows.set_index("componente")["per_capita"]
        name = _in_sentence(catalog.label(stream))
        if value["brecha_total"] < 0.005:
            out.append(f"En {first}, lo recaudado por {name} ({quetzales(value['recaudacion'])}) ya alcanzaría "
                       f"su potencial.")
            continue
        out.append(f"En {first}, lo recaudado por {name} sería {quetzales(value['recaudacion'])} de un "
                   f"potencial de {quetzales(value['potencial'])}: una brecha de {quetzales(value['brecha_total'])} "
                   f"({quetzales(per_head['brecha_total'])} por habitante).")
    return out


def own_revenue_sentences(result: "RunResult", municipio: str | None = None) -> list[str]:
    """Own revenue's path, its largest stream, the gaps of IUSI, agua and ornato, the levers."""
    code = _code(result, municipio)
    wide = result.wide(code)
    values = _projected(result, code)
    _, last, end = _years(result, code)
    place = _place(code)["nombre"]
    out = [_path_sentence("Los ingresos propios", place, wide.at[last, "ingresos_propios"],
                          wide.at[end, "ingresos_propios"], last, end)]
    streams = values.loc[end, stream_names(values)]
    if len(streams) and streams.max() > 0:
        top = streams.idxmax()
        out.append(f"El flujo más grande en {end} sería {_in_sentence(catalog.label(top))}: {quetzales(streams[top])}, "
                   f"{porcentaje(_share(streams[top], values.at[end, 'ingresos_propios_total']))} "
                   f"de los ingresos propios.")
    out.extend(_gap_sentences(result, code))
    levers = result.parameters[code].params.levers.active()
    if levers:
        labels = [field_metadata(f"palancas.{key}")[0].get("etiqueta", key) for key in levers]
        names = ", ".join(label[:1].lower() + label[1:] for label in labels)
        out.append(f"El escenario '{result.escenario}' mueve {len(levers)} palanca{'s' if len(levers) > 1 else ''}: "
                   f"{names}.")
    else:
        out.append(f"El escenario '{result.escenario}' no mueve palancas de ingresos propios.")
    return out


def gap_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """Potential and gap of IUSI, agua and ornato by component, in quetzales and per cápita,
    in the budget year and the last projected year. Recaudación + the gaps = potencial."""
    code = _code(result, municipio)
    gaps = _rows(result.gaps, code)
    if gaps.empty:
        return pd.DataFrame()
    first, end = _plan_span(result, code)
    rows = []
    for stream in dict.fromkeys(gaps["flujo"]):
        part = gaps.loc[gaps["flujo"] == stream].set_index(["anio", "componente"])
        for component in GAP_LABELS:
            if (first, component) not in part.index:
                continue
            rows.append({
                "Flujo": catalog.label(stream), "Componente": GAP_LABELS[component],
                f"{first}": quetzales(part.at[(first, component), "valor"]),
                f"Por habitante {first}": quetzales(part.at[(first, component), "per_capita"]),
                f"{end}": quetzales(part.at[(end, component), "valor"]),
                f"Por habitante {end}": quetzales(part.at[(end, component), "per_capita"]),
            })
    return pd.DataFrame(rows)


def calibration_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The unobserved driver of each stream, as assumed and as implied by the base year's revenue."""
    code = _code(result, municipio)
    table = _rows(result.calibration, code)
    _, last, _ = _years(result, code)
    if table.empty:
        return pd.DataFrame()
    return pd.DataFrame({
        "Flujo": [catalog.label(s) for s in table["flujo"]],
        "Impulsor": [_name(DRIVER_LABELS, d) for d in table["impulsor"]],
        "Valor supuesto": [porcentaje(v) for v in table["valor"]],
        f"Valor que reproduce {last}": [porcentaje(v) for v in table["valor_implicito"]],
        "Escala de la base": [numero(v, 2) for v in table["escala_base"]],
        "Base conocida": ["sí" if b else "no (supuesta)" for b in table["base_conocida"]],
        "Resultado": ["fuera de rango: se escala la base" if o else "dentro del rango"
                      for o in table["fuera_de_rango"]],
    })


def _lever_value(unit: str, value: float, decimals: int = 1) -> str:
    """A value in its unit: fractions as %, quetzales as Q, anything else as a short number."""
    if unit.startswith("fracción"):
        return porcentaje(value, decimals)
    if unit.startswith("quetzales"):
        return quetzales(value)
    return f"{value:.4g}"


def lever_table(result: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """The scenario's levers (council decisions): target, years, path and cost."""
    code = _code(result, municipio)
    shapes = {"lineal": "línea recta", "s": "curva S", "escalones": "escalones"}
    rows = []
    for key, lever in result.parameters[code].params.levers.active().items():
        meta, _ = field_metadata(f"palancas.{key}")
        rows.append({"Palanca": meta.get("etiqueta", key), "Meta": _lever_value(meta.get("unidad", ""), lever.target),
                     "Inicio": str(lever.start_year), "Meta alcanzada en": str(lever.target_year),
                     "Trayectoria": shapes.get(lever.shape, lever.shape), "Costo total": quetzales(lever.cost)})
    return pd.DataFrame(rows, columns=["Palanca", "Meta", "Inicio", "Meta alcanzada en", "Trayectoria",
                                       "Costo total"])


#: Lines compared with the base scenario to show a lever's effect (own streams, the aporte
#: that the art. 119 formula moves with own revenue, the reforms' cost).
EFFECT_LINES = ("iusi", "agua", "ornato", "ingresos_propios_total", "aporte_constitucional", "costo_reformas")


def _effect(result: "RunResult", base: "RunResult", code: str) -> pd.DataFrame:
    """Scenario minus base, by year, for :data:`EFFECT_LINES`."""
    now, ref = _projected(result, code), _projected(base, code)
    lines = [c for c in EFFECT_LINES if c in now.columns and c in ref.columns]
    return now[lines] - ref[lines].reindex(now.index)


def lever_effect_table(result: "RunResult", base: "RunResult", municipio: str | None = None) -> pd.DataFrame:
    """What the scenario changes against the base scenario, year by year: IUSI, agua, ornato,
    own revenue, the aporte constitucional (art. 119 rewards own revenue) and the reforms' cost.
    Lines that do not change are left out."""
    code = _code(result, municipio)
    diff = _effect(result, base, code)
    moved = [c for c in diff.columns if diff[c].abs().max() > 0.005]
    if not moved:
        return pd.DataFrame()
    labels = {"ingresos_propios_total": "Ingresos propios", "costo_reformas": "Costo de las reformas"}
    return _year_table(diff, {c: f"Δ {_name(labels, c)}" if c != "costo_reformas" else labels[c] for c in moved},
                       _kinds(result, code, diff.index))


def lever_sentences(result: "RunResult", base: "RunResult", municipio: str | None = None) -> list[str]:
    """The scenario's effect on own revenue against the base scenario, net of the reforms' cost."""
    code = _code(result, municipio)
    diff = _effect(result, base, code)
    first, end = int(diff.index.min()), int(diff.index.max())
    own, cost = diff["ingresos_propios_total"], diff.get("costo_reformas", pd.Series(0.0, index=diff.index))
    if result.escenario == base.escenario:
        return ["Este es el escenario base: no hay diferencias que medir."]
    if own.abs().max() <= 0.005 and cost.abs().max() <= 0.005:
        return [f"El escenario '{result.escenario}' no cambia los ingresos propios frente al escenario base."]
    verb = "más" if own.at[end] >= 0 else "menos"
    out = [f"En {end}, los ingresos propios serían {quetzales(abs(own.at[end]))} {verb} que en el escenario "
           f"base; en {anio_rango(first, end)} sumarían {quetzales(own.sum())} de diferencia."]
    if cost.sum() > 0.005:
        out.append(f"Las reformas cuestan {quetzales(cost.sum())} en {anio_rango(first, end)}: el efecto neto "
                   f"acumulado sería {quetzales(own.sum() - cost.sum())}.")
    if "aporte_constitucional" in diff and diff["aporte_constitucional"].abs().max() > 0.005:
        out.append(f"Por el criterio de ingresos propios per cápita (art. 119), el aporte constitucional "
                   f"cambiaría en {quetzales(diff['aporte_constitucional'].sum())} en {anio_rango(first, end)}.")
    return out


