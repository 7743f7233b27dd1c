"""The parameter schema: every key a user may write, with its label, unit, range and source.

Keys are Spanish (what users edit); attributes are English (what code reads). Each field's
metadata (``etiqueta``, ``unidad``, ``fuente``, ``rol``) is the one catalog that the validator,
the JSON Schema, the app's forms and the report annex all read. Values live in
``params/defaults.yaml`` and the overlays; the schema holds no default values, so a value has
exactly one home.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from nexos_model.params.calendar_schema import FILLED_WHEN_NULL, CalendarSettings
from nexos_model.params.fields import Section, param, year_series
from nexos_model.params.fiscal_schema import (
    DebtSettings,
    RuleSettings,
    SpendingSettings,
    TransferSettings,
    UncertaintySettings,
)
from nexos_model.params.investment_schema import InvestmentSettings
from nexos_model.params.keys import walk
from nexos_model.params.revenue_schema import LeverSettings, OwnRevenueSettings
from nexos_model.params.uncertainty import uncertainty_problems

__all__ = ["JSON_SCHEMA_DIALECT", "Parameters", "Section", "field_metadata", "overlay_json_schema", "param",
           "year_series"]

#: Draft 7: what the YAML editors' language servers support (the schemas use nothing newer).
JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"


class ProjectionSettings(Section):
    measure: Literal["devengado", "percibido"] = param(
        "medida",
        label="Momento de registro del ingreso",
        unit="",
        source="Fases de ejecución de SICOIN GL: devengado (reconocido) o percibido (cobrado).",
    )


class MacroSettings(Section):
    inflation: year_series(-0.1, 0.5) = param(
        "inflacion",
        label="Inflación proyectada",
        unit="fracción por año",
        source="Junta Monetaria: meta de inflación de 4 % ± 1 punto [C]. Rige los años sin inflación "
               "observada: los años con dato usan la variación del IPC promedio del INE "
               "(nexos_model/data/inflacion_guatemala_2016_2027.csv, 2016-2025).",
        role="incertidumbre",
    )
    historical_inflation: float = param(
        "inflacion_historica",
        label="Inflación media del período de datos",
        unit="fracción por año",
        source="INE, IPC promedio anual 2016-2019: 4.45, 4.42, 3.75 y 3.70 % [C-derivado: "
               "nexos_model/data/inflacion_guatemala_2016_2027.csv]; media 4.08 % ≈ 4 %.",
        ge=-0.1,
        le=0.5,
    )
    population_growth: year_series(-0.05, 0.1) = param(
        "crecimiento_poblacion",
        label="Crecimiento de la población proyectado",
        unit="fracción por año",
        source="Tasa intercensal 2002-2018: (14,901,286 / 11,237,196)^(1/16) − 1 = 1.78 % (INE, censos 2002 y 2018).",
        role="incertidumbre",
    )
    historical_population_growth: float = param(
        "crecimiento_poblacion_historico",
        label="Crecimiento de la población en el período de datos",
        unit="fracción por año",
        source="Tasa intercensal 2002-2018 del INE: 1.78 %.",
        ge=-0.05,
        le=0.1,
    )


class TrendSettings(Section):
    method: Literal["mediana_contraida", "ultimo_valor"] = param(
        "metodo",
        label="Método de tendencia",
        unit="",
        source="Elección de Nexos: ver la documentación de nexos_model.revenue.trend.",
    )
    shrinkage: float = param(
        "contraccion",
        label="Peso del crecimiento nacional en la tendencia",
        unit="fracción",
        source="Elección de Nexos: series de 4 años son ruidosas; se contrae hacia la mediana nacional.",
        ge=0,
        le=1,
        role="incertidumbre",
    )
    damping: float = param(
        "amortiguacion",
        label="Amortiguación del crecimiento real",
        unit="fracción (1 = sin amortiguar)",
        source="Tendencia amortiguada (Gardner y McKenzie, 1985); elegida con `nexos backtest` en 2017 y 2018.",
        ge=0,
        le=1,
    )
    growth_min: float = param(
        "crecimiento_minimo",
        label="Crecimiento nominal mínimo de un flujo de tendencia, cada año",
        unit="fracción por año",
        source="Elección de Nexos (y creencia de cada escenario): cota del crecimiento de la historia, "
               "para que un año atípico no domine, y de cada año proyectado.",
        ge=-0.5,
        le=0.5,
    )
    growth_max: float = param(
        "crecimiento_maximo",
        label="Crecimiento nominal máximo de un flujo de tendencia, cada año",
        unit="fracción por año",
        source="Elección de Nexos (y creencia de cada escenario): cota del crecimiento de la historia, "
               "para que un año atípico no domine, y de cada año proyectado.",
        ge=-0.5,
        le=1.0,
    )


class QualitySettings(Section):
    outlier_factor: float = param(
        "factor_atipico",
        label="Factor para marcar un valor implausible",
        unit="veces la mediana de los otros años",
        source="Elección de Nexos: un año que multiplica o divide por este factor a sus vecinos.",
        ge=1.5,
        le=1000,
    )
    outlier_floor: float = param(
        "monto_minimo_atipico",
        label="Monto mínimo para evaluar atípicos",
        unit="quetzales",
        source="Elección de Nexos: montos pequeños varían mucho sin ser errores.",
        ge=0,
        le=1e9,
    )
    flagged_values: Literal["excluir", "conservar"] = param(
        "valores_marcados",
        label="Tratamiento de valores marcados por el diagnóstico",
        unit="",
        source="Elección de Nexos: por defecto no se aprende de un valor dudoso.",
    )


class Parameters(Section):
    """All parameters of one municipality under one scenario (after layering)."""

    description: str = param(
        "descripcion",
        label="Descripción del escenario",
        unit="",
        source="Texto libre del autor del escenario.",
    )
    calendar: CalendarSettings = param(
        "calendario", label="Calendario de planificación", unit="",
        source="Código Municipal art. 131; Constitución art. 254; LEPP art. 211")
    projection: ProjectionSettings = param(
        "proyeccion", label="Proyección", unit="", source="Nexos"
    )
    macro: MacroSettings = param("macro", label="Supuestos macroeconómicos", unit="", source="Nexos")
    trend: TrendSettings = param("tendencia", label="Tendencia", unit="", source="Nexos")
    quality: QualitySettings = param(
        "calidad", label="Calidad de datos", unit="", source="Nexos"
    )
    own_revenue: OwnRevenueSettings = param(
        "ingresos_propios", label="Ingresos propios: flujos e impulsores", unit="", source="Nexos"
    )
    levers: LeverSettings = param(
        "palancas", label="Reformas (palancas) de ingresos propios", unit="", source="Concejo Municipal"
    )
    transfers: TransferSettings = param("transferencias", label="Transferencias", unit="", source="Nexos")
    spending: SpendingSettings = param("gasto", label="Gasto", unit="", source="Nexos")
    debt: DebtSettings = param("deuda", label="Deuda", unit="", source="Nexos")
    rules: RuleSettings = param("reglas", label="Reglas legales", unit="", source="Nexos")
    uncertainty: UncertaintySettings = param("incertidumbre", label="Incertidumbre (Monte Carlo)", unit="",
                                             source="Nexos")

    investment: InvestmentSettings = param(
        "inversion", label="Programación de la inversión (POM/POA)", unit="", source="Nexos; PDM-OT del municipio"
    )

    @model_validator(mode="after")
    def _uncertainties_are_declared(self) -> "Parameters":
        problems = uncertainty_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _operation_only_from_free_money(self) -> "Parameters":
        shared = self.transfers.shared()
        known = ("propios", "aporte_constitucional", "iva_paz", *shared)
        unknown = [s for s in self.spending.operating.funding_order if s not in known]
        # CODEDE may be listed: its own legal rule (codede_solo_inversion) then reports each quetzal
        earmarked = [s for s in self.spending.operating.funding_order
                     if s in shared and s != "codede" and shared[s].investment_min_share >= 1]
        problems = []
        if unknown:
            problems.append(f"gasto.funcionamiento.orden_financiamiento: fuentes desconocidas {unknown} "
                            f"(se esperaba alguna de {', '.join(known)})")
        if earmarked:
            problems.append(f"gasto.funcionamiento.orden_financiamiento: {', '.join(earmarked)} tiene destino solo "
                            f"de inversión (transferencias.<fuente>.inversion_minima = 1) y no puede pagar "
                            f"funcionamiento (valor dado {self.spending.operating.funding_order})")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def field_metadata(path: str) -> tuple[dict[str, Any], str]:
    """Schema metadata (etiqueta, unidad, fuente, rol, ge, le, and ``etiqueta_completa``: the
    labels from the top section down, joined by ›) of a dotted Spanish key path, and the part
    of the path below the last schema field (e.g. a year key)."""
    parts = path.split(".")
    _, meta, found = walk(Parameters, parts)
    return meta, ".".join(parts[found:])


def _optional_keys(node: Any) -> None:
    """Drop every ``required`` list: each file sets only what it changes."""
    if isinstance(node, dict):
        node.pop("required", None)
        for value in node.values():
            _optional_keys(value)
    elif isinstance(node, list):
        for value in node:
            _optional_keys(value)


#: What a JSON Schema node says about its value (the rest is metadata: etiqueta, unidad, fuente...).
_VALUE_KEYWORDS = ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "const")


def _null_allowed(node: dict[str, Any]) -> None:
    """Let ``node`` also be ``null`` (a year the calendar fills: :data:`FILLED_WHEN_NULL`)."""
    value = {k: node.pop(k) for k in _VALUE_KEYWORDS if k in node}
    node["anyOf"] = [value, {"type": "null"}]


def overlay_json_schema() -> dict[str, Any]:
    """The JSON Schema of a parameter file as users write it (``nexos esquema``), for editors.

    Every file is an overlay (the defaults, a municipality's file, a scenario), so every key is
    optional; unknown keys and wrong types are errors, and a year-keyed value may be written as
    one number or by year (``{2027: 0.05}``), and a year the calendar fills may be ``null``, as
    the loader accepts. Whether the layers together
    set every parameter is what ``nexos validar`` checks.
    """
    schema = Parameters.model_json_schema(by_alias=True)
    _optional_keys(schema)
    for section, keys in FILLED_WHEN_NULL.items():
        for key in keys:
            _null_allowed(schema["$defs"][section]["properties"][key])
    return {"$schema": JSON_SCHEMA_DIALECT, **schema,
            "title": "Parámetros de Nexos (una capa: defaults, municipio o escenario)",
            "description": "Cada archivo escribe solo lo que cambia; `nexos validar ARCHIVO` revisa además que "
                           "las capas juntas definan todo."}
