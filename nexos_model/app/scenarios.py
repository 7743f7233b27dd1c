"""Scenarios the advisor saves from the app, lists and shares by link.

A saved scenario is a sparse overlay (DESIGN §5.2): the scenario it started from plus the
app's adjustments, written to ``params/escenarios/usuarios/<nombre>.yaml`` and loaded back as
escenario ``usuarios/<nombre>``. The file name is the user's text made safe (lower case, no
accents, ``_`` for spaces); anything that could leave the folder (``/``, ``\\``, ``..``) is
refused with a Spanish message, never silently rewritten. The text itself, as typed, is the
scenario's label (the start of its ``descripcion``: :func:`nexos_model.params.changes.scenario_label`),
so the app, the report and the file names call it what the advisor called it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import parse_qs, urlencode

import yaml

from nexos_model.errors import NexosError
from nexos_model.io.files import write_text
from nexos_model.params.changes import adjustment_sentences, scenario_label
from nexos_model.params.loader import (
    USER_SCENARIOS as USER_FOLDER,
    Layer,
    display_name,
    merge,
    params_folders,
    read_yaml,
    resolve,
    scenario_names,
    scenario_path,
    unflatten,
)

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")
_EXPECTED = ("se esperaba: letras, números, '-' o '_' (hasta 60), sin '/', '\\' ni '..'; "
             "p. ej. catastro_2028")


def scenarios_dir(directory: Path | None = None) -> Path:
    """The user's scenario folder, where the app saves (``escenarios/`` of the user's parameters)."""
    return params_folders(directory).writable / "escenarios"


def list_scenarios(directory: Path | None = None) -> list[str]:
    """Scenario names of the user's folders and the packaged ones: ``base`` first, the other
    shared ones, then ``usuarios/<nombre>``."""
    return scenario_names(params_folders(directory))


_LABELS: dict[tuple[str, int], str] = {}


def label_of(name: str, directory: Path | None = None) -> str:
    """A scenario's label («Escenario base», the name an advisor typed), read from its file once per version."""
    try:
        path = scenario_path(name, params_folders(directory))
        stamp = path.stat().st_mtime_ns
    except (NexosError, OSError):  # unknown: its name in words (run() says it is unknown)
        return scenario_label(name)
    key = (str(path), stamp)
    if key not in _LABELS:
        try:
            description = str(read_yaml(path).get("descripcion") or "")
        except NexosError:
            description = ""
        _LABELS[key] = scenario_label(name, description)
    return _LABELS[key]


def scenario_options(directory: Path | None = None) -> list[tuple[str, str]]:
    """(label, name) of every scenario, in :func:`list_scenarios`' order; a label two share gets
    its name's words added so the list never shows the same text twice."""
    names = list_scenarios(directory)
    labels = [label_of(n, directory) for n in names]
    return [(label if labels.count(label) == 1 else f"{label} ({scenario_label(name)})", name)
            for label, name in zip(labels, names)]


def user_scenario_exists(text: str, directory: Path | None = None) -> bool:
    """Whether saving under ``text`` would replace a scenario saved before."""
    return (scenarios_dir(directory) / USER_FOLDER / f"{user_scenario_name(text)}.yaml").is_file()


def user_scenario_name(text: str) -> str:
    """The user's name for a scenario made safe, or a Spanish NexosError saying why not."""
    raw = (text or "").strip()
    if not raw:
        raise NexosError(f"escriba un nombre para el escenario ({_EXPECTED})")
    if "/" in raw or "\\" in raw or ".." in raw:
        raise NexosError(f"nombre de escenario no permitido: '{raw}' (no puede llevar '/', '\\' ni '..': "
                         f"los escenarios se guardan solo en params/escenarios/{USER_FOLDER}/; {_EXPECTED})")
    name = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"\s+", "_", name)
    if not _NAME.fullmatch(name):
        raise NexosError(f"nombre de escenario no válido: '{raw}' ({_EXPECTED})")
    return name


def overlay_for(escenario: str, overrides: Mapping[str, Any], description: str,
                directory: Path | None = None) -> dict[str, Any]:
    """The starting scenario's own keys with the adjustments on top, and a new description."""
    start = read_yaml(scenario_path(escenario, params_folders(directory))) if escenario else {}
    overlay = merge(start, unflatten(dict(overrides)))
    overlay["descripcion"] = description
    return {"descripcion": overlay.pop("descripcion"), **overlay}


def save_user_scenario(text: str, escenario: str, overrides: Mapping[str, Any], municipio: str = "",
                       description: str = "", directory: Path | None = None) -> tuple[str, Path]:
    """Write ``usuarios/<nombre>.yaml``; returns the scenario name and the file.

    Its description starts with the text as typed (its label) and goes on with the user's
    description or, without one, where it started and each adjustment in plain words. The
    overlay is validated against the schema on the defaults before anything is written (every
    error at once, Spanish); the file is written atomically and replaces an earlier scenario of
    the same name (the app asks first: :func:`user_scenario_exists`).
    """
    name = user_scenario_name(text)
    folder = scenarios_dir(directory) / USER_FOLDER
    path = folder / f"{name}.yaml"
    if path.parent.resolve() != folder.resolve():  # defence in depth: a symlinked name
        raise NexosError(f"nombre de escenario no permitido: '{text}' ({_EXPECTED})")
    label = " ".join(text.split()).replace(": ", " - ")
    changes = "; ".join(adjustment_sentences(overrides)) or "sin ajustes"
    start = label_of(escenario, directory) if escenario else "los valores por defecto"
    description = f"{label}: {description.strip() or f'a partir de «{start}»; {changes}'}"
    overlay = overlay_for(escenario, overrides, description, directory)
    folders = params_folders(directory)
    defaults = [Layer(folders.name(p), read_yaml(p)) for p in folders.layered("defaults.yaml")]
    resolve([*defaults, Layer(display_name(path), overlay)])
    today = dt.date.today().isoformat()
    header = ("# yaml-language-server: $schema=../../esquema_parametros.json\n"
              f"# Escenario guardado desde la app de Nexos el {today}"
              f"{f' (municipio {municipio})' if municipio else ''}.\n"
              f"# Parte del escenario '{escenario}' con los ajustes: {changes}.\n"
              f"# Se carga como escenario '{USER_FOLDER}/{name}'.\n")
    body = yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False, default_flow_style=False)
    write_text(header + body, path)
    return f"{USER_FOLDER}/{name}", path


# --- links ------------------------------------------------------------------------------------

def parse_query(query: str | None) -> dict[str, str]:
    """``municipio`` and ``escenario`` from a query string (``?escenario=usuarios/x&municipio=0901``)."""
    values = parse_qs((query or "").lstrip("?"), keep_blank_values=False)
    return {k: values[k][-1].strip() for k in ("municipio", "escenario") if values.get(k)}


def share_query(municipio: str, escenario: str) -> str:
    """The query string that opens the app on a municipality and scenario."""
    return "?" + urlencode({"escenario": escenario, "municipio": municipio}, safe="/")
