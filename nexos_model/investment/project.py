"""The investment project and its validation: candidate projects a council may programme (POM/POA).

A project's keys are Spanish (``nombre``, ``costo_total``, ``fuentes``...); attributes are
English. Validation reports every problem of every project at once, each as
``archivo: proyecto 'X' (fila N): campo: mensaje (valor dado: ...; se esperaba: ...)``.
Cross-project rules (unique names, known dependencies, no dependency cycles) are checked
after the per-project ones and reported in the same list. Reading and writing portfolio
files is :mod:`nexos_model.io.portfolio`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nexos_model.errors import ParameterError
from nexos_model.params.problems import PYDANTIC_MESSAGES, key_path, kind_of, location, shown

# Funding sources, in the order a finance officer usually exhausts them: earmarked
# transfers first, own revenue last (it also pays the payroll and the O&M).
FUENTES: tuple[str, ...] = ("codede", "iva_paz", "aporte_constitucional", "prestamo_infom", "propios")
Fuente = Literal["propios", "aporte_constitucional", "iva_paz", "codede", "prestamo_infom"]

#: The two sources the programme treats apart: own revenue also pays the O&M of what is built;
#: INFOM loans share one debt-service room (:mod:`nexos_model.investment.borrowing`).
PROPIOS = "propios"
INFOM = "prestamo_infom"

MAX_DURATION = 10
_SHARE_TOLERANCE = 1e-6


class Project(BaseModel):
    """One candidate investment project (Spanish keys as aliases, English attributes)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True
    )

    name: str = Field(alias="nombre", min_length=1)
    snip_code: str | None = Field(default=None, alias="codigo_snip")
    sector: str = Field(alias="sector", min_length=1)
    total_cost: float = Field(alias="costo_total", gt=0, allow_inf_nan=False)
    duration: int = Field(alias="duracion", ge=1, le=MAX_DURATION)
    cost_profile: tuple[Annotated[float, Field(ge=0, le=1)], ...] | None = Field(
        default=None, alias="perfil_costo"
    )
    earliest_start: int | None = Field(default=None, alias="inicio_minimo", ge=1900, le=2200)
    latest_start: int | None = Field(default=None, alias="inicio_maximo", ge=1900, le=2200)
    # None = not declared: the plan estimates it (gasto.funcionamiento.operacion_mantenimiento_inversion)
    annual_om_cost: float | None = Field(default=None, alias="costo_operacion_anual", ge=0, allow_inf_nan=False)
    beneficiaries: int = Field(default=0, alias="beneficiarios", ge=0)
    alignment: float = Field(default=0.0, alias="alineacion", ge=0, le=5)
    mandatory: bool = Field(default=False, alias="obligatorio")
    depends_on: tuple[str, ...] = Field(default=(), alias="depende_de")
    exclusive_group: str | None = Field(default=None, alias="grupo_exclusivo")
    sources: tuple[Fuente, ...] = Field(alias="fuentes", min_length=1)
    results: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict, alias="resultados"
    )
    illustrative: bool = Field(default=False, alias="ilustrativo")

    @field_validator("sources")
    @classmethod
    def _unique_sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @field_validator("depends_on")
    @classmethod
    def _unique_dependencies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))

    @field_validator("cost_profile")
    @classmethod
    def _shares_sum_to_one(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and abs(sum(value) - 1.0) > _SHARE_TOLERANCE:
            raise ValueError(
                f"perfil_costo: las proporciones suman {sum(value):.4g} "
                f"(valor dado: {list(value)}; se esperaba: proporciones que sumen 1)"
            )
        return value

    @model_validator(mode="after")
    def _profile_and_window(self) -> "Project":
        if self.cost_profile is None:
            object.__setattr__(self, "cost_profile", (1.0 / self.duration,) * self.duration)
        problems = _cross_field_problems(
            self.name, self.duration, self.cost_profile, self.earliest_start, self.latest_start,
            self.depends_on,
        )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def yearly_cost(self) -> np.ndarray:
        """Cost in each year of execution (Q): ``costo_total × perfil_costo``."""
        return self.total_cost * np.asarray(self.cost_profile, dtype=float)


def _cross_field_problems(name, duration, profile, start_min, start_max, depends_on) -> list[str]:
    """Checks that involve two fields; run on raw values too, so they show with other errors."""
    problems = []
    if isinstance(duration, int) and isinstance(profile, (list, tuple)) and len(profile) != duration:
        problems.append(
            f"perfil_costo: tiene {len(profile)} partes y la duración es {duration} años "
            f"(valor dado: {list(profile)}; se esperaba: {duration} proporciones, una por año)"
        )
    if isinstance(start_min, int) and isinstance(start_max, int) and start_min > start_max:
        problems.append(
            f"inicio_minimo: es posterior a inicio_maximo (valor dado: {start_min} > {start_max}; "
            "se esperaba: inicio_minimo <= inicio_maximo)"
        )
    if isinstance(depends_on, (list, tuple)) and name in depends_on:
        problems.append(
            f"depende_de: el proyecto depende de sí mismo (valor dado: {list(depends_on)}; "
            "se esperaba: nombres de otros proyectos)"
        )
    return problems


def _as_int(value: Any) -> Any:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- messages


# Pydantic error types in Spanish: the parameters' table, with the portfolio's own words.
_MESSAGES = {
    **PYDANTIC_MESSAGES,
    "missing": "falta este campo",
    "extra_forbidden": "campo desconocido",
    "string_too_short": "no puede estar vacío",
    "dict_type": "debe ser un mapa resultado: aporte",
    "tuple_type": "debe ser una lista",
    "too_short": "no puede estar vacío",
    "literal_error": "fuente de financiamiento desconocida",
}


_EXPECTED = {
    "nombre": "un texto no vacío",
    "sector": "un texto no vacío, p. ej. agua, transporte, educacion",
    "costo_total": "un monto en quetzales mayor que 0",
    "duracion": f"un número entero de años entre 1 y {MAX_DURATION}",
    "perfil_costo": "proporciones entre 0 y 1 que sumen 1, una por año de duración",
    "inicio_minimo": "un año, p. ej. 2026",
    "inicio_maximo": "un año, p. ej. 2028",
    "costo_operacion_anual": "un monto anual en quetzales >= 0 (vacío: se estima con los parámetros)",
    "beneficiarios": "un número entero >= 0",
    "alineacion": "un puntaje de alineación con el PDM-OT entre 0 y 5",
    "obligatorio": "true o false (sí/no)",
    "depende_de": "una lista de nombres de proyectos de la cartera",
    "grupo_exclusivo": "un nombre de grupo",
    "fuentes": "una lista con " + ", ".join(FUENTES),
    "resultados": "un mapa resultado: aporte (número >= 0), p. ej. cobertura_agua: 1200",
    "codigo_snip": "un código SNIP",
    "ilustrativo": "true o false",
}


#: Spanish key -> attribute of every project field (what a portfolio file may name).
FIELD_ALIASES = {f.alias: name for name, f in Project.model_fields.items()}


def _project_label(raw: Mapping[str, Any], position: int) -> str:
    nombre = raw.get("nombre") if isinstance(raw, Mapping) else None
    return f"proyecto '{nombre}'" if nombre not in (None, "") else f"proyecto número {position}"


def _explain(exc: ValidationError, prefix: str, raw: Mapping[str, Any]) -> list[str]:
    messages: list[str] = []
    errors = exc.errors()
    bad_items = {str(e["loc"][0]) for e in errors if len(e["loc"]) > 1}
    for error in errors:
        parts, is_key = location(error["loc"])
        loc = [str(p) for p in parts]
        if error["type"] == "value_error":  # our own checks carry the whole text
            text = str(error.get("ctx", {}).get("error", error["msg"]))
            messages.extend(f"{prefix}: {line}" for line in text.splitlines())
            continue
        if error["type"] == "too_short" and loc and loc[0] in bad_items:
            continue  # an invalid item was dropped; the item's own error says it all
        campo = loc[0] if loc else "proyecto"
        path = key_path(loc) if loc else campo
        if error["type"] == "extra_forbidden":
            path = shown(error["loc"][0]) if error["loc"] else path  # the user's own name for the column
        text = _MESSAGES.get(error["type"], "valor no válido")
        detail = [] if error["type"] == "missing" else [f"valor dado: {shown(error.get('input'))}"]
        expected = _EXPECTED.get(campo)
        if is_key:
            text, expected = "clave no válida", "un texto (el nombre de un resultado, p. ej. cobertura_agua)"
        if error["type"] == "extra_forbidden":
            expected = "uno de " + ", ".join(FIELD_ALIASES)
        if expected:
            detail.append(f"se esperaba: {expected}")
        messages.append(f"{prefix}: {path}: {text} ({'; '.join(detail)})")
    if not any(e["type"] == "value_error" and not e["loc"] for e in errors):
        profile = raw.get("perfil_costo")
        for line in _cross_field_problems(
            raw.get("nombre"), _as_int(raw.get("duracion")),
            profile if isinstance(profile, (list, tuple)) else None,
            _as_int(raw.get("inicio_minimo")), _as_int(raw.get("inicio_maximo")),
            raw.get("depende_de"),
        ):
            messages.append(f"{prefix}: {line}")
    return messages


def _cycle(graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A dependency cycle as a list of names (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def portfolio_errors(projects: Sequence[Project], rows: Sequence[str] | None = None) -> list[str]:
    """Cross-project problems: duplicate names, unknown dependencies, cycles.

    ``rows`` gives each project's location label (``fila N``) for the messages.
    """
    rows = list(rows) if rows is not None else [f"número {i + 1}" for i in range(len(projects))]
    errors = []
    seen: dict[str, str] = {}
    for project, row in zip(projects, rows):
        if project.name in seen:
            errors.append(
                f"proyecto '{project.name}' ({row}): nombre: repetido, ya usado en {seen[project.name]} "
                f"(valor dado: {project.name!r}; se esperaba: un nombre único en la cartera)"
            )
        else:
            seen[project.name] = row
    for project, row in zip(projects, rows):
        unknown = [d for d in project.depends_on if d not in seen]
        if unknown:
            errors.append(
                f"proyecto '{project.name}' ({row}): depende_de: proyecto desconocido "
                f"(valor dado: {unknown}; se esperaba: {_EXPECTED['depende_de']})"
            )
    cycle = _cycle({p.name: list(p.depends_on) for p in projects})
    if cycle:
        row = seen.get(cycle[0], "")
        errors.append(
            f"proyecto '{cycle[0]}' ({row}): depende_de: dependencia circular "
            f"(valor dado: {' -> '.join(cycle)}; se esperaba: dependencias sin ciclos)"
        )
    return errors


def validate_projects(
    records: Sequence[tuple[str, Mapping[str, Any]]], archivo: str = "cartera"
) -> list[Project]:
    """Validate raw project mappings; ``records`` holds (location label, mapping) pairs.

    Raises ParameterError listing every problem of every project.
    """
    errors: list[str] = []
    projects: list[Project] = []
    rows: list[str] = []
    for position, (row, raw) in enumerate(records, start=1):
        prefix = f"{archivo}: {_project_label(raw, position)} ({row})"
        if not isinstance(raw, Mapping):
            errors.append(
                f"{prefix}: se esperaba un mapa de campos (nombre: ..., costo_total: ...), "
                f"no {kind_of(raw)}"
            )
            continue
        try:
            projects.append(Project.model_validate(dict(raw), by_alias=True, by_name=False))
            rows.append(row)
        except ValidationError as exc:
            errors.extend(_explain(exc, prefix, raw))
    if not errors:
        errors.extend(f"{archivo}: {m}" for m in portfolio_errors(projects, rows))
    else:  # still report unknown dependencies etc. among the projects that did validate
        names = {str(raw.get("nombre")) for _, raw in records if isinstance(raw, Mapping)}
        for position, (row, raw) in enumerate(records, start=1):
            deps = raw.get("depende_de") if isinstance(raw, Mapping) else None
            if not isinstance(deps, (list, tuple)):
                continue
            unknown = [d for d in deps if str(d) not in names]
            if unknown:
                errors.append(
                    f"{archivo}: {_project_label(raw, position)} ({row}): depende_de: proyecto "
                    f"desconocido (valor dado: {unknown}; se esperaba: {_EXPECTED['depende_de']})"
                )
    if errors:
        raise ParameterError(errors)
    return projects


def check_portfolio(projects: Sequence[Project]) -> None:
    """Raise ParameterError if projects built in code break a cross-project rule."""
    errors = portfolio_errors(projects)
    if errors:
        raise ParameterError([f"cartera: {m}" for m in errors])


def projects_table(projects: Sequence[Project]) -> pd.DataFrame:
    """The portfolio as a DataFrame with the Spanish column names (for reports)."""
    rows = []
    for p in projects:
        rows.append(
            {
                "nombre": p.name,
                "sector": p.sector,
                "costo_total": p.total_cost,
                "duracion": p.duration,
                "inicio_minimo": p.earliest_start,
                "inicio_maximo": p.latest_start,
                "costo_operacion_anual": p.annual_om_cost,
                "beneficiarios": p.beneficiaries,
                "alineacion": p.alignment,
                "obligatorio": p.mandatory,
                "depende_de": ";".join(p.depends_on),
                "grupo_exclusivo": p.exclusive_group or "",
                "fuentes": ";".join(p.sources),
                "ilustrativo": p.illustrative,
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "FIELD_ALIASES",
    "FUENTES",
    "INFOM",
    "PROPIOS",
    "Project",
    "check_portfolio",
    "portfolio_errors",
    "projects_table",
    "validate_projects",
]
