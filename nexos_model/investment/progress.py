"""Strategic results (PDM-OT / PEI): targets, and the progress a programme buys.

A result target is ``linea_base`` (value at the start) and ``meta`` (value to reach by
``anio_meta``, by default the last programmed year). The target path is linear from the
baseline in the year before the first programmed year to the target in ``anio_meta``.
A project adds its ``resultados`` contribution in the year it finishes (a water system
serves nobody until it is built).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nexos_model.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from nexos_model.investment.optimize import Programme
    from nexos_model.investment.portfolio import Project


class ResultTarget(BaseModel):
    """One strategic result: where it stands and where the plan wants it."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True)

    baseline: float = Field(alias="linea_base", allow_inf_nan=False)
    target: float = Field(alias="meta", allow_inf_nan=False)
    target_year: int | None = Field(default=None, alias="anio_meta", ge=1900, le=2200)
    label: str | None = Field(default=None, alias="etiqueta")
    unit: str | None = Field(default=None, alias="unidad")

    @property
    def gap(self) -> float:
        """What the portfolio must add: ``meta - linea_base`` (units of the result)."""
        return self.target - self.baseline


def parse_targets(targets: Mapping[str, Any] | None, archivo: str = "resultados") -> dict[str, ResultTarget]:
    """Validate ``{result_id: {linea_base, meta, anio_meta?}}``; every error at once."""
    if not targets:
        return {}
    out, errors = {}, []
    for key, value in targets.items():
        if isinstance(value, ResultTarget):
            out[key] = value
            continue
        try:
            out[key] = ResultTarget.model_validate(value)
        except ValidationError as exc:
            for e in exc.errors():
                campo = ".".join(str(p) for p in e["loc"]) or key
                errors.append(
                    f"{archivo}: {key}.{campo}: {'falta este campo' if e['type'] == 'missing' else 'valor no válido'}"
                    f" (valor dado: {e.get('input')!r}; se esperaba: un número para linea_base y meta)"
                )
    if errors:
        raise ParameterError(errors)
    return out


def strategic_progress(
    programme: "Programme", results_targets: Mapping[str, Any], projects: Sequence["Project"] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Programmed cumulative progress per result and year vs the linear target path.

    Returns ``(table, messages)``. ``table`` has one row per result and year:
    ``resultado, anio, programado`` (baseline + contributions of projects finished by that
    year), ``meta_lineal`` (baseline + gap × (year - year0) / (anio_meta - year0), where year0
    is the year before the first programmed year), ``brecha`` (meta_lineal - programado,
    positive = behind) and ``en_camino`` (programado >= meta_lineal). ``messages`` says, in
    Spanish, which results the money cannot reach and whether even the whole portfolio
    would (then more projects are needed, not just more money).
    """
    targets = parse_targets(results_targets)
    projects = list(projects) if projects is not None else list(programme.projects)
    by_name = {p.name: p for p in projects}
    years = list(programme.years)
    year0 = years[0] - 1
    finish = {row.proyecto: int(row.fin) for row in programme.cronograma.itertuples()}
    rows, messages = [], []
    for result, target in targets.items():
        end = target.target_year or years[-1]
        label = target.label or result
        for year in years:
            done = sum(
                by_name[name].results.get(result, 0.0) for name, fin in finish.items() if fin <= year
            )
            share = min(max((year - year0) / max(end - year0, 1), 0.0), 1.0)
            path = target.baseline + target.gap * share
            programmed = target.baseline + done
            rows.append(
                {
                    "resultado": result,
                    "anio": year,
                    "programado": programmed,
                    "meta_lineal": path,
                    "brecha": path - programmed,
                    "en_camino": programmed >= path - 1e-9 * max(1.0, abs(path)),
                }
            )
        reached = target.baseline + sum(
            by_name[n].results.get(result, 0.0) for n, f in finish.items() if f <= end
        )
        potential = target.baseline + sum(p.results.get(result, 0.0) for p in projects)
        if target.gap > 0 and reached < target.target - 1e-9 * max(1.0, abs(target.target)):
            pct = 100.0 * (reached - target.baseline) / target.gap
            text = (
                f"{label}: con el espacio fiscal disponible llega a {reached:,.2f} de la meta "
                f"{target.target:,.2f} en {end} ({pct:.0f} % de la brecha)"
            )
            if potential < target.target - 1e-9 * max(1.0, abs(target.target)):
                text += (
                    f"; ni toda la cartera alcanzaría la meta (llegaría a {potential:,.2f}): "
                    "faltan proyectos, no solo dinero"
                )
            else:
                text += "; la cartera completa sí la alcanzaría con más recursos"
            messages.append(text)
    table = pd.DataFrame(
        rows, columns=["resultado", "anio", "programado", "meta_lineal", "brecha", "en_camino"]
    )
    return table, messages


__all__ = ["ResultTarget", "parse_targets", "strategic_progress"]
