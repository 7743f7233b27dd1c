"""Parameters of transfers, spending, debt and the legal rules (the yearly fiscal space).

Every legal number is a parameter with its article in ``fuente`` and how sure it is: [C]
confirmed in a source, [NC] not confirmed (``shared/domain.md``). None is a literal in code.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from nexos_model.params.fields import Section, param, year_series

TRANSFER_SOURCES = ("aporte_constitucional", "iva_paz", "circulacion_vehiculos", "petroleo", "codede", "otras")
FORMULA_CRITERIA = ("partes_iguales", "poblacion", "ingresos_propios_per_capita", "aldeas_caserios")


class NationalPool(Section):
    """What the aporte and IVA-PAZ share: how their national amount grows and how much must be invested."""

    growth: year_series(-0.5, 1.0) = param(
        "crecimiento", label="Crecimiento nominal del monto nacional", unit="fracción por año",
        source="Ver la fuente de cada transferencia.", role="incertidumbre")


class IvaPazSettings(NationalPool):
    """IVA-PAZ: no yearly national amount was found, so it is estimated from the IVA collected."""

    growth: year_series(-0.5, 1.0) = param(
        "crecimiento", label="Crecimiento nominal del IVA recaudado", unit="fracción por año",
        source="Supuesto de Nexos [NC]: como la recaudación tributaria 2022-2025 (7.4 % al año, "
               "SAT/Minfin [C]); el IVA fue el 48.1 % de la recaudación de 2024 [C].",
        role="incertidumbre")

    base_year: int = param("anio_base", label="Año de la recaudación de IVA conocida", unit="año",
                           source="SAT 2024 (ver recaudacion_iva_base).", ge=2000, le=2100)
    vat_collected: float = param(
        "recaudacion_iva_base", label="IVA recaudado en el año base (doméstico e importaciones)",
        unit="quetzales",
        source="SAT 2024: IVA doméstico Q23,477.8 M + IVA importaciones Q25,930.4 M = Q49,408.2 M [C] "
               "(nexos_model/data/iva_paz_municipal_2016_2026.csv).", ge=0)
    points: float = param(
        "puntos_iva", label="Puntos de los 12 del IVA que van a las municipalidades (IVA-PAZ)",
        unit="puntos de 12",
        source="Ley del IVA (Decreto 27-92) art. 10, reformado por Decreto 32-2001 [NC: texto no leído]. "
               "Las fuentes halladas apuntan a 1 punto (La Hora: «uno por ciento de IVA», unos Q1,300 M "
               "al año hacia 2004-2007); «1.5 puntos» solo aparece en textos sin fuente. Ningún monto "
               "nacional anual del IVA-PAZ se encontró publicado: el monto es una estimación.",
        ge=0, le=12, role="incertidumbre")

    def base_amount(self) -> float:
        """The national IVA-PAZ of the base year (Q): ``puntos_iva / 12 × recaudacion_iva_base``."""
        return self.points / 12.0 * self.vat_collected


class AporteSettings(NationalPool):
    """The aporte constitucional: the published national totals (``data/aporte_constitucional_
    totales_nacionales_2018_2026.csv``), then the last one grown with the State's ordinary revenue."""

    growth: year_series(-0.5, 1.0) = param(
        "crecimiento",
        label="Crecimiento de los ingresos ordinarios del Estado (base del 10 %) después del último "
              "total publicado",
        unit="fracción por año",
        source="El aporte es el 10 % de los ingresos ordinarios del Estado (Constitución art. 257) [C]. "
               "Crecimiento medio de la recaudación tributaria 2022-2025, de Q90,871 M a Q112,529.8 M "
               "(SAT/Minfin) [C: montos, nexos_model/data/ingresos_ordinarios_estado_2017_2027.csv]: "
               "7.4 % al año; que la base del aporte crezca igual es un supuesto [NC]. Un año sin "
               "presupuesto aprobado repite el monto anterior (Constitución art. 171 b) [C].",
        role="incertidumbre")
    weights: dict[str, float] = param(
        "ponderaciones",
        label="Ponderación de cada criterio de distribución",
        unit="fracción (suma 1)",
        source="Código Municipal art. 119, reformado por Decreto 22-2010: 35 % partes iguales, "
               "30 % población, 25 % ingresos propios per cápita, 10 % aldeas y caseríos [C; "
               "verificado al centavo en el cuadro oficial de 2010].",
    )
    revenue_lag: int = param(
        "rezago_ingresos",
        label="Rezago de los ingresos propios usados en la fórmula",
        unit="años",
        source="Cuadro oficial de 2010: usó población e ingresos de 2009 [C].",
        ge=0,
        le=3,
    )
    national_aldeas: int = param(
        "aldeas_caserios_nacional",
        label="Aldeas y caseríos en el país (para estimar los de cada municipio)",
        unit="número",
        source="Cuadro oficial de 2010: 14,796 [C]. Sin datos por municipio: se reparte por "
               "población rural (estimación, se señala).",
        ge=1,
    )
    municipal_aldeas: int | None = param(
        "aldeas_caserios",
        label="Aldeas y caseríos del municipio (su propio conteo)",
        unit="número",
        source="Archivo del municipio (params/municipios/<código>.yaml): su registro de lugares poblados o el "
               "cuadro de la Comisión de Cálculo Matemático; vacío = estimado del total nacional por población "
               "rural (supuesto genérico, se señala).",
        ge=0,
        optional=True,
    )

    @model_validator(mode="after")
    def _weights(self) -> "AporteSettings":
        unknown = sorted(set(self.weights) - set(FORMULA_CRITERIA))
        if unknown:
            raise ValueError(f"ponderaciones: criterios desconocidos {unknown} (se esperan "
                             f"{', '.join(FORMULA_CRITERIA)})")
        if abs(sum(self.weights.values()) - 1) > 1e-9 or min(self.weights.values()) < 0:
            raise ValueError(f"ponderaciones: deben ser ≥ 0 y sumar 1 (suma dada "
                             f"{sum(self.weights.values()):.10g})")
        return self


class SharedTransfer(Section):
    """A transfer booked inside the data's totals and projected from its share of them."""

    share_current: float = param(
        "fraccion_corrientes",
        label="Fracción de las transferencias corrientes (16200) que no son aporte ni IVA-PAZ",
        unit="fracción", source="Reparto supuesto de los totales nacionales 2017 [NC].", ge=0, le=1)
    share_capital: float = param(
        "fraccion_capital",
        label="Fracción de las transferencias de capital (17200) que no son aporte ni IVA-PAZ",
        unit="fracción", source="Reparto supuesto de los totales nacionales 2017 [NC].", ge=0, le=1)
    growth: year_series(-0.5, 1.0) = param(
        "crecimiento", label="Crecimiento nominal", unit="fracción por año",
        source="Supuesto de Nexos [NC]: inflación más crecimiento real de la recaudación.",
        role="incertidumbre")
    investment_min_share: float = param(
        "inversion_minima", label="Parte reservada por la ley para inversión", unit="fracción",
        source="Ver la fuente de cada transferencia (transferencias.<fuente>). La del aporte y el IVA-PAZ "
               "es 1 − reglas.*_funcionamiento_maximo.", ge=0, le=1)


class TransferSettings(Section):
    aporte: AporteSettings = param(
        "aporte_constitucional", label="Aporte constitucional", unit="",
        source="Constitución art. 257: 10 % de los ingresos ordinarios del Estado; al menos 90 % "
               "para inversión y hasta 10 % para funcionamiento [C].")
    iva_paz: IvaPazSettings = param(
        "iva_paz", label="IVA-PAZ", unit="",
        source="Ley del IVA (Decreto 27-92) art. 10, reformado por Decreto 32-2001: una parte de los 12 "
               "puntos (ver puntos_iva), con los criterios del art. 119; al menos 75 % para inversión [NC].")
    vehicles: SharedTransfer = param(
        "circulacion_vehiculos", label="Impuesto de circulación de vehículos", unit="",
        source="Decreto 70-94 (Ley del Impuesto sobre Circulación de Vehículos): la parte municipal se "
               "destina a infraestructura vial, inversion_minima 1 [NC: por confirmar en el texto oficial].")
    petroleum: SharedTransfer = param(
        "petroleo", label="Impuesto a la distribución de petróleo y regalías", unit="",
        source="Decreto 38-92 y reformas: la parte municipal del impuesto a los combustibles, para "
               "infraestructura vial; regalías (Decreto 109-83) y FONPETROL (Decreto 71-2008) para inversión "
               "en los municipios: inversion_minima 1 [NC: por confirmar en el texto oficial].")
    codede: SharedTransfer = param(
        "codede", label="Aportes a Consejos Departamentales de Desarrollo (CODEDE)", unit="",
        source="Ley de los Consejos de Desarrollo (Decreto 11-2002): fondos que el Consejo Departamental "
               "asigna a proyectos registrados en SNIP, solo inversión (inversion_minima 1); fuera del espacio "
               "fiscal propio del municipio [NC].")
    other: SharedTransfer = param(
        "otras", label="Otras transferencias del sector público", unit="",
        source="Residuo del reparto, de libre uso: inversion_minima 0 [NC].")
    level_years: int = param(
        "anios_nivel",
        label="Años cuya mediana da el nivel de partida de las transferencias distintas del aporte y el IVA-PAZ",
        unit="años",
        source="Elección de Nexos: la mediana de 3 años, cada uno llevado al último con el crecimiento de su "
               "fuente, no proyecta un salto de un solo año (17200 subió 52 % en Huehuetenango y 53 % en "
               "Totonicapán de 2018 a 2019).",
        ge=1,
        le=10,
    )

    def shared(self) -> dict[str, SharedTransfer]:
        """The transfers projected from their share of the data's totals, by source key."""
        return {"circulacion_vehiculos": self.vehicles, "petroleo": self.petroleum,
                "codede": self.codede, "otras": self.other}

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> "TransferSettings":
        problems = []
        for attr, key in (("share_current", "fraccion_corrientes"), ("share_capital", "fraccion_capital")):
            total = sum(getattr(t, attr) for t in self.shared().values())
            if abs(total - 1) > 1e-3:
                problems.append(f"{key}: la suma entre circulacion_vehiculos, petroleo, codede y otras "
                                f"debe ser 1 (suma dada {total:.4f})")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class OperatingSpending(Section):
    base_amount: float | None = param(
        "monto_base",
        label="Gasto de funcionamiento del último año con datos",
        unit="quetzales",
        source="Presupuesto municipal si se conoce; si no, se estima (ver fraccion_propios).",
        ge=0,
        optional=True,
    )
    own_share: float = param(
        "fraccion_propios",
        label="Parte de los ingresos propios que paga funcionamiento (estimación del gasto base)",
        unit="fracción",
        source="Supuesto de Nexos [NC]: los ingresos propios pagan la mayor parte de la planilla "
               "(domain.md §b); el gasto base se estima como esta fracción de los propios más el "
               "10 % del aporte y el 25 % del IVA-PAZ permitidos.",
        ge=0,
        le=2,
    )
    personnel_share: float = param(
        "fraccion_personal", label="Parte del funcionamiento que es personal", unit="fracción",
        source="Supuesto de Nexos [NC].", ge=0, le=1)
    salary_adjustment: year_series(-0.2, 0.5) = param(
        "ajuste_salarial_real", label="Ajuste salarial real", unit="fracción por año",
        source="Supuesto de Nexos [NC]; pactos colectivos municipales.", role="incertidumbre")
    staff_growth: year_series(-0.2, 0.5) = param(
        "crecimiento_plantilla", label="Crecimiento de la plantilla", unit="fracción por año",
        source="Plan de personal del municipio.", role="palanca")
    om_share: float = param(
        "operacion_mantenimiento_inversion",
        label="Operación y mantenimiento anual de la inversión nueva",
        unit="fracción del costo de inversión",
        source="Supuesto de Nexos [NC] cuando la cartera no da el costo de O&M de un proyecto.",
        ge=0,
        le=0.5,
    )
    funding_order: list[str] = param(
        "orden_financiamiento",
        label="Orden en que las fuentes pagan el funcionamiento",
        unit="lista de fuentes",
        source="Práctica municipal: primero ingresos propios y transferencias de libre uso, luego "
               "la parte permitida del aporte y del IVA-PAZ. Una fuente con destino solo de inversión "
               "(inversion_minima 1: circulación de vehículos, petróleo) no puede estar; si se pone el "
               "CODEDE, la regla codede_solo_inversion informa cada quetzal que paga funcionamiento.",
    )


class SpendingSettings(Section):
    operating: OperatingSpending = param("funcionamiento", label="Gasto de funcionamiento", unit="",
                                         source="Nexos")


class Loan(Section):
    amount: float = param("monto", label="Monto del préstamo", unit="quetzales",
                          source="Decisión del Concejo; INFOM.", ge=0, role="palanca")
    rate: float = param("tasa", label="Tasa de interés anual", unit="fracción",
                        source="INFOM: alrededor de 8 % (2024) [C].", ge=0, le=1, role="incertidumbre")
    term: int = param("plazo", label="Plazo (incluye gracia)", unit="años",
                      source="INFOM: la mayoría a 3 años como máximo [C]; nunca más allá del período del Concejo "
                             "que lo contrata (Código Municipal art. 110 y 110 bis) [C]. Préstamo nuevo: vacío "
                             "(null) = el más largo que permiten deuda.plazo_maximo y ese período.", ge=1, le=30)
    grace: int = param("gracia", label="Período de gracia", unit="años", source="Contrato.", ge=0, le=10)
    method: Literal["frances", "aleman"] = param("metodo", label="Sistema de amortización", unit="",
                                                 source="Contrato.")
    payments_per_year: Literal[1, 2, 4, 12] = param("pagos_por_anio", label="Pagos por año", unit="",
                                                    source="Contrato.")
    start_year: int = param("anio", label="Año del desembolso", unit="año",
                            source="Contrato. Préstamo nuevo: vacío (null) = calendario.anio_presupuesto.",
                            ge=2000, le=2100)
    disbursement: dict[int, float] | None = param(
        "desembolsos", label="Desembolsos por año (fracción del monto; vacío = todo el primer año)",
        unit="fracción por año", source="Contrato: los desembolsos van dentro del período de gracia.",
        optional=True)

    @model_validator(mode="after")
    def _grace(self) -> "Loan":
        if self.grace >= self.term:
            raise ValueError(f"gracia ({self.grace}) debe ser menor que plazo ({self.term})")
        return self


class DebtSettings(Section):
    existing: list[Loan] = param("existentes", label="Préstamos vigentes", unit="",
                                 source="Registro de deuda municipal (MINFIN/INFOM).")
    new_loan: Loan = param("nuevo_prestamo", label="Préstamo nuevo", unit="", source="Decisión del Concejo.")
    payment_source: Literal["aporte_constitucional", "propios"] = param(
        "fuente_pago", label="Fuente que paga el servicio de la deuda", unit="",
        source="INFOM: los préstamos son en la práctica anticipos sobre el situado constitucional [C].")
    max_term: int = param("plazo_maximo", label="Plazo máximo de un préstamo nuevo", unit="años",
                          source="INFOM: mayoría a 3 años como máximo (Prensa Libre 2025) [C].", ge=1, le=30)
    capacity_rate: float = param("tasa_capacidad", label="Tasa para calcular la capacidad de endeudamiento",
                                 unit="fracción", source="INFOM: alrededor de 8 % [C].", ge=0, le=1)


class RuleSettings(Section):
    aporte_operating_max: float = param(
        "aporte_funcionamiento_maximo", label="Parte máxima del aporte para funcionamiento",
        unit="fracción", source="Constitución art. 257 [C].", ge=0, le=1)
    iva_paz_operating_max: float = param(
        "iva_paz_funcionamiento_maximo", label="Parte máxima del IVA-PAZ para funcionamiento",
        unit="fracción", source="Ley del IVA art. 10 (Decreto 32-2001) [NC].", ge=0, le=1)
    debt_service_max: float = param(
        "servicio_deuda_maximo",
        label="Servicio de la deuda máximo / ingresos ordinarios (propios, aporte e IVA-PAZ)",
        unit="fracción",
        source="Sin tope numérico confirmado: capacidad de pago certificada por MINFIN/INFOM "
               "(Código Municipal, Título VI) [NC]; valor supuesto por Nexos.",
        ge=0, le=1, role="palanca")


class CorrelationPair(Section):
    first: str = param("a", label="Primera incertidumbre", unit="clave", source="Usuario")
    second: str = param("b", label="Segunda incertidumbre", unit="clave", source="Usuario")
    rho: float = param("rho", label="Correlación", unit="entre -1 y 1", source="Usuario", ge=-1, le=1)


class UncertaintySettings(Section):
    """What Monte Carlo samples. Each key of ``distribuciones`` is a parameter declared with role
    ``incertidumbre``; the distribution's central value (its mean) must equal the parameter's
    value, so a deterministic run is the Monte Carlo path at central values. For ``normal`` and
    ``lognormal`` the mean may be left out: the parameter's value is used."""

    distributions: dict[str, dict] = param(
        "distribuciones", label="Distribución de cada incertidumbre", unit="",
        source="Ver la fuente de cada parámetro; dispersión supuesta por Nexos [NC] salvo que se indique.")
    correlations: list[CorrelationPair] = param(
        "correlaciones", label="Correlaciones entre incertidumbres (cópula gaussiana)", unit="",
        source="Supuesto de Nexos [NC].")
    trend_error: float = param(
        "error_tendencia", label="Error anual de la tendencia de los ingresos propios (municipio de referencia)",
        unit="desviación del logaritmo por año (paseo aleatorio: a h años, × √h)",
        source="Calibrado con `nexos backtest --hasta 2017 --simulaciones 1000 --calibrar ... --verificar 2018`: "
               "con σ = 0.21 la banda p10-p90 cubre el 79.7 % de los valores reales a un año y el 82.4 % a dos "
               "en la muestra de 2017, y el 85.0 % en la verificación de 2018 (1,000 simulaciones). Es el error de un municipio con ingresos propios iguales a "
               "error_tendencia_referencia; uno solo por municipio, común a todos sus flujos (el backtest mide "
               "el error del total; el de cada flujo no se puede separar con cuatro años de datos).",
        ge=0, le=2)
    trend_error_reference: float = param(
        "error_tendencia_referencia", label="Ingresos propios del municipio de referencia del error de tendencia",
        unit="quetzales por año (último año con datos)",
        source="Convención de Nexos: un monto cercano a la mediana de los 340 municipios (Q 2.5 millones en "
               "2017), redondeado; cambiarlo sin recalibrar error_tendencia cambia las bandas.",
        ge=1)
    trend_error_elasticity: float = param(
        "error_tendencia_elasticidad", label="Cuánto baja el error de tendencia con el tamaño del municipio",
        unit="elasticidad: error = error_tendencia × (ingresos propios / referencia) ^ (−elasticidad)",
        source="Estimado con `nexos backtest --hasta 2017 --ajustar-error` (regresión del logaritmo del error "
               "absoluto a uno y dos años sobre el logaritmo de los ingresos propios): 0.215 con datos hasta 2017 "
               "(IC 90 % 0.15 a 0.28) y 0.193 hasta 2018 (0.11 a 0.27); 0.2 los resume. Los municipios grandes se desvían menos de su tendencia.",
        ge=0, le=1)
    growth_error: float = param(
        "error_crecimiento", label="Error del crecimiento anual de los ingresos propios, aparte del paseo aleatorio",
        unit="desviación de la tasa de crecimiento",
        source="Medido con `nexos backtest`: el error del total crece como √h (desviación robusta del "
               "logaritmo 0.175 a un año y 0.250 a dos, razón 1.43 ≈ √2), sin señal de un error de "
               "crecimiento aparte del de la inflación, la población y el valor de los inmuebles "
               "(incertidumbre.distribuciones); 0 por defecto, disponible para quien quiera suponerlo.",
        ge=0, le=0.5)
