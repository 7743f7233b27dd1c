"""A scenario's changes from the defaults, described with the schema's metadata (Spanish)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from nexos_model.params.loader import Resolved
from nexos_model.params.schema import field_metadata

CHANGE_COLUMNS = ["clave", "parametro", "valor", "unidad", "capa", "fuente"]


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
