"""Parameters of own-source revenue: streams, driver models (IUSI, water, ornato) and levers.

A stream (IUSI, boleto de ornato, water, ...) is a share of one or more MINFIN classification
concepts (the bundled data come by sección, without rubros). Its projection method is chosen
here: ``tendencia`` (the trend of its history) or ``impulsores`` (the driver model of its kind,
calibrated to reproduce the base year exactly). Driver values that a municipality does not know
are left out (``None``) and national benchmarks stand in, and the run says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import Field, model_validator

from nexos_model import catalog
from nexos_model.params.fields import Section, param

STREAM_METHODS = ("tendencia", "impulsores")
DRIVER_STREAMS = ("iusi", "agua", "ornato")


class StreamSettings(Section):
    concepts: dict[str, float] = param(
        "conceptos",
        label="Conceptos de la clasificación MINFIN que forman el flujo",
        unit="fracción de cada concepto",
        source="Datos por sección (sin rubros): las fracciones son supuestos de Nexos [NC] "
               "salvo donde la sección es el flujo (10100 → IUSI).",
    )
    method: Literal["tendencia", "impulsores"] = param(
        "metodo",
        label="Método de proyección del flujo",
        unit="",
        source="Elección del usuario: 'impulsores' solo para iusi, agua y ornato.",
    )

    @model_validator(mode="after")
    def _fractions_in_range(self) -> "StreamSettings":
        bad = {c: f for c, f in self.concepts.items() if not 0 <= f <= 1}
        if bad:
            raise ValueError(f"las fracciones deben estar entre 0 y 1 (valores dados: {bad})")
        return self


class IusiDrivers(Section):
    properties: float | None = param(
        "predios",
        label="Predios en el municipio (catastrados o no)",
        unit="predios",
        source="Catastro municipal si se conoce; si no, hogares × predios por hogar (estimación).",
        ge=0,
        optional=True,
    )
    properties_per_household: float = param(
        "predios_por_hogar",
        label="Predios por hogar (si no se conoce el número de predios)",
        unit="predios por hogar",
        source="Supuesto de Nexos [NC]: un predio por hogar.",
        ge=0.1,
        le=5,
    )
    value_shares: list[float] = param(
        "participacion_por_tramo",
        label="Participación de los predios en cada tramo de valor",
        unit="fracción por tramo (suma 1)",
        source="Supuesto de referencia [NC]; reemplazar con el catastro municipal.",
    )
    market_values: list[float] = param(
        "valor_mercado_por_tramo",
        label="Valor de mercado medio de un predio en cada tramo",
        unit="quetzales",
        source="Supuesto de referencia [NC]; reemplazar con el catastro municipal.",
    )
    coverage: float = param(
        "cobertura_catastral",
        label="Cobertura catastral (predios registrados y facturados)",
        unit="fracción",
        source="Referencia nacional [NC]: BID (Bonet y Rueda 2013) describe catastros incompletos.",
        ge=0.01,
        le=1,
    )
    valuation: float = param(
        "factor_avaluo",
        label="Avalúo registrado / valor de mercado",
        unit="fracción",
        source="Referencia [NC]: avalúos desactualizados (BID, Bonet y Rueda 2013, IDB-TN-513).",
        ge=0.01,
        le=1.5,
    )
    indexation: float = param(
        "indexacion_avaluo",
        label="Parte de la subida de precios que llega a los avalúos cada año",
        unit="fracción (0 = avalúos congelados)",
        source="Supuesto de Nexos [NC]: los avalúos se actualizan sobre todo al vender o declarar.",
        ge=0,
        le=1,
    )
    real_value_growth: float = param(
        "crecimiento_real_valor",
        label="Crecimiento real del valor de los inmuebles",
        unit="fracción por año",
        source="Supuesto de Nexos [NC].",
        ge=-0.2,
        le=0.3,
        role="incertidumbre",
    )
    bracket_bounds: list[float] = param(
        "limites_tramos",
        label="Límites de los tramos de valor del IUSI",
        unit="quetzales",
        source="Decreto 15-98 (Ley del IUSI) art. 11: hasta Q2,000; Q20,000; Q70,000 [C].",
    )
    rates_per_mil: list[float] = param(
        "tasas_por_millar",
        label="Tasa del IUSI por tramo",
        unit="por millar",
        source="Decreto 15-98 art. 11: exento, 2, 6 y 9 por millar [C].",
    )

    @model_validator(mode="after")
    def _schedule(self) -> "IusiDrivers":
        problems = []
        if len(self.rates_per_mil) != len(self.bracket_bounds) + 1:
            problems.append(f"tasas_por_millar: se esperaba una tasa más que límites "
                            f"({len(self.bracket_bounds)} límites, {len(self.rates_per_mil)} tasas)")
        if list(self.bracket_bounds) != sorted(self.bracket_bounds):
            problems.append("limites_tramos: deben ser crecientes")
        if len(self.value_shares) != len(self.market_values) or not self.value_shares:
            problems.append("participacion_por_tramo y valor_mercado_por_tramo: deben tener el mismo "
                            "número de tramos")
        elif abs(sum(self.value_shares) - 1) > 1e-6 or min(self.value_shares) < 0:
            problems.append(f"participacion_por_tramo: deben ser ≥ 0 y sumar 1 (suma dada "
                            f"{sum(self.value_shares):.6g})")
        if any(v < 0 for v in self.market_values):
            problems.append("valor_mercado_por_tramo: deben ser montos ≥ 0")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class WaterDrivers(Section):
    service_coverage: float = param(
        "cobertura_servicio",
        label="Hogares con conexión de agua municipal",
        unit="fracción de hogares",
        source="Referencia [NC]: Censo 2018 (INE), hogares con tubería en la vivienda, media nacional ≈ 0.6-0.7.",
        ge=0,
        le=1,
    )
    connections: float | None = param(
        "conexiones",
        label="Conexiones de agua",
        unit="conexiones",
        source="Registro municipal si se conoce; si no, hogares × cobertura del servicio.",
        ge=0,
        optional=True,
    )
    registration: float = param(
        "registro",
        label="Conexiones registradas y facturadas",
        unit="fracción de las conexiones",
        source="Referencia [NC]: conexiones ilegales o sin medidor.",
        ge=0.01,
        le=1,
    )
    monthly_tariff: float = param(
        "tarifa_mensual",
        label="Tarifa mensual media",
        unit="quetzales por conexión al mes",
        source="Referencia [NC]: tarifas fijas municipales típicas de Q 10 a Q 30.",
        ge=0,
        le=2000,
    )
    tariff_indexation: float = param(
        "indexacion_tarifa",
        label="Parte de la inflación que sube la tarifa del agua cada año",
        unit="fracción (0 = tarifa fija en quetzales)",
        source="Supuesto de Nexos [NC]: las tarifas municipales se fijan por acuerdo del Concejo y se "
               "actualizan rara vez; 0 mantiene la tarifa de hoy en quetzales corrientes.",
        ge=0,
        le=1,
    )
    reference_tariff: float = param(
        "tarifa_referencia",
        label="Tarifa de referencia (recuperación de costos)",
        unit="quetzales por conexión al mes",
        source="Supuesto de Nexos [NC]: tarifa que cubre operación y mantenimiento.",
        ge=0,
        le=2000,
    )


class OrnatoDrivers(Section):
    adult_share: float = param(
        "proporcion_adultos",
        label="Población obligada (adultos)",
        unit="fracción de la población",
        source="Censo 2018 (INE): población de 18 años o más ≈ 0.58 [NC: cifra aproximada].",
        ge=0.2,
        le=1,
    )
    mean_fee: float = param(
        "cuota_media",
        label="Cuota media del boleto de ornato",
        unit="quetzales por persona al año",
        source="Decreto 121-96 [NC]: cuotas de Q 4 a Q 150 según ingreso; media supuesta.",
        ge=0,
        le=150,
    )
    fee_indexation: float = param(
        "indexacion_cuota",
        label="Parte de la inflación que sube la cuota media del boleto de ornato cada año",
        unit="fracción (0 = cuota fija en quetzales)",
        source="Supuesto de Nexos [NC]: las cuotas del Decreto 121-96 son montos fijos por tramo de "
               "ingreso; la cuota media sube solo si los ingresos nominales suben de tramo.",
        ge=0,
        le=1,
    )


class Plausibility(Section):
    """Where a driver model calibrated on generic defaults stops saying something about the
    municipality: then its potential and gap are "sin datos suficientes" and the stream follows
    its trend (its reforms cannot be valued either)."""

    min_implied: float = param(
        "cobro_implicito_minimo",
        label="Cobro (o cumplimiento) implícito mínimo creíble",
        unit="fracción de lo que se cobraría con todo al día",
        source="Elección de Nexos [NC]: con impulsores genéricos, menos de 1 % (un potencial de más de 100 "
               "veces lo cobrado) dice más de los datos (IUSI cobrado por DICABI o registrado en otra línea, "
               "sin catastro, sin cobro en el año base) que de la gestión del municipio.",
        ge=0,
        le=1,
    )
    max_implied: float = param(
        "cobro_implicito_maximo",
        label="Cobro implícito máximo creíble (escala de la base)",
        unit="veces lo que se cobraría con todo al día",
        source="Elección de Nexos [NC]: más de 2 es una base supuesta (predios, conexiones o adultos) menor "
               "que la mitad de la que reproduce los datos: los supuestos genéricos no sirven para ese municipio.",
        ge=1,
        le=1000,
    )


class DriverSettings(Section):
    persons_per_household: float = param(
        "personas_por_hogar",
        label="Personas por hogar",
        unit="personas",
        source="Censo 2018 (INE): 14,901,286 personas en 3,275,931 hogares ≈ 4.55 [NC: cifra de hogares].",
        ge=1,
        le=15,
    )
    iusi: IusiDrivers = param("iusi", label="IUSI", unit="", source="Decreto 15-98")
    water: WaterDrivers = param("agua", label="Agua", unit="", source="Servicio municipal")
    ornato: OrnatoDrivers = param("ornato", label="Boleto de ornato", unit="", source="Decreto 121-96")
    plausibility: Plausibility = param("plausibilidad", label="Límites de una calibración creíble", unit="",
                                       source="Nexos")


class OwnRevenueSettings(Section):
    streams: dict[str, StreamSettings] = param(
        "flujos",
        label="Flujos de ingresos propios",
        unit="",
        source="Catálogo de Nexos sobre la clasificación MINFIN (nexos_model/data/flujos.csv).",
    )
    drivers: DriverSettings = param("impulsores", label="Impulsores", unit="", source="Nexos")

    @model_validator(mode="after")
    def _streams_split_the_concepts(self) -> "OwnRevenueSettings":
        problems = stream_problems(self.streams, catalog.base_concepts())
        if problems:  # checked here, so the message names the file that set the streams
            raise ValueError("\n".join(problems))
        return self


def stream_problems(streams: Mapping[str, StreamSettings], concepts: Sequence[str]) -> list[str]:
    """What is wrong with the streams over the classification ``concepts`` (keys relative to
    ``ingresos_propios``): unknown concepts, 'impulsores' for a stream without a driver model, a
    stream named like a concept, and an own-revenue concept not split exactly once."""
    problems = []
    own = set(catalog.children("ingresos_propios"))
    totals = dict.fromkeys(concepts, 0.0)
    for name, stream in streams.items():
        if name in totals and stream.concepts != {name: 1.0}:
            problems.append(f"flujos.{name}: un flujo con el nombre de un concepto de la clasificación debe ser "
                            f"exactamente ese concepto (use otro nombre, p. ej. '{name}_flujo')")
        if stream.method == "impulsores" and name not in DRIVER_STREAMS:
            problems.append(f"flujos.{name}.metodo: 'impulsores' solo existe para {', '.join(DRIVER_STREAMS)} "
                            "(use 'tendencia')")
        for concept, share in stream.concepts.items():
            if concept not in totals:
                problems.append(f"flujos.{name}.conceptos: concepto desconocido '{concept}' (se esperaba uno de "
                                f"{', '.join(concepts)})")
                continue
            totals[concept] += share
    for concept, total in totals.items():
        if concept not in own and total > 0:
            problems.append(f"flujos: el concepto '{concept}' no es un ingreso propio")
        elif concept in own and abs(total - 1) > 1e-6:
            problems.append(f"flujos: las fracciones del concepto '{concept}' suman {total:.4g} entre todos los "
                            "flujos (se esperaba 1)")
    return problems


class Lever(Section):
    """A council decision moving one driver from today's value to a target over a path."""

    target: float | None = param(
        "meta",
        label="Valor meta (vacío = sin reforma)",
        unit="unidad del impulsor",
        source="Decisión del Concejo Municipal.",
        ge=0,
        role="palanca",
        optional=True,
    )
    start_year: int = param(
        "anio_inicio", label="Año de inicio", unit="año",
        source="Decisión del Concejo. Vacío (null) = calendario.anio_presupuesto.", ge=2000, le=2100
    )
    target_year: int = param(
        "anio_meta", label="Año en que se alcanza la meta", unit="año",
        source="Decisión del Concejo. Vacío (null) = el último año del plan (anio_inicio + "
               "calendario.anios_plan - 1), al menos un año después del inicio.",
        ge=2000, le=2100,
    )
    shape: Literal["lineal", "s", "escalones"] = param(
        "forma", label="Forma de la trayectoria", unit="", source="Elección del usuario."
    )
    cost: float = param(
        "costo_total",
        label="Costo de implementación",
        unit="quetzales",
        source="Presupuesto de la reforma (p. ej. actualización catastral).",
        ge=0,
    )
    cost_profile: list[float] = Field(
        alias="perfil_costo",
        json_schema_extra={"etiqueta": "Reparto del costo por año desde el inicio", "unidad": "fracción",
                           "fuente": "Presupuesto de la reforma."},
    )

    @model_validator(mode="after")
    def _years(self) -> "Lever":
        problems = []
        if self.target_year <= self.start_year:
            problems.append(f"anio_meta ({self.target_year}) debe ser posterior a anio_inicio "
                            f"({self.start_year})")
        if not self.cost_profile or min(self.cost_profile) < 0 or abs(sum(self.cost_profile) - 1) > 1e-6:
            problems.append(f"perfil_costo: participaciones ≥ 0 que sumen 1 (valor dado {self.cost_profile})")
        if problems:
            raise ValueError("\n".join(problems))
        return self


#: (stream, driver) moved by each lever key; the unit follows the driver.
#: Per driver stream, the keys of a municipality file (``params/municipios/<código>.yaml``) that
#: replace the national benchmarks its potential rests on.
DRIVER_KEYS: dict[str, tuple[str, ...]] = {
    "iusi": tuple(f"ingresos_propios.impulsores.iusi.{k}" for k in (
        "predios", "cobertura_catastral", "factor_avaluo", "valor_mercado_por_tramo", "participacion_por_tramo")),
    "agua": tuple(f"ingresos_propios.impulsores.agua.{k}" for k in (
        "conexiones", "cobertura_servicio", "registro", "tarifa_mensual")),
    "ornato": tuple(f"ingresos_propios.impulsores.ornato.{k}" for k in ("proporcion_adultos", "cuota_media")),
}

LEVER_DRIVERS: dict[str, tuple[str, str]] = {
    "iusi_cobertura": ("iusi", "coverage"),
    "iusi_avaluo": ("iusi", "valuation"),
    "iusi_cobro": ("iusi", "collection"),
    "agua_registro": ("agua", "coverage"),
    "agua_tarifa": ("agua", "valuation"),
    "agua_cobro": ("agua", "collection"),
    "ornato_cumplimiento": ("ornato", "collection"),
    "ornato_cuota": ("ornato", "valuation"),
}


def _lever(key: str, label: str, unit: str) -> object:
    return param(key, label=label, unit=unit, source="Decisión del Concejo Municipal; ver escenarios.")


class LeverSettings(Section):
    iusi_coverage: Lever = _lever("iusi_cobertura", "Cobertura catastral del IUSI", "fracción de predios")
    iusi_valuation: Lever = _lever("iusi_avaluo", "Actualización de avalúos (avalúo / valor de mercado)", "fracción")
    iusi_collection: Lever = _lever("iusi_cobro", "Eficiencia de cobro del IUSI", "fracción de lo facturado")
    water_registration: Lever = _lever("agua_registro", "Conexiones de agua registradas y facturadas", "fracción")
    water_tariff: Lever = _lever("agua_tarifa", "Tarifa mensual del agua", "quetzales por conexión al mes")
    water_collection: Lever = _lever("agua_cobro", "Eficiencia de cobro del agua", "fracción de lo facturado")
    ornato_compliance: Lever = _lever("ornato_cumplimiento", "Cumplimiento del boleto de ornato", "fracción de adultos")
    ornato_fee: Lever = _lever("ornato_cuota", "Cuota media del boleto de ornato", "quetzales por persona")

    @model_validator(mode="after")
    def _shares_at_most_one(self) -> "LeverSettings":
        """A target in a unit of ``fracción`` is a share: 0.85 is 85 %, and above 1 means nothing
        (a cadastre cannot cover 150 % of the properties)."""
        problems = []
        for name, info in type(self).model_fields.items():
            target = getattr(self, name).target
            unit = (info.json_schema_extra or {}).get("unidad", "")
            if target is not None and unit.startswith("fracción") and target > 1:
                problems.append(f"{info.alias}.meta: valor dado {target:g} (se esperaba una fracción entre 0 y 1, "
                                f"p. ej. 0.85 para 85 %)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def active(self) -> dict[str, Lever]:
        """Levers with a target, by their Spanish key."""
        out = {}
        for name, info in type(self).model_fields.items():
            lever = getattr(self, name)
            if lever.target is not None:
                out[info.alias] = lever
        return out
