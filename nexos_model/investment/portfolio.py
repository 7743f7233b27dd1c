"""The investment portfolio: candidate projects a council may programme (POM/POA).

A portfolio file lists projects under ``proyectos`` (YAML, ``params/carteras/<code>.yaml``)
or one project per row (CSV/XLSX, same column names, lists written ``a;b`` and mappings
``cobertura_agua:1200;escuelas:3``). Keys are Spanish; attributes are English.

Validation reports every problem of every project at once, each as
``archivo: proyecto 'X' (fila N): campo: mensaje (valor dado: ...; se esperaba: ...)``.
Cross-project rules (unique names, known dependencies, no dependency cycles) are checked
after the per-project ones and reported in the same list.

:func:`illustrative_portfolio` builds an ILLUSTRATIVE portfolio for any municipality, sized
from its real 2016 spending by función, for demonstrations where no real portfolio exists.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nexos_model.errors import DataFileError, ParameterError
from nexos_model.params.loader import PYDANTIC_MESSAGES

PathLike = str | os.PathLike

# Funding sources, in the order a finance officer usually exhausts them: earmarked
# transfers first, own revenue last (it also pays the payroll and the O&M).
FUENTES: tuple[str, ...] = ("codede", "iva_paz", "aporte_constitucional", "prestamo_infom", "propios")
Fuente = Literal["propios", "aporte_constitucional", "iva_paz", "codede", "prestamo_infom"]

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

_ALIASES = {f.alias: name for name, f in Project.model_fields.items()}


def _project_label(raw: Mapping[str, Any], position: int) -> str:
    nombre = raw.get("nombre") if isinstance(raw, Mapping) else None
    return f"proyecto '{nombre}'" if nombre not in (None, "") else f"proyecto número {position}"


def _explain(exc: ValidationError, prefix: str, raw: Mapping[str, Any]) -> list[str]:
    messages = []
    errors = exc.errors()
    bad_items = {str(e["loc"][0]) for e in errors if len(e["loc"]) > 1}
    for error in errors:
        loc = [str(p) for p in error["loc"]]
        if error["type"] == "value_error":  # our own checks carry the whole text
            text = str(error.get("ctx", {}).get("error", error["msg"]))
            messages.extend(f"{prefix}: {line}" for line in text.splitlines())
            continue
        if error["type"] == "too_short" and loc and loc[0] in bad_items:
            continue  # an invalid item was dropped; the item's own error says it all
        campo = loc[0] if loc else "proyecto"
        path = ".".join(loc) if loc else campo
        text = _MESSAGES.get(error["type"], error["msg"])
        detail = [] if error["type"] == "missing" else [f"valor dado: {error.get('input')!r}"]
        expected = _EXPECTED.get(campo)
        if error["type"] == "extra_forbidden":
            expected = "uno de " + ", ".join(_ALIASES)
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
                f"no {type(raw).__name__}"
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


# --------------------------------------------------------------------------- files

_LIST_FIELDS = {"perfil_costo", "depende_de", "fuentes"}
_AMOUNT_FIELDS = {"costo_total", "costo_operacion_anual"}
_BOOL_WORDS = {
    "si": True, "sí": True, "s": True, "true": True, "verdadero": True, "1": True, "x": True,
    "no": False, "n": False, "false": False, "falso": False, "0": False,
}


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """One YAML document's node tree (for line numbers) and its data, as ``yaml.safe_load``.

    Parsed once, by libyaml when PyYAML has it (ten times faster); a document libyaml rejects
    is parsed again by PyYAML, so the error message is PyYAML's usual one.
    """
    if getattr(yaml, "__with_libyaml__", False):
        try:
            return _load_yaml(yaml.CSafeLoader, text)
        except yaml.YAMLError:
            pass
    return _load_yaml(yaml.SafeLoader, text)


def _load_yaml(loader_class: type, text: str) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, (None if root is None else loader.construct_document(root))
    finally:
        loader.dispose()


def _yaml_records(path: Path, archivo: str) -> list[tuple[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    try:
        root, data = _parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (línea {mark.line + 1})" if mark else ""
        raise DataFileError(f"{archivo}: no es un YAML válido{where}: {getattr(exc, 'problem', exc)}")
    if not isinstance(data, Mapping) or not isinstance(data.get("proyectos"), list):
        raise DataFileError(
            f"{archivo}: se esperaba una lista de proyectos bajo la clave 'proyectos' "
            "(proyectos:\\n  - nombre: ...)"
        )
    unknown = [k for k in data if k not in ("proyectos", "municipio", "descripcion", "ilustrativo", "nota")]
    lines: list[int | None] = [None] * len(data["proyectos"])
    for key, value in getattr(root, "value", []):
        if getattr(key, "value", None) == "proyectos" and isinstance(value, yaml.SequenceNode):
            lines = [item.start_mark.line + 1 for item in value.value]
    records: list[tuple[str, Any]] = [
        (f"fila {line}" if line else f"elemento {i + 1}", item)
        for i, (line, item) in enumerate(zip(lines, data["proyectos"]))
    ]
    if unknown:
        raise ParameterError(
            [f"{archivo}: {k}: clave desconocida (se esperaba: proyectos, municipio, descripcion, ilustrativo, nota)"
             for k in unknown]
        )
    return records


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("|", ";").split(";") if part.strip()]


def cell_value(field: str, text: str) -> Any:
    """A CSV/XLSX cell as the value the schema expects (unparseable text passes through)."""
    from nexos_model.io.readers import parse_amount

    if field in _LIST_FIELDS:
        return _split(text)
    if field == "resultados":
        out: dict[str, Any] = {}
        for part in _split(text):
            key, sep, value = part.replace("=", ":").partition(":")
            if not sep:
                return text  # reported as not a mapping
            try:
                out[key.strip()] = parse_amount(value)
            except ValueError:
                out[key.strip()] = value.strip()
        return out
    if field in ("obligatorio", "ilustrativo"):
        return _BOOL_WORDS.get(text.strip().lower(), text)
    if field in _AMOUNT_FIELDS:
        try:
            return parse_amount(text)
        except ValueError:
            return text
    return text


def _table_records(path: Path, archivo: str) -> list[tuple[str, Any]]:
    from nexos_model.io.readers import normalize_name, read_table

    header = {"nombre": ("nombre",), "costo_total": ("costo_total",)}
    table = read_table(path, header=header)
    by_key = {normalize_name(alias): alias for alias in _ALIASES}
    columns = [c for c in table.columns if c != "fila"]
    written = table.attrs.get("columnas", {})
    records = []
    for _, row in table.iterrows():
        raw: dict[str, Any] = {}
        for column in columns:
            text = str(row[column]).strip()
            if not text:
                continue
            field = by_key.get(column, written.get(column, column))
            raw[field] = cell_value(field, text)
        records.append((f"fila {int(row['fila'])}", raw))
    return records


def load_portfolio(path: PathLike) -> list[Project]:
    """Read and validate a portfolio file (YAML with ``proyectos``, or CSV/XLSX).

    Raises DataFileError if the file cannot be read, ParameterError listing every invalid
    field of every project otherwise.
    """
    path = Path(path)
    archivo = str(path)
    if not path.is_file():
        raise DataFileError(f"{archivo}: no existe el archivo de cartera")
    if path.suffix.lower() in (".yaml", ".yml"):
        records = _yaml_records(path, archivo)
    else:
        records = _table_records(path, archivo)
    if not records:
        raise DataFileError(f"{archivo}: la cartera no tiene proyectos")
    return validate_projects(records, archivo)


def portfolio_file(code: str, params_root: PathLike) -> Path:
    """``<params>/carteras/<code>.yaml``: where a municipality's portfolio lives."""
    return Path(params_root) / "carteras" / f"{code}.yaml"


def portfolio_to_yaml(projects: Iterable[Project]) -> str:
    """YAML text of a portfolio with the Spanish keys (round-trips through load_portfolio)."""
    items = []
    for p in projects:
        item = p.model_dump(by_alias=True, exclude_defaults=True)
        item["perfil_costo"] = [round(s, 10) for s in p.cost_profile]
        for key in ("depende_de", "fuentes", "perfil_costo"):
            if key in item:
                item[key] = list(item[key])
        items.append(item)
    return yaml.safe_dump({"proyectos": items}, allow_unicode=True, sort_keys=False)


# --------------------------------------------------------------------------- illustrative

# Spending functions (MINFIN clasificación funcional) -> portfolio sector.
FUNCTION_SECTORS: dict[str, str] = {
    "Abastecimiento de Agua": "agua",
    "Ordenación de Aguas Residuales": "saneamiento",
    "Ordenación de Desechos": "desechos",
    "Transporte": "transporte",
    "Urbanización": "urbanizacion",
    "Urbanización y Servicios Comunitarios n.c.d": "urbanizacion",
    "Desarrollo Comunitario": "urbanizacion",
    "Vivienda": "urbanizacion",
    "Educación Preprimaria y Primaria": "educacion",
    "Educación Media": "educacion",
    "Educación n.c.d": "educacion",
    "Educación no Atribuible a Ningún Nivel Escolarizado": "educacion",
    "Servicios Auxiliares de la Educación": "educacion",
    "Salud n.c.d": "salud",
    "Servicios de Salud Pública": "salud",
    "Servicios Hospitalarios": "salud",
    "Servicios para Pacientes Externos": "salud",
}

# Project templates per sector: (name, cost in years of the sector's spending, duration,
# O&M share of cost, result id, result per unit of basis, basis, sources). The basis of a
# result is "personas" (people served: the project's beneficiaries) or "costo" (per Q1,000
# invested: about Q3 million per km of paved rural road, Q400,000 per classroom); waste
# treated is about 0.2 t per person a year.
_TEMPLATES: dict[str, list[tuple[str, float, int, float, str | None, float, str, tuple[str, ...]]]] = {
    "agua": [
        ("Ampliación del sistema de agua potable", 2.5, 2, 0.04, "cobertura_agua", 1.0, "personas",
         ("codede", "aporte_constitucional", "prestamo_infom")),
        ("Pozo mecánico y tanque de distribución", 1.2, 1, 0.05, "cobertura_agua", 1.0, "personas",
         ("aporte_constitucional", "iva_paz")),
        ("Cloración y micromedición", 0.6, 1, 0.03, None, 0.0, "personas",
         ("iva_paz", "propios")),
    ],
    "saneamiento": [
        ("Planta de tratamiento de aguas residuales", 3.0, 2, 0.05, "cobertura_saneamiento", 0.5, "personas",
         ("codede", "prestamo_infom", "aporte_constitucional")),
        ("Colector de drenaje sanitario", 1.5, 2, 0.02, "cobertura_saneamiento", 1.0, "personas",
         ("aporte_constitucional", "codede")),
    ],
    "desechos": [
        ("Relleno sanitario regional", 2.5, 2, 0.05, "desechos_tratados", 0.2, "personas",
         ("codede", "prestamo_infom", "aporte_constitucional")),
        ("Centro de acopio y compostaje", 0.8, 1, 0.04, "desechos_tratados", 0.05, "personas",
         ("iva_paz", "propios")),
    ],
    "transporte": [
        ("Pavimentación de camino rural", 2.0, 2, 0.03, "km_caminos", 1 / 3000, "costo",
         ("codede", "aporte_constitucional")),
        ("Puente vehicular", 1.2, 1, 0.02, None, 0.0, "costo",
         ("aporte_constitucional", "iva_paz", "codede")),
    ],
    "urbanizacion": [
        ("Mejoramiento de calles del casco urbano", 1.5, 1, 0.02, None, 0.0, "costo",
         ("aporte_constitucional", "iva_paz", "propios")),
        ("Mercado municipal", 2.5, 2, 0.04, None, 0.0, "costo",
         ("prestamo_infom", "aporte_constitucional", "propios")),
        ("Mercado en terminal de buses", 2.2, 2, 0.04, None, 0.0, "costo",
         ("prestamo_infom", "aporte_constitucional", "propios")),
    ],
    "educacion": [
        ("Ampliación de escuela primaria", 1.0, 1, 0.03, "aulas", 1 / 400, "costo",
         ("aporte_constitucional", "codede")),
        ("Instituto de educación básica", 1.8, 2, 0.03, "aulas", 1 / 400, "costo",
         ("codede", "aporte_constitucional", "iva_paz")),
    ],
    "salud": [
        ("Puesto de salud", 1.0, 1, 0.05, "cobertura_salud", 1.0, "personas",
         ("codede", "aporte_constitucional")),
        ("Centro de atención permanente", 2.0, 2, 0.05, "cobertura_salud", 1.0, "personas",
         ("codede", "aporte_constitucional", "iva_paz")),
    ],
}

ILLUSTRATIVE_PREFIX = "[ILUSTRATIVO] "
_SECTOR_FLOOR_SHARE = 0.04  # sector with no recorded spending: size it as 4 % of the total
_MIN_SECTOR_SPEND = 250_000.0  # Q; no project cheaper than a small works contract


def sector_spending(municipio: str, year: int = 2016) -> dict[str, float]:
    """Devengado (Q) by portfolio sector in ``year`` from the bundled spending history."""
    from nexos_model.io.bundled import load_spending_history

    history = load_spending_history()
    rows = history[(history["municipio"] == municipio) & (history["anio"] == year)]
    if rows.empty:
        raise ParameterError(
            f"municipio '{municipio}': sin gasto por función en {year} en los datos incluidos "
            "(se esperaba: un código INE de 4 dígitos; ver `nexos municipios`)"
        )
    total = float(rows["devengado"].sum())
    by_sector = {s: 0.0 for s in _TEMPLATES}
    for function, amount in rows.groupby("funcion")["devengado"].sum().items():
        sector = FUNCTION_SECTORS.get(str(function))
        if sector:
            by_sector[sector] += float(amount)
    floor = max(_SECTOR_FLOOR_SHARE * total, _MIN_SECTOR_SPEND)
    return {s: max(v, floor) for s, v in by_sector.items()}


def illustrative_portfolio(
    municipio: str, years: Sequence[int], budget_scale: float = 1.0, total_cost: float | None = None
) -> list[Project]:
    """An ILLUSTRATIVE portfolio (16 projects) for ``municipio``, sized from its 2016 spending.

    Each project's cost is a multiple of its sector's 2016 devengado (a sector with little or
    no recorded spending gets 4 % of the municipality's total, at least Q250,000), times
    ``budget_scale``. The bundled spending by función covers only part of what municipalities
    spend (a median 8 % of revenue), so callers that know the fiscal space pass
    ``total_cost``: costs (and their O&M and results) are then rescaled to add up to it,
    keeping the sector mix. Randomness (multipliers, scores, windows) is seeded by the code, so
    the same municipality always gets the same portfolio. It includes one dependency (the
    drainage collector needs the treatment plant), one exclusive pair (two market sites), one
    mandatory project (water chlorination, a health-code obligation in this example), and
    O&M of 2-5 % of cost per year. Every project is flagged ``ilustrativo`` and its name
    carries the prefix ``[ILUSTRATIVO]``: it is not a real municipal plan.
    """
    years = [int(y) for y in years]
    if not years:
        raise ParameterError("anios: la lista de años está vacía (se esperaba: p. ej. [2026, 2027, 2028])")
    if not budget_scale > 0:
        raise ParameterError(f"escala: valor dado {budget_scale!r} (se esperaba: un número mayor que 0)")
    if total_cost is not None and not total_cost > 0:
        raise ParameterError(f"costo_total: valor dado {total_cost!r} (se esperaba: un monto mayor que 0)")
    spend = sector_spending(municipio)
    seed = int(hashlib.sha256(municipio.encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    first, last = years[0], years[-1]
    population = _population(municipio)
    projects: list[dict[str, Any]] = []
    drawn: list[tuple[float, float, str | None, float, str]] = []  # cost, O&M share, result, per unit, basis
    for sector, templates in _TEMPLATES.items():
        for name, multiple, duration, om_share, result, per_unit, basis, sources in templates:
            duration = min(duration, len(years))
            cost = spend[sector] * multiple * budget_scale * rng.uniform(0.8, 1.25)
            latest = max(first, last - duration + 1)
            start_min = int(first + rng.integers(0, max(1, min(2, latest - first + 1))))
            beneficiaries = int(population * rng.uniform(0.03, 0.25))
            item: dict[str, Any] = {
                "nombre": ILLUSTRATIVE_PREFIX + name,
                "sector": sector,
                "duracion": duration,
                "inicio_minimo": min(start_min, latest),
                "inicio_maximo": latest,
                "beneficiarios": beneficiaries,
                "alineacion": int(rng.integers(2, 6)),
                "fuentes": list(sources),
                "ilustrativo": True,
            }
            if duration > 1:
                front = round(float(rng.uniform(0.35, 0.6)), 2)
                shares = [front] + [(1 - front) / (duration - 1)] * (duration - 1)
                shares[-1] = round(1.0 - sum(shares[:-1]), 10)
                item["perfil_costo"] = shares
            projects.append(item)
            drawn.append((cost, om_share, result, per_unit, basis))
    factor = 1.0 if total_cost is None else total_cost / sum(d[0] for d in drawn)
    for item, (cost, om_share, result, per_unit, basis) in zip(projects, drawn):
        cost = max(round(cost * factor, -3), 50_000.0)
        item["costo_total"] = cost
        item["costo_operacion_anual"] = round(cost * om_share)
        if result:
            amount = item["beneficiarios"] if basis == "personas" else cost / 1000
            item["resultados"] = {result: round(amount * per_unit, 2)}
    by_name = {p["nombre"]: p for p in projects}
    plant = by_name[ILLUSTRATIVE_PREFIX + "Planta de tratamiento de aguas residuales"]
    collector = by_name[ILLUSTRATIVE_PREFIX + "Colector de drenaje sanitario"]
    collector["depende_de"] = [plant["nombre"]]
    plant["inicio_minimo"] = first
    collector["inicio_maximo"] = max(first, last - collector["duracion"] + 1)
    collector["inicio_minimo"] = min(first + plant["duracion"], collector["inicio_maximo"])
    for market in ("Mercado municipal", "Mercado en terminal de buses"):
        by_name[ILLUSTRATIVE_PREFIX + market]["grupo_exclusivo"] = "sede_mercado"
    mandatory = by_name[ILLUSTRATIVE_PREFIX + "Cloración y micromedición"]
    mandatory.update(obligatorio=True, inicio_minimo=first, inicio_maximo=last)
    return validate_projects(
        [(f"elemento {i + 1}", p) for i, p in enumerate(projects)], f"cartera ilustrativa {municipio}"
    )


def _population(municipio: str) -> int:
    from nexos_model.io.bundled import load_municipalities

    table = load_municipalities()
    match = table.loc[table["municipio"] == municipio, "poblacion"]
    return int(match.iloc[0]) if len(match) else 10_000


def projects_table(projects: Sequence[Project]):
    """The portfolio as a DataFrame with the Spanish column names (for reports)."""
    import pandas as pd

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
    "FUENTES",
    "FUNCTION_SECTORS",
    "ILLUSTRATIVE_PREFIX",
    "Project",
    "check_portfolio",
    "illustrative_portfolio",
    "load_portfolio",
    "portfolio_errors",
    "portfolio_file",
    "portfolio_to_yaml",
    "projects_table",
    "sector_spending",
    "validate_projects",
]
