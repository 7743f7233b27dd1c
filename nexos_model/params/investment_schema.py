"""The ``inversion`` section of the parameters: score weights, sector priorities, strategic
results (PDM-OT / PEI) and how the programme is solved.

Values live in ``params/defaults.yaml`` (``inversion:``) and in the municipality files
(``params/municipios/<código>.yaml``, e.g. ``inversion.resultados``); this module only says
what each key means. The items of ``resultados`` are the municipality's own promises, so
their two optional keys (``denominador``, ``documento``) may be left out.
"""

from __future__ import annotations

from pydantic import model_validator

from nexos_model.params.fields import Section, param

_NEXOS = "Elección de Nexos (ver nexos_model.investment.scoring)."


class ScoreWeights(Section):
    """Weight of each criterion in the multi-criteria score (see ``investment.scoring``)."""

    alignment: float = param(
        "alineacion", label="Peso de la alineación con el PDM-OT", unit="fracción",
        source=_NEXOS, ge=0, le=1, role="palanca")
    cost_per_beneficiary: float = param(
        "costo_por_beneficiario", label="Peso del costo por beneficiario", unit="fracción",
        source=_NEXOS, ge=0, le=1, role="palanca")
    sector_priority: float = param(
        "prioridad_sector", label="Peso de la prioridad del sector", unit="fracción",
        source=_NEXOS, ge=0, le=1, role="palanca")
    results_progress: float = param(
        "avance_resultados", label="Peso del avance en los resultados estratégicos", unit="fracción",
        source=_NEXOS, ge=0, le=1, role="palanca")

    @model_validator(mode="after")
    def _some_weight(self) -> "ScoreWeights":
        if sum(self.as_dict().values()) <= 0:
            raise ValueError("todos los pesos son cero (se esperaba: al menos un peso mayor que 0)")
        return self

    def as_dict(self) -> dict[str, float]:
        """Weights keyed by the criterion names of ``investment.scoring.CRITERIA``."""
        return {
            "alineacion": self.alignment,
            "costo_por_beneficiario": self.cost_per_beneficiary,
            "prioridad_sector": self.sector_priority,
            "avance_resultados": self.results_progress,
        }


class ResultTarget(Section):
    """One strategic result of the PDM-OT / PEI: where it stood and where it must be.

    The target path is linear from (``anio_base``, ``linea_base``) to (``anio_meta``,
    ``meta``). Projects declare their ``resultados`` contribution as progress toward the
    target, always >= 0, in the indicator's unit, or, with ``denominador``, as a count
    (e.g. households connected) that adds ``100 × aporte / denominador`` percentage points.
    A target below the baseline (e.g. child malnutrition) is reached by going down.
    """

    indicator: str = param("indicador", label="Indicador", unit="",
                           source="PDM-OT / PEI del municipio (SEGEPLAN).")
    unit: str = param("unidad", label="Unidad del indicador", unit="",
                      source="PDM-OT / PEI del municipio.")
    baseline_year: int = param("anio_base", label="Año de la línea base", unit="año",
                               source="PDM-OT / PEI del municipio.", ge=1990, le=2100)
    baseline: float = param("linea_base", label="Valor de la línea base", unit="unidad del indicador",
                            source="PDM-OT / PEI del municipio.")
    target_year: int = param("anio_meta", label="Año de la meta", unit="año",
                             source="PDM-OT / PEI del municipio.", ge=1990, le=2100)
    target: float = param("meta", label="Valor de la meta", unit="unidad del indicador",
                          source="PDM-OT / PEI del municipio.")
    denominator: float | None = param(
        "denominador", label="Total sobre el que se calcula el porcentaje (p. ej. hogares)",
        unit="unidades que aportan los proyectos",
        source="Censo 2018 o registro municipal; solo si el indicador es un porcentaje.",
        ge=0, optional=True)
    document: str | None = param("documento", label="Documento de origen", unit="",
                                 source="Referencia al PDM-OT / PEI.", optional=True)

    @model_validator(mode="after")
    def _years_and_denominator(self) -> "ResultTarget":
        problems = []
        if self.target_year <= self.baseline_year:
            problems.append(
                f"anio_meta ({self.target_year}) debe ser posterior a anio_base ({self.baseline_year})"
            )
        if self.denominator is not None and self.denominator <= 0:
            problems.append(f"denominador debe ser mayor que 0 (valor dado: {self.denominator})")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def direction(self) -> float:
        """+1 when the target is above the baseline, -1 when below."""
        return 1.0 if self.target >= self.baseline else -1.0

    @property
    def gap(self) -> float:
        """What the portfolio must add, in the indicator's unit: ``|meta - linea_base|``."""
        return abs(self.target - self.baseline)

    def effect(self, contribution: float) -> float:
        """A project's declared contribution in the indicator's unit (>= 0, toward the target)."""
        return contribution * 100.0 / self.denominator if self.denominator else contribution

    def share_of_gap(self, contribution: float) -> float:
        """Share of the gap a contribution closes (0 when there is no gap)."""
        return self.effect(contribution) / self.gap if self.gap > 0 else 0.0

    def value_with(self, total_contribution: float) -> float:
        """The indicator once ``total_contribution`` is delivered: baseline moved toward the target."""
        return self.baseline + self.direction * self.effect(total_contribution)

    def path(self, year: int) -> float:
        """The linear target path in ``year`` (flat before the baseline year and after the target year)."""
        share = (year - self.baseline_year) / (self.target_year - self.baseline_year)
        return self.baseline + (self.target - self.baseline) * min(max(share, 0.0), 1.0)


class InvestmentSettings(Section):
    """Multi-year investment programming (POM and its first year, the POA). Its years are the
    calendar's: from ``calendario.anio_presupuesto`` for ``calendario.anios_plan`` years."""

    weights: ScoreWeights = param("pesos", label="Pesos de los criterios del puntaje", unit="",
                                  source=_NEXOS)
    sector_priority: dict[str, float] = param(
        "prioridad_sector", label="Prioridad del Concejo por sector", unit="0 a 1 por sector",
        source="Decisión del Concejo Municipal (PDM-OT).", role="palanca")
    other_sector_priority: float = param(
        "prioridad_otros_sectores", label="Prioridad de los sectores no listados", unit="0 a 1",
        source=_NEXOS, ge=0, le=1)
    result_weight: float = param(
        "peso_resultados",
        label="Valor, en el objetivo, de cerrar por completo la brecha de un resultado",
        unit="puntos de puntaje por resultado",
        source="Elección de Nexos: 1 = cerrar la brecha de un resultado vale como un proyecto de puntaje 1.",
        ge=0, le=10, role="palanca")
    results: dict[str, ResultTarget] = param(
        "resultados", label="Resultados estratégicos del PDM-OT / PEI", unit="",
        source="PDM-OT / PEI del municipio (params/municipios/<código>.yaml).")
    om_after_horizon: bool = param(
        "operacion_despues_horizonte",
        label="La operación de lo construido debe caber en los ingresos propios después del plan",
        unit="sí/no", source="Elección de Nexos: que el plan siga siendo pagable cuando termina.")
    time_limit: float = param(
        "tiempo_limite", label="Tiempo máximo del optimizador", unit="segundos",
        source="HiGHS (scipy.optimize.milp): una cartera municipal, menos de 1 s; "
               "200 proyectos × 10 años, de 15 s a 2 min (make bench).",
        ge=1, le=3600)

    @model_validator(mode="after")
    def _priorities(self) -> "InvestmentSettings":
        bad = {k: v for k, v in self.sector_priority.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"prioridad_sector: fuera de rango {bad} (se esperaba: entre 0 y 1)")
        return self


__all__ = ["InvestmentSettings", "ResultTarget", "ScoreWeights"]
