"""A scenario's changes from the defaults, described with the schema's metadata (Spanish).

Also how a scenario is named to a person (:func:`scenario_label`, :func:`scenario_title`: the
report's cover, the app's header, file names) and the adjustments of the top layer (the app's
sliders, ``--set``, a workbook's ``overrides``) in plain words (:func:`adjustment_sentences`),
so a council reads «Cobertura catastral del IUSI: valor meta 85 %», never a key or ``8.5e-01``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Mapping

import pandas as pd

from nexos_model.params.loader import OVERRIDES, USER_SCENARIOS, Resolved, flatten
from nexos_model.params.schema import field_metadata
from nexos_model.params.uncertainty import DISTRIBUTIONS
from nexos_model.wording import porcentaje, quetzales

CHANGE_COLUMNS = ["clave", "parametro", "valor", "unidad", "capa", "fuente"]
#: The unit of a lever's target is its driver's, given on the lever's own group.
DRIVER_UNIT = "unidad del impulsor"
#: Words for the values of the schema's choices (``Literal`` fields).
CHOICE_WORDS = {
    "frances": "cuota fija (francés)", "aleman": "amortización constante (alemán)",
    "lineal": "en línea recta", "s": "en curva S", "escalones": "en escalones",
    "mediana_contraida": "mediana nacional contraída", "ultimo_valor": "último valor observado",
    "aporte_constitucional": "aporte constitucional", "propios": "ingresos propios",
    "tendencia": "tendencia", "impulsores": "impulsores",
}
#: A label longer than this is not a label: the scenario's name is used instead.
LABEL_MAX = 80


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def changes_table(resolved: Resolved) -> pd.DataFrame:
    """Every parameter set by a layer other than the defaults: key, label, value, unit, layer, source."""
    rows = []
    for path, (layer, value) in sorted(resolved.changes_from_defaults().items()):
        if path == "descripcion":
            continue
        meta, rest = field_metadata(path)
        label = meta.get("etiqueta_completa", "")
        if rest and rest != "0":
            label += f" ({rest})"
        rows.append({"clave": path, "parametro": label, "valor": value_text(value),
                     "unidad": meta.get("unidad", ""), "capa": layer, "fuente": meta.get("fuente", "")})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


# --- names --------------------------------------------------------------------------------------

def scenario_label(name: str, description: str = "") -> str:
    """A scenario as a person names it: the part of its description before ``': '`` («Escenario
    base», «Mejora de la cobranza», the name an advisor typed when saving it), else its file name
    in words (``usuarios/catastro_2028`` -> «Catastro 2028»)."""
    head, sep, _ = (description or "").partition(": ")
    if sep and head.strip() and len(head) <= LABEL_MAX:
        return head.strip()
    words = str(name).rsplit("/", 1)[-1].replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) if words else "Escenario"


def adjustments(resolved: Resolved) -> dict[str, Any]:
    """The top layer's values (``ajustes``: the app, ``--set``, a workbook's ``overrides``), by dotted key."""
    values: dict[str, Any] = {}
    for layer in resolved.layers:
        if layer.name == OVERRIDES:
            values.update(flatten(layer.values))
    values.pop("descripcion", None)
    # A sampled parameter's distribution moved with its value (``uncertainty.centred_specs``)
    # follows that adjustment: it is not one of its own.
    return {k: v for k, v in values.items() if not k.startswith(DISTRIBUTIONS)}


def count_text(n: int) -> str:
    return f"{n} ajuste" if n == 1 else f"{n} ajustes"


def scenario_title(name: str, resolved: Resolved) -> str:
    """What a run shows: the scenario's label, and how many adjustments sit on top of it
    («Escenario base + 3 ajustes»)."""
    label = scenario_label(name, resolved.params.description)
    n = len(adjustments(resolved))
    return f"{label} + {count_text(n)}" if n else label


def file_label(title: str) -> str:
    """A title as part of a file name: letters, digits and ``_`` only, accents dropped
    («Escenario base + 3 ajustes» -> ``escenario_base_3_ajustes``)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:60] or "escenario"


# --- values in words ------------------------------------------------------------------------------

def unit_of(path: str) -> str:
    """The unit of a dotted key; a lever's target takes its driver's unit (``fracción de predios``)."""
    meta, _ = field_metadata(path)
    unit = meta.get("unidad", "")
    if unit == DRIVER_UNIT and "." in path:
        unit = field_metadata(path.rsplit(".", 1)[0])[0].get("unidad", "")
    return unit


def _short(x: float, most: int) -> int:
    """Fewest decimals (up to ``most``) that show ``x`` exactly enough."""
    for decimals in range(most + 1):
        if abs(round(x, decimals) - x) < 1e-9 * max(1.0, abs(x)):
            return decimals
    return most


def value_words(value: Any, unit: str) -> str:
    """A parameter's value in its unit, as people write it: ``85 %``, ``Q 15,000,000``, ``2030``,
    ``3 años``, ``cuota fija (sistema francés)``."""
    if value is None:
        return "ninguno"
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, str):
        return CHOICE_WORDS.get(value, value)
    if not isinstance(value, (int, float)):
        return value_text(value)
    if unit.startswith(("fracción", "porcentaje")):
        rest = unit.removeprefix("fracción").removeprefix("porcentaje").strip()
        rest = "" if rest.startswith("(") else rest
        return f"{porcentaje(value, _short(value * 100, 2))} {rest}".strip()
    if unit.startswith("quetzales"):
        rest = unit.removeprefix("quetzales").strip()
        return f"{quetzales(value, 0 if _short(value, 2) == 0 else 2)} {rest}".strip()
    if unit == "año":
        return str(int(value))
    if unit == "años":
        return "1 año" if value == 1 else f"{value:g} años"
    return f"{value:,.{_short(value, 4)}f} {unit}".strip()


def plain_label(label: str) -> str:
    """A label without its trailing parenthesis («Valor meta (vacío = sin reforma)» -> «Valor meta»)."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", label).strip()


def adjustment_sentence(path: str, value: Any) -> str:
    """One adjustment in plain words: «Préstamo nuevo: monto del préstamo Q 15,000,000»."""
    meta, rest = field_metadata(path)
    trail = [t for t in meta.get("etiqueta_completa", path).split(" › ") if t]
    group = plain_label(trail[-2]) if len(trail) > 1 else ""
    leaf = plain_label(trail[-1]) if trail else path
    if path.startswith("palancas.") and path.endswith(".meta") and value is None:
        return f"{group}: sin reforma"
    when = f" desde {rest}" if rest and rest != "0" else ""
    text = f"{leaf[:1].lower()}{leaf[1:]}{when}: {value_words(value, unit_of(path))}"
    return f"{group}, {text}" if group else text[:1].upper() + text[1:]


def adjustment_sentences(values: Mapping[str, Any] | Resolved) -> list[str]:
    """Each adjustment in plain words, in schema order as given (a Resolved: its top layer)."""
    items = adjustments(values) if isinstance(values, Resolved) else flatten(dict(values))
    return [adjustment_sentence(path, value) for path, value in items.items()
            if not path.startswith(DISTRIBUTIONS)]


__all__ = ["CHANGE_COLUMNS", "CHOICE_WORDS", "USER_SCENARIOS", "adjustment_sentence", "adjustment_sentences",
           "adjustments", "changes_table", "count_text", "file_label", "plain_label", "scenario_label", "scenario_title",
           "unit_of", "value_words"]
