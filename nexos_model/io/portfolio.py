"""Portfolio files: where a municipality's candidate projects come from, and how they are written.

A portfolio file lists projects under ``proyectos`` (YAML, ``params/carteras/<code>.yaml``)
or one project per row (CSV/XLSX, same column names, lists written ``a;b`` and mappings
``cobertura_agua:1200;escuelas:3``). The projects are validated by
:func:`nexos_model.investment.project.validate_projects`, every problem at once, with the row
of each. A municipality without a file gets an ILLUSTRATIVE portfolio sized from the bundled
data (:func:`illustrative_portfolio_for`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from nexos_model.errors import DataFileError, ParameterError
from nexos_model.investment.illustrative import illustrative_portfolio, sector_spending
from nexos_model.investment.project import FIELD_ALIASES, Project, validate_projects
from nexos_model.io.bundled import load_municipalities, load_spending_history
from nexos_model.io.tables import normalize_name, parse_amount, read_table
from nexos_model.params.problems import shown
from nexos_model.params.yaml_reader import parse_yaml, read_yaml_text
from nexos_model.params.schema import JSON_SCHEMA_DIALECT

PathLike = str | os.PathLike
PORTFOLIO_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")
#: Inhabitants assumed for a municipality the census table does not have.
_UNKNOWN_POPULATION = 10_000


_LIST_FIELDS = {"perfil_costo", "depende_de", "fuentes"}
_AMOUNT_FIELDS = {"costo_total", "costo_operacion_anual"}
_BOOL_WORDS = {
    "si": True, "sí": True, "s": True, "true": True, "verdadero": True, "1": True, "x": True,
    "no": False, "n": False, "false": False, "falso": False, "0": False,
}


def _yaml_records(path: Path, archivo: str) -> list[tuple[str, Any]]:
    text = read_yaml_text(path, archivo, fallback_encoding="latin-1")
    root, data = parse_yaml(text, archivo, with_node=True)
    if not isinstance(data, Mapping) or not isinstance(data.get("proyectos"), list):
        raise DataFileError(
            f"{archivo}: se esperaba una lista de proyectos bajo la clave 'proyectos' "
            "(proyectos: y debajo un elemento '- nombre: ...' por proyecto)"
        )
    unknown = [k for k in data if k != "proyectos" and k not in PORTFOLIO_KEYS]
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
            [f"{archivo}: {shown(k)}: clave desconocida (se esperaba: proyectos, municipio, descripcion, ilustrativo, nota)"
             for k in unknown]
        )
    return records


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("|", ";").split(";") if part.strip()]


def cell_value(field: str, text: str) -> Any:
    """A CSV/XLSX cell as the value the schema expects (unparseable text passes through)."""
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
    header = {"nombre": ("nombre",), "costo_total": ("costo_total",)}
    table = read_table(path, header=header)
    by_key = {normalize_name(alias): alias for alias in FIELD_ALIASES}
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


def find_portfolio(code: str, params_roots: Sequence[PathLike]) -> Path | None:
    """``<params>/carteras/<código>.yaml|yml|csv|xlsx``, the first that exists, in the first
    parameter folder that has one (the user's before the packaged ones)."""
    for root in params_roots:
        for suffix in PORTFOLIO_SUFFIXES:
            path = Path(root) / "carteras" / f"{code}{suffix}"
            if path.is_file():
                return path
    return None


#: Keys a YAML portfolio may hold beside its ``proyectos`` (the reader rejects any other).
PORTFOLIO_KEYS = {
    "municipio": {"type": "string", "pattern": "^[0-9]{4}$", "description": "Código INE del municipio"},
    "descripcion": {"type": "string"},
    "ilustrativo": {"type": "boolean", "description": "true: una cartera de ejemplo, no un plan real"},
    "nota": {"type": "string"},
}


def portfolio_json_schema() -> dict[str, Any]:
    """The JSON Schema of a YAML portfolio file (``nexos esquema --cartera``), for editors: a
    ``proyectos`` list of projects with their required fields; unknown keys are errors."""
    project = Project.model_json_schema(by_alias=True)
    definitions = project.pop("$defs", {})
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "Cartera de inversión de Nexos (params/carteras/<código>.yaml)",
        "type": "object",
        "properties": {**PORTFOLIO_KEYS, "proyectos": {"type": "array", "items": {"$ref": "#/$defs/Proyecto"}}},
        "required": ["proyectos"],
        "additionalProperties": False,
        "$defs": {**definitions, "Proyecto": project},
    }


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


def illustrative_portfolio_for(code: str, years: Sequence[int], total_cost: float | None = None) -> list[Project]:
    """An ILLUSTRATIVE portfolio for ``code``: sized from its bundled 2016 spending by función and
    its 2018 census population (:func:`nexos_model.investment.illustrative.illustrative_portfolio`)."""
    spending = sector_spending(load_spending_history(), code)
    table = load_municipalities()
    match = table.loc[table["municipio"] == code, "poblacion"]
    population = int(match.iloc[0]) if len(match) else _UNKNOWN_POPULATION
    return illustrative_portfolio(code, years, spending, population, total_cost=total_cost)


__all__ = [
    "PORTFOLIO_SUFFIXES",
    "cell_value",
    "find_portfolio",
    "illustrative_portfolio_for",
    "load_portfolio",
    "portfolio_file",
    "portfolio_json_schema",
    "portfolio_to_yaml",
]
