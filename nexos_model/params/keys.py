"""Dotted Spanish keys over a parameter schema: a key's value, its metadata, the keys with a role.

Generic over any schema section (a pydantic model whose fields carry Spanish aliases and the
metadata of :func:`nexos_model.params.fields.param`), so the schema itself, the loader's error
messages and the uncertainty checks walk keys the same way without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel


@lru_cache(maxsize=None)
def _attributes(model_class: type[BaseModel]) -> dict[str, str]:
    """Spanish key -> attribute name of a schema section."""
    return {(info.alias or name): name for name, info in model_class.model_fields.items()}


def lookup(params: BaseModel, dotted: str) -> Any:
    """The value at a dotted Spanish key (``'transferencias.aporte_constitucional.crecimiento'``)."""
    node: Any = params
    for part in dotted.split("."):
        node = getattr(node, _attributes(type(node))[part]) if isinstance(node, BaseModel) else node[part]
    return node


def walk(model: type[BaseModel] | None, keys: Sequence[Any]) -> tuple[type[BaseModel] | None, dict[str, Any], int]:
    """Follow ``keys`` down the schema from ``model``: ``(section reached, metadata of the last key
    found, number of keys found)``.

    The metadata holds the field's ``etiqueta``, ``unidad``, ``fuente`` and ``rol``, its bounds
    ``ge``/``le``, ``serie_anual`` (a number or a year-keyed mapping), and ``etiqueta_completa`` (the labels from the top section down, joined by ›).
    The walk stops at the first key the section does not have (then the section returned is the
    one lacking it) or below a leaf (then the section is None).
    """
    meta: dict[str, Any] = {}
    trail: list[str] = []
    for found, key in enumerate(keys):
        fields = {info.alias or name: info for name, info in model.model_fields.items()} if model else {}
        info = fields.get(str(key))
        if info is None:
            return model, meta, found
        meta = dict(info.json_schema_extra or {})  # type: ignore[arg-type]  # param() always sets a dict
        trail.append(meta.get("etiqueta", str(key)))
        meta["etiqueta_completa"] = " › ".join(trail)
        meta["serie_anual"] = any(getattr(m, "year_series", False) for m in info.metadata)
        for bound in info.metadata:
            for attr in ("ge", "le"):
                if getattr(bound, attr, None) is not None:
                    meta[attr] = getattr(bound, attr)
        ann = info.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return model, meta, len(keys)


def declared(model: type[BaseModel], role: str) -> list[str]:
    """Dotted keys of every field of ``model`` declared with ``rol: role`` (fixed sections only)."""
    out: list[str] = []

    def visit(section: type[BaseModel], prefix: str) -> None:
        for name, info in section.model_fields.items():
            key = f"{prefix}{info.alias or name}"
            extra = info.json_schema_extra or {}
            if isinstance(extra, dict) and extra.get("rol") == role:
                out.append(key)
            ann = info.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                visit(ann, key + ".")

    visit(model, "")
    return out
