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
import math
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

from nexos_model.errors import ParameterError
from nexos_model.params.calendar_schema import CALENDAR_FILLED, fill_calendar
from nexos_model.params.keys import walk
from nexos_model.params.problems import expected_for_type, key_path, kind_of, location, problem_text, shown
from nexos_model.params.schema import Parameters
from nexos_model.params.uncertainty import DISTRIBUTIONS, with_centred_distributions
from nexos_model.params.yaml_reader import parse_yaml, read_yaml_text

OVERRIDES = "ajustes"  # name of the in-memory layer (notebook, app, --set)
USER_SCENARIOS = "usuarios"  # subfolder of escenarios/ where the app saves users' scenarios
#: A scenario name: letters, digits, '_', '-' or '.', optionally under ``usuarios/``.
_SCENARIO_NAME = re.compile(rf"(?:{USER_SCENARIOS}/)?[\w][\w.\-]{{0,99}}")
#: No parameter is larger than this in absolute value (quetzales: seven times the national budget).
MAX_PARAMETER = 1e12
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

    def departs_from_defaults(self, key: str) -> bool:
        """Whether leaf ``key`` ends with another value than the ``defaults.yaml`` layer gives it
        (a layer above that sets the same value does not count)."""
        return bool(self.layers) and flatten(self.raw).get(key) != flatten(self.layers[0].values).get(key)

    def changes_from_defaults(self) -> dict[str, tuple[str, Any]]:
        """Leaf paths set by any layer other than the defaults: ``{path: (layer, value)}``."""
        flat = flatten(self.raw)
        return {
            path: (layer, flat[path])
            for path, layer in self.provenance.items()
            if layer != self.layers[0].name and path in flat
        }


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping (:func:`~nexos_model.params.yaml_reader.parse_yaml`: bounded, Spanish
    messages naming the file, line and key); a missing file or bad syntax is a ParameterError."""
    path = Path(path)
    name = display_name(path)
    data = parse_yaml(read_yaml_text(path, name), name)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(
            f"{name}: se esperaba un mapa de claves (clave: valor), no {kind_of(data)}"
        )
    return data


def parse_assignment(text: str) -> dict[str, Any]:
    """``'tendencia.contraccion=0.3'`` -> ``{'tendencia': {'contraccion': 0.3}}`` (YAML-typed, bounded)."""
    key, sep, value = str(text).partition("=")
    key = key.strip()
    parts = key.split(".")
    if not sep or not key or not all(part.strip() for part in parts):
        raise ParameterError(
            f"--set {shown(text)}: se esperaba la forma clave.sub=valor (p. ej. tendencia.contraccion=0.3)"
        )
    parsed = parse_yaml(value, f"--set {key}", value=True) if value.strip() else None
    return unflatten({key: parsed})


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
        provenance = _provenance(provenance, flatten(merged), set(flatten(layer.values)), layer.name)
    merged = copy.deepcopy(merged)  # the layers' own mappings stay as read
    moved = _renamed_keys(layers, merged)
    fill_calendar(merged)
    problems = _implausible(merged, provenance, layers)
    try:
        params = Parameters.model_validate(merged)
    except ValidationError as exc:
        raise ParameterError(moved + list(problems.values())
                             + _explain(exc, provenance, layers, skip=set(problems))) from None
    except RecursionError:  # beyond the YAML bounds: only a mapping built in code can be this deep
        raise ParameterError([f"{layers[-1].name}: parámetros anidados demasiado profundo"]) from None
    # Numbers written as text ('1e300' is a text in YAML) are read by the schema: check them too.
    problems.update(_implausible(params.model_dump(by_alias=True), provenance, layers))
    if moved or problems:
        raise ParameterError(moved + list(problems.values()))
    return Resolved(params=params, provenance=provenance, raw=merged, layers=tuple(layers))

def _provenance(before: dict[str, str], leaves: Mapping[str, Any], own: set[str], layer: str) -> dict[str, str]:
    """Which layer set each leaf of the merged tree: this layer for its own leaves; an earlier one
    for a leaf it kept (or for the year 0 that a plain number became under a year-keyed overlay).

    A leaf replaced by this layer (a number where a mapping was, or the reverse) loses its
    earlier entries, so an error in it names this layer, not the defaults.
    """
    out = {}
    for path in leaves:
        if path in own:
            out[path] = layer
        elif path in before:
            out[path] = before[path]
        else:
            parent = path.rpartition(".")[0]
            out[path] = before.get(parent, layer)
    return out


def _implausible(tree: Any, provenance: dict[str, str], layers: list[Layer], path: str = "") -> dict[str, str]:
    """Numbers no parameter can mean (infinite, not a number, or beyond :data:`MAX_PARAMETER`),
    by key path: ``{path: message}``."""
    if isinstance(tree, Mapping):
        out: dict[str, str] = {}
        for key, value in tree.items():
            out.update(_implausible(value, provenance, layers, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(tree, (list, tuple)):
        out = {}
        for value in tree:
            out.update(_implausible(value, provenance, layers, path))
        return out
    if isinstance(tree, bool) or not isinstance(tree, (int, float)):
        return {}
    if isinstance(tree, float) and not math.isfinite(tree):
        what = "debe ser un número finito"
    elif abs(tree) > MAX_PARAMETER:
        what = "valor fuera de lo plausible"
    else:
        return {}
    path = path[:-2] if path.endswith(".0") and path[:-2] in provenance else path  # a number as year 0
    where = _layer_for(path, provenance, layers)
    return {path: f"{where}: {path}: {what} (valor dado: {shown(tree)}; se esperaba: un número finito "
                  f"de valor absoluto menor que {MAX_PARAMETER:,.0f})"}


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
    if escenario is not None:
        files.append(scenario_path(escenario, folders))
    return files


def scenario_path(name: str, folders: ParamFolders | Path | None = None) -> Path:
    """The file of a named scenario (``escenarios/<name>.yaml``, or ``usuarios/<name>`` for the
    scenarios saved from the app in ``escenarios/usuarios/``), from the first folder that has it;
    an unknown name lists the available ones. A name that is not a plain name, or whose file
    (through a symbolic link) lies outside its parameter folder, is refused."""
    if not isinstance(folders, ParamFolders):
        folders = params_folders(folders)
    text = str(name)
    if not _SCENARIO_NAME.fullmatch(text):
        known = scenario_names(folders)
        raise ParameterError(
            f"escenario {shown(text)} no válido (se esperaba un nombre de letras, dígitos, '_', '-' o '.', "
            f"de hasta 100 caracteres, o usuarios/<nombre>; escenarios disponibles: {', '.join(known)})"
        )
    for root in folders.chain():
        folder = root / "escenarios"
        path = folder / f"{text}.yaml"
        allowed = {folder.resolve(), (folder / USER_SCENARIOS).resolve()}
        if path.is_file() and path.parent.resolve() in allowed:
            if not path.resolve().is_relative_to(root.resolve()):
                raise ParameterError(
                    f"escenario '{text}': {folders.name(path)} es un enlace a un archivo fuera de la carpeta de "
                    f"parámetros ({display_name(root)}); copie el archivo dentro de ella"
                )
            return path
    known = scenario_names(folders)
    hint = difflib.get_close_matches(text, known, n=1)
    tip = f"; ¿quiso decir '{hint[0]}'?" if hint else ""
    raise ParameterError(
        f"escenario '{text}' desconocido{tip} (escenarios disponibles: {', '.join(known)})"
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
    """Load, layer and validate the parameters of one municipality under one scenario.

    ``overrides`` (the CLI's ``--set``, the app's controls, a notebook's adjustments) that change an
    uncertain parameter whose distribution places its own centre move that distribution with
    them (:func:`~nexos_model.params.uncertainty.with_centred_distributions`)."""
    layers = load_layers(municipio, escenario, overrides, directory)
    if overrides:
        layers = _centred_adjustments(layers)
    return resolve(layers)


def _centred_adjustments(layers: list[Layer]) -> list[Layer]:
    *below, adjustments = layers
    flat = flatten(adjustments.values)
    placed: dict[str, Any] = {}
    for layer in below:  # cheap test first: does any adjusted key have a distribution at all?
        section = layer.values.get("incertidumbre")
        if isinstance(section, Mapping) and isinstance(section.get("distribuciones"), Mapping):
            placed.update(section["distribuciones"])
    if not placed.keys() & flat.keys():
        return layers
    try:
        reference = resolve(below)
    except ParameterError:
        return layers  # the layers below are wrong: resolving all of them says so
    section = adjustments.values.get("incertidumbre")
    given = section.get("distribuciones") if isinstance(section, Mapping) else {}
    if not isinstance(given, Mapping):
        return layers  # not a mapping: validation says so
    given = dict(given)
    values = {k: v for k, v in flat.items() if not k.startswith(DISTRIBUTIONS + ".")}
    moved = with_centred_distributions({**values, DISTRIBUTIONS: given}, reference.params)[DISTRIBUTIONS]
    if moved == given:
        return layers
    return [*below, Layer(adjustments.name, merge(dict(adjustments.values), {"incertidumbre": {"distribuciones": moved}}))]


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

_YEAR_SERIES_EXPECTED = "un número (el mismo todos los años) o un mapa año: número, p. ej. {2027: 0.05}"


def _expected(error: Mapping[str, Any], field_info: dict[str, Any] | None) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    info = field_info or {}
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        lo, hi = info.get("ge"), info.get("le")
        if lo is None:
            lo = ctx.get("ge", ctx.get("gt"))
        if hi is None:
            hi = ctx.get("le", ctx.get("lt"))
        unit = info.get("unidad", "")
        span = f"entre {lo} y {hi}" if lo is not None and hi is not None else (
            f">= {lo}" if lo is not None else f"<= {hi}"
        )
        return f"{span} {unit}".strip()
    if info.get("serie_anual") and kind in {"dict_type", "float_parsing", "float_type"}:
        return _YEAR_SERIES_EXPECTED
    if kind == "missing":
        return "un valor (en los valores por defecto, o en un archivo que los cambie)"
    if kind == "extra_forbidden":
        return "una clave del esquema (ver `nexos esquema`)"
    if kind == "value_error":
        return ""
    return expected_for_type(error)


def _schema_node(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, dict[str, Any]]:
    """Walk the schema along a Spanish key path: (model owning the last key, its field metadata)."""
    owner, meta, _ = walk(Parameters, loc)
    return owner, meta


def _location(error: Any) -> tuple[tuple[Any, ...], bool]:
    """The key path of an error as the user wrote it, and whether the problem is a mapping's key.

    Pydantic adds the tags of union members and ``[key]`` to ``loc``; a plain number in a
    year-keyed field is validated as its year 0, which the user never wrote.
    """
    parts, is_key = location(error["loc"])
    field_loc = tuple(p for p in parts if not isinstance(p, int))
    if parts and parts[-1] == 0 and walk(Parameters, field_loc)[1].get("serie_anual"):
        parts = parts[:-1]
    return parts, is_key


def _explain(exc: ValidationError, provenance: dict[str, str], layers: list[Layer],
             skip: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Every pydantic error as ``archivo: clave.ruta: problema (valor dado: ...; se esperaba: ...)``,
    except those at the paths of ``skip`` (already reported)."""
    messages = []
    for error in exc.errors():
        loc, is_key = _location(error)
        path = ".".join(str(p) for p in loc)
        if path in skip:
            continue
        if error.get("input") is None and loc and loc[-1] in CALENDAR_FILLED and len(exc.errors()) > 1:
            continue  # a year left empty to be filled at load (by the calendar, whichever file left it
            # empty): not filled because another value is wrong, which has its own message
        field_loc = tuple(p for p in loc if not isinstance(p, int))
        owner, info = _schema_node(field_loc)
        where = _layer_for(path, provenance, layers, missing=error["type"] == "missing")
        text = problem_text(error)
        if info.get("serie_anual") and error["type"] in {"dict_type", "float_parsing", "float_type"}:
            text = "debe ser un número o un mapa año: número"
        if is_key:
            text, expected = "clave no válida: se esperaba un año", "un año entero, p. ej. 2027"
        else:
            expected = _expected(error, info)
        if error["type"] == "extra_forbidden" and owner is not None:
            known = [f.alias or n for n, f in owner.model_fields.items()]
            hint = difflib.get_close_matches(str(loc[-1]), known, n=1) if loc else []
            if hint:
                text += f"; ¿quiso decir '{hint[0]}'?"
        given = error.get("input")
        if error["type"] == "value_error" and isinstance(given, (dict, list)):
            # A rule across several keys: its own message says what is wrong; the whole
            # section's values would only bury it.
            reason = str((error.get("ctx") or {}).get("error", ""))
            for part in reason.splitlines() or [text]:  # one problem a line, blamed on the file of its key
                messages.append(f"{_line_layer(part, path, provenance, layers, where)}: {path or 'parámetros'}: {part}")
            continue
        if error["type"] == "value_error":
            reason = str((error.get("ctx") or {}).get("error", ""))
            text = "; ".join(reason.splitlines()) or text
        detail = [] if error["type"] == "missing" else [f"valor dado: {shown(given)}"]
        if expected:
            detail.append(f"se esperaba: {expected}")
        suffix = f" ({'; '.join(detail)})" if detail else ""
        messages.append(f"{where}: {key_path(loc)}: {text}{suffix}")
    return list(dict.fromkeys(messages))


def _line_layer(line: str, path: str, provenance: dict[str, str], layers: list[Layer], default: str) -> str:
    """The layer at fault for one line of a rule across keys, when the line starts with the key it
    is about (``incertidumbre.distribuciones: ...`` under the root, ``flujos.x: ...`` under a
    section): the file that set that key, rather than the section's."""
    lead = line.split(": ", 1)[0]
    if not re.fullmatch(r"[\w\-]+(?:\.[\w\-]+)*", lead):
        return default
    key = f"{path}.{lead}" if path else lead
    keys = [key]
    if key.startswith(DISTRIBUTIONS + "."):  # a distribution must agree with its parameter: the later
        keys.append(key[len(DISTRIBUTIONS) + 1:])  # of the two files broke the agreement
    order = {layer.name: i for i, layer in enumerate(layers)}
    found = [_layer_for(k, provenance, layers) for k in keys
             if any(p == k or p.startswith(k + ".") or k.startswith(p + ".") for p in provenance)]
    return max(found, key=lambda name: order.get(name, -1)) if found else default


def _layer_for(path: str, provenance: dict[str, str], layers: list[Layer], missing: bool = False) -> str:
    """The layer at fault for a problem at ``path``.

    A value that is there: the layer that set it, else the latest layer that set a key below it,
    else the layer of the nearest key above it. A key that is ``missing``: the first layer that
    wrote the section that lacks it (the defaults, unless a later file added the section, such
    as a new revenue stream), so a missing key is not blamed on a scenario that never touched it.
    """
    order = {layer.name: i for i, layer in enumerate(layers)}
    if missing:
        parts = path.split(".")
        for n in range(len(parts) - 1, -1, -1):
            section = ".".join(parts[:n])
            if section in provenance:  # a value set whole (a list): its layer wrote what lacks the key
                return provenance[section]
            writers = [layer for p, layer in provenance.items() if not section or p.startswith(section + ".")]
            if writers:
                return min(writers, key=lambda name: order.get(name, len(order)))
        return layers[0].name if layers else "parámetros"
    if path in provenance:
        return provenance[path]
    below = [provenance[p] for p in provenance if p.startswith(path + ".")] if path else []
    if below:
        return max(below, key=lambda name: order.get(name, -1))
    parts = path.split(".")
    for n in range(len(parts) - 1, 0, -1):
        above = ".".join(parts[:n])
        if above in provenance:
            return provenance[above]
    return layers[-1].name if layers else "parámetros"
