"""Layered parameter loading: defaults < municipality < scenario < overrides.

Files are looked up in the user's folders, then in the defaults packaged with Nexos
(:class:`ParamFolders`). Each layer is a sparse YAML overlay. Every resolved leaf remembers which layer set it
(``Resolved.provenance``), and every validation problem of every layer is reported at once as
``archivo: clave.ruta: mensaje (valor dado: ...; se esperaba: ...)``, in Spanish.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml
from pydantic import BaseModel, ValidationError

from nexos_model.errors import ParameterError
from nexos_model.params.calendar_schema import fill_calendar
from nexos_model.params.keys import walk
from nexos_model.params.schema import Parameters

OVERRIDES = "ajustes"  # name of the in-memory layer (notebook, app, --set)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10× faster, same result
USER_SCENARIOS = "usuarios"  # subfolder of escenarios/ where the app saves users' scenarios
#: The parameters shipped with Nexos: inside the package, so a wheel installed anywhere has them
#: (in a checkout the top-level ``params/`` is a link to this folder).
PACKAGED_PARAMS = Path(str(resources.files("nexos_model").joinpath("resources", "params")))
#: How a packaged file is named in provenance and messages (``nexos:params/escenarios/base.yaml``),
#: so that it is never mistaken for the user's file of the same name.
PACKAGED_PREFIX = "nexos:params/"
#: One or more folders of the user's parameters, separated like ``PATH`` (``:``; ``;`` on Windows).
PARAMS_ENV = "NEXOS_PARAMETROS"
#: Keys that moved: an old file gets a Spanish message naming the key that replaced it.
RENAMED = {
    "proyeccion.horizonte": "calendario.horizonte (años proyectados desde calendario.anio_presupuesto)",
    "inversion.anio_inicio": "calendario.anio_presupuesto (el plan empieza en el año del presupuesto)",
    "inversion.horizonte": "calendario.anios_plan",
    "reglas.fin_periodo_alcalde": "calendario.inicio_periodo_concejo y calendario.duracion_periodo_concejo "
                                  "(cada año cuenta el período en curso)",
    "transferencias.aporte_constitucional.anio_base": "los totales nacionales publicados "
                                                      "(nexos_model/data/aporte_constitucional_totales_nacionales_2018_2026.csv)",
    "transferencias.aporte_constitucional.monto_base": "los totales nacionales publicados "
                                                       "(nexos_model/data/aporte_constitucional_totales_nacionales_2018_2026.csv)",
    "transferencias.iva_paz.monto_base": "transferencias.iva_paz.recaudacion_iva_base y "
                                         "transferencias.iva_paz.puntos_iva",
}


def display_name(path: Path) -> str:
    """A path as the user thinks of it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class ParamFolders:
    """Where parameter files are looked up: the user's folders, most specific first, then the
    packaged defaults.

    The user's ``defaults.yaml`` and ``municipios/<código>.yaml`` layer over the packaged ones
    (each overlay holds only what it changes); a scenario or a portfolio is one file, taken from
    the first folder that has one of that name, so a user's copy of ``base.yaml`` replaces it.
    """

    user: tuple[Path, ...] = ()
    packaged: Path = PACKAGED_PARAMS

    def chain(self) -> tuple[Path, ...]:
        """Every folder, most specific first; the packaged one last, and only once."""
        seen = {self.packaged.resolve()}
        chain = []
        for folder in self.user:
            if folder.resolve() not in seen:
                seen.add(folder.resolve())
                chain.append(folder)
        return (*chain, self.packaged)

    def name(self, path: Path) -> str:
        """The file as provenance and messages show it: ``nexos:params/...`` when packaged."""
        try:
            return PACKAGED_PREFIX + path.resolve().relative_to(self.packaged.resolve()).as_posix()
        except ValueError:
            return display_name(path)

    def find(self, relative: str) -> Path | None:
        """The file at ``relative`` in the first folder that has it."""
        return next((f / relative for f in self.chain() if (f / relative).is_file()), None)

    def layered(self, relative: str) -> list[Path]:
        """Every file at ``relative``, least specific first: the order in which they layer."""
        return [f / relative for f in reversed(self.chain()) if (f / relative).is_file()]

    def glob(self, folder: str, pattern: str = "*.yaml") -> list[Path]:
        """The files matching ``pattern`` in ``folder`` of every folder (a name once: the most specific)."""
        found: dict[str, Path] = {}
        for root in self.chain():
            for path in sorted((root / folder).glob(pattern)):
                found.setdefault(path.name, path)
        return list(found.values())

    @property
    def writable(self) -> Path:
        """Where new parameter files go (the app's saved scenarios): the first user folder (one
        that is not the packaged folder first: in a source checkout ``./params`` links to it),
        else ``./params``."""
        chain = self.chain()
        if len(chain) > 1:
            return chain[0]
        return self.user[0] if self.user else Path("params").absolute()


def params_folders(directory: Path | None = None, environ: Mapping[str, str] | None = None) -> ParamFolders:
    """The folders in use: ``./params``, then each folder of ``$NEXOS_PARAMETROS`` (of ``environ``
    when given, else of this process), then the packaged defaults. ``directory`` replaces the
    first two (a given folder over the defaults).

    A folder named in the variable that does not exist is an error (a typo must not silently
    drop the user's parameters); ``./params`` is used when it exists.
    """
    if directory is not None:
        return ParamFolders((Path(directory),))
    user = [Path("params")] if Path("params").is_dir() else []
    variable = (os.environ if environ is None else environ).get(PARAMS_ENV, "")
    for entry in filter(None, variable.split(os.pathsep)):
        folder = Path(entry).expanduser()
        if not folder.is_dir():
            raise ParameterError(f"{PARAMS_ENV}: la carpeta '{entry}' no existe (se esperaba una carpeta "
                                 f"de parámetros, p. ej. la que crea `nexos init`)")
        user.append(folder)
    return ParamFolders(tuple(f.absolute() for f in user))


@dataclass(frozen=True)
class Layer:
    """One overlay: where it came from and the nested mapping it sets."""

    name: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Resolved:
    """Validated parameters plus, for every leaf key path, the layer that set it."""

    params: Parameters
    provenance: dict[str, str]
    raw: dict[str, Any]
    layers: tuple[Layer, ...] = field(default=())

    def digest(self) -> str:
        """A short hash of the resolved values, printed on reports and used by the batch cache."""
        text = json.dumps(self.raw, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def from_defaults(self, key: str) -> bool:
        """Whether ``key`` (a leaf or a section) rests only on a ``defaults.yaml`` layer: no
        municipality, scenario or override sets it or anything below it (a generic assumption)."""
        for path, layer in self.provenance.items():
            if (path == key or path.startswith(key + ".")) and not layer.endswith("defaults.yaml"):
                return False
        return True

    def changes_from_defaults(self) -> dict[str, tuple[str, Any]]:
        """Leaf paths set by any layer other than the defaults: ``{path: (layer, value)}``."""
        flat = flatten(self.raw)
        return {
            path: (layer, flat[path])
            for path, layer in self.provenance.items()
            if layer != self.layers[0].name and path in flat
        }


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping; a missing file or bad syntax is a Spanish ParameterError."""
    if not path.exists():
        raise ParameterError(f"{display_name(path)}: el archivo no existe")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader (C or pure Python)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"línea {mark.line + 1}, columna {mark.column + 1}: " if mark else ""
        raise ParameterError(f"{path}: {where}YAML mal formado ({getattr(exc, 'problem', exc)})") from None
    except UnicodeDecodeError:
        raise ParameterError(f"{path}: el archivo no está en UTF-8") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(
            f"{path}: se esperaba un mapa de claves (clave: valor), no {type(data).__name__}"
        )
    return data


def parse_assignment(text: str) -> dict[str, Any]:
    """``'tendencia.contraccion=0.3'`` -> ``{'tendencia': {'contraccion': 0.3}}`` (YAML-typed)."""
    if "=" not in text:
        raise ParameterError(
            f"--set {text!r}: se esperaba la forma clave.sub=valor (p. ej. tendencia.contraccion=0.3)"
        )
    key, _, value = text.partition("=")
    parsed = yaml.safe_load(value) if value.strip() else None
    return unflatten({key.strip(): parsed})


def assignments(items: list[str] | None) -> dict[str, Any]:
    """``--set clave.sub=valor`` strings (repeatable) as one nested mapping (what a workbook
    receives as its ``overrides`` parameter)."""
    values: dict[str, Any] = {}
    for item in items or []:
        values = merge(values, parse_assignment(item))
    return values


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys to nested dicts; nested input passes through."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = str(key).split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts to dotted leaf paths. Year-keyed mappings are leaves of their own year."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out


def _is_year_map(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and all(isinstance(k, int) for k in value)


def merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overlay`` onto ``base``.

    A year-keyed overlay on a plain number keeps the number as the value 'from the start'
    (key 0), so ``{2026: 0.05}`` over ``0.04`` changes 2026 onwards only.
    """
    out = dict(base)
    for key, value in overlay.items():
        current = out.get(key)
        if _is_year_map(value) and isinstance(current, (int, float)) and not isinstance(current, bool):
            current = {0: current}
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            out[key] = merge(current, value)
        else:
            out[key] = value
    return out


def resolve(layers: list[Layer]) -> Resolved:
    """Merge the layers in order, validate, and record provenance. Raises ParameterError."""
    merged: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    for layer in layers:
        merged = merge(merged, layer.values)
        for path in flatten(layer.values):
            provenance[path] = layer.name
    merged = copy.deepcopy(merged)  # the layers' own mappings stay as read
    moved = _renamed_keys(layers, merged)
    fill_calendar(merged)
    try:
        params = Parameters.model_validate(merged)
    except ValidationError as exc:
        raise ParameterError(moved + _explain(exc, provenance, layers)) from None
    if moved:
        raise ParameterError(moved)
    return Resolved(params=params, provenance=provenance, raw=merged, layers=tuple(layers))


def _renamed_keys(layers: list[Layer], merged: dict[str, Any]) -> list[str]:
    """A message for every key a layer sets that has moved (see :data:`RENAMED`); the old keys
    are taken out of ``merged`` so that validation does not report them a second time."""
    messages = []
    for layer in layers:
        for path in flatten(layer.values):
            for old, new in RENAMED.items():
                if path == old or path.startswith(old + "."):
                    messages.append(f"{layer.name}: {old}: clave reemplazada (se esperaba: {new})")
    for old in RENAMED:
        *parents, leaf = old.split(".")
        node: Any = merged
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(leaf, None)
    return list(dict.fromkeys(messages))


def load_layers(
    municipio: str | None = None,
    escenario: str | None = "base",
    overrides: Mapping[str, Any] | list[str] | None = None,
    directory: Path | None = None,
) -> list[Layer]:
    """The layers that apply to a municipality and scenario, in order (missing optional files skipped)."""
    folders = params_folders(directory)
    layers = [Layer(folders.name(path), read_yaml(path)) for path in layer_files(municipio, escenario, folders)]
    if overrides:
        if isinstance(overrides, Mapping):
            values = unflatten(overrides)
        else:
            values = {}
            for item in overrides:
                values = merge(values, parse_assignment(item))
        layers.append(Layer(OVERRIDES, values))
    return layers


def layer_files(municipio: str | None, escenario: str | None, folders: ParamFolders) -> list[Path]:
    """The files of a municipality's parameters under a scenario, in the order they layer:
    every ``defaults.yaml``, every ``municipios/<código>.yaml``, the scenario's file."""
    files = folders.layered("defaults.yaml")
    if not files:
        raise ParameterError(f"{folders.name(folders.packaged / 'defaults.yaml')}: el archivo no existe "
                             f"(instalación de Nexos incompleta)")
    if municipio:
        files += folders.layered(f"municipios/{municipio}.yaml")
    if escenario:
        files.append(scenario_path(escenario, folders))
    return files


def scenario_path(name: str, folders: ParamFolders | Path | None = None) -> Path:
    """The file of a named scenario (``escenarios/<name>.yaml``, or ``usuarios/<name>`` for the
    scenarios saved from the app in ``escenarios/usuarios/``), from the first folder that has it;
    an unknown name lists the available ones."""
    if not isinstance(folders, ParamFolders):
        folders = params_folders(folders)
    for root in folders.chain():
        folder = root / "escenarios"
        path = folder / f"{name}.yaml"
        allowed = {folder.resolve(), (folder / USER_SCENARIOS).resolve()}
        if path.is_file() and path.parent.resolve() in allowed:
            return path
    known = scenario_names(folders)
    hint = difflib.get_close_matches(name, known, n=1)
    tip = f"; ¿quiso decir '{hint[0]}'?" if hint else ""
    raise ParameterError(
        f"escenario '{name}' desconocido{tip} (escenarios disponibles: {', '.join(known)})"
    )


def scenario_names(folders: ParamFolders | None = None) -> list[str]:
    """Every scenario of every folder: ``base`` first, the others, then ``usuarios/<nombre>``."""
    folders = folders or params_folders()
    shared = sorted((p.stem for p in folders.glob("escenarios")), key=lambda s: (s != "base", s))
    users = sorted(f"{USER_SCENARIOS}/{p.stem}" for p in folders.glob(f"escenarios/{USER_SCENARIOS}"))
    return shared + users


def load_parameters(
    municipio: str | None = None,
    escenario: str | None = "base",
    overrides: Mapping[str, Any] | list[str] | None = None,
    directory: Path | None = None,
) -> Resolved:
    """Load, layer and validate the parameters of one municipality under one scenario."""
    return resolve(load_layers(municipio, escenario, overrides, directory))


def validate_file(path: Path, directory: Path | None = None) -> None:
    """Validate one overlay file (defaults, municipality or scenario) on the defaults in use: every
    ``defaults.yaml`` up to this one when it is one of them, all of them below it otherwise."""
    path = Path(path)
    folders = params_folders(directory)
    layers = []
    for defaults in folders.layered("defaults.yaml"):
        layers.append(Layer(folders.name(defaults), read_yaml(defaults)))
        if defaults.resolve() == path.resolve():
            break
    else:
        layers.append(Layer(display_name(path), read_yaml(path)))
    resolve(layers)


# --- Spanish error messages -------------------------------------------------------------

PYDANTIC_MESSAGES = {
    "missing": "falta este parámetro",
    "extra_forbidden": "clave desconocida",
    "float_parsing": "debe ser un número",
    "float_type": "debe ser un número",
    "int_parsing": "debe ser un número entero",
    "int_type": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "bool_parsing": "debe ser verdadero o falso",
    "bool_type": "debe ser verdadero o falso",
    "string_type": "debe ser un texto",
    "dict_type": "debe ser un mapa de claves",
    "model_type": "debe ser un mapa de claves",
    "list_type": "debe ser una lista",
    "literal_error": "valor no admitido",
    "greater_than_equal": "fuera de rango",
    "less_than_equal": "fuera de rango",
    "greater_than": "fuera de rango",
    "less_than": "fuera de rango",
    "finite_number": "debe ser un número finito",
    "value_error": "valor no válido",
}


def _expected(error: Mapping[str, Any], field_info: dict[str, Any] | None) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "literal_error":
        return "uno de " + str(ctx.get("expected", "")).replace("'", "").replace(" or ", " o ")
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        lo, hi = (field_info or {}).get("ge"), (field_info or {}).get("le")
        if lo is None:
            lo = ctx.get("ge", ctx.get("gt"))
        if hi is None:
            hi = ctx.get("le", ctx.get("lt"))
        unit = (field_info or {}).get("unidad", "")
        span = f"entre {lo} y {hi}" if lo is not None and hi is not None else (
            f">= {lo}" if lo is not None else f"<= {hi}"
        )
        return f"{span} {unit}".strip()
    if kind in {"float_parsing", "float_type", "finite_number"}:
        return "un número"
    if kind.startswith("int_"):
        return "un número entero"
    if kind.startswith("bool"):
        return "true o false"
    if kind == "missing":
        return "un valor en params/defaults.yaml o en una capa superior"
    if kind == "extra_forbidden":
        return "una clave del esquema (ver `nexos esquema`)"
    if kind == "value_error":
        return str(ctx.get("error", ""))
    return ""


def _schema_node(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, dict[str, Any]]:
    """Walk the schema along a Spanish key path: (model owning the last key, its field metadata)."""
    owner, meta, _ = walk(Parameters, loc)
    return owner, meta


def _explain(exc: ValidationError, provenance: dict[str, str], layers: list[Layer]) -> list[str]:
    messages = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        path = ".".join(str(p) for p in loc)
        field_loc = tuple(p for p in loc if not isinstance(p, int))
        owner, info = _schema_node(field_loc)
        where = _layer_for(path, provenance, layers, error["type"])
        text = PYDANTIC_MESSAGES.get(error["type"], error["msg"])
        if error["type"] == "extra_forbidden" and owner is not None:
            known = [f.alias or n for n, f in owner.model_fields.items()]
            hint = difflib.get_close_matches(str(loc[-1]), known, n=1)
            if hint:
                text += f"; ¿quiso decir '{hint[0]}'?"
        given = error.get("input")
        if error["type"] == "value_error" and isinstance(given, (dict, list)):
            # A rule across several keys: its own message says what is wrong; the whole
            # section's values would only bury it.
            reason = str((error.get("ctx") or {}).get("error", error["msg"]))
            for part in reason.split("; "):
                messages.append(f"{where}: {path or 'parámetros'}: {part}")
            continue
        detail = [] if error["type"] == "missing" else [f"valor dado: {given!r}"]
        expected = _expected(error, info)
        if expected:
            detail.append(f"se esperaba: {expected}")
        suffix = f" ({'; '.join(detail)})" if detail else ""
        messages.append(f"{where}: {path}: {text}{suffix}")
    return messages


def _layer_for(path: str, provenance: dict[str, str], layers: list[Layer], kind: str) -> str:
    """The file that set ``path`` (or its nearest set ancestor/descendant)."""
    if path in provenance:
        return provenance[path]
    candidates = [p for p in provenance if p.startswith(path + ".") or path.startswith(p + ".")]
    if candidates:
        return provenance[max(candidates, key=len)]
    return layers[0].name if layers else "parámetros"
