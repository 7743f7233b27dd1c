"""The app's controls, read from the parameter schema: no control is placed by hand.

Every schema field whose metadata carries ``rol`` (``palanca``: a council decision;
``incertidumbre``: an assumption) becomes one :class:`ControlSpec`, with its label, unit, source
and range taken from the field (``etiqueta``, ``unidad``, ``fuente``, ``ge``/``le``). A lever that
sits inside a group of its own (``palancas.iusi_cobertura.meta``, ``deuda.nuevo_prestamo.monto``)
brings the group's other plain fields along as *details* (target year, path shape, term...), so
"update the cadastre by 2028" is one control plus its year.

Widget-free: the UI turns specs into widgets; tests and the benchmark read specs directly.
A new field with ``rol`` in the schema appears in the app with no change here.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from pydantic import BaseModel

from nexos_model.params.keys import lookup
from nexos_model.params.loader import OVERRIDES, Resolved
from nexos_model.params.schema import Parameters

ROLES = ("palanca", "incertidumbre")
ROLE_TITLES = {"palanca": "Palancas: decisiones del Concejo", "incertidumbre": "Supuestos inciertos"}
#: Above this upper bound a number is typed, not slid (amounts in quetzales).
SLIDER_MAX_SPAN = 1e4


@dataclass(frozen=True)
class ControlSpec:
    """One control: which key it sets and how (``kind``: slider, number, integer, choice, flag)."""

    key: str  # dotted Spanish key, as in an override: 'tendencia.contraccion'
    label: str
    unit: str
    source: str
    role: str | None  # 'palanca', 'incertidumbre', or None for a detail of a lever group
    kind: str
    group: str  # label of the top-level section ('Tendencia', 'Deuda', ...)
    title: str = ""  # label of the lever's own group when nested ('Préstamo nuevo'), else ''
    ge: float | None = None
    le: float | None = None
    choices: tuple[Any, ...] = ()
    optional: bool = False  # None allowed: e.g. a reform target left empty means no reform
    series: bool = False  # year-keyed value: the control sets one value for every year
    details: tuple["ControlSpec", ...] = field(default=())

    @property
    def css_class(self) -> str:
        """``nexos-palanca-<clave>`` with the dots as hyphens (``nexos-palanca-tendencia-contraccion``)."""
        return "nexos-palanca-" + self.key.replace(".", "-")

    @property
    def step(self) -> float:
        """A round step giving about 100-1000 positions over the range (1 for integers)."""
        if self.kind == "integer":
            return 1
        if self.ge is None or self.le is None or self.le <= self.ge:
            return 0.01
        return 10 ** math.floor(math.log10((self.le - self.ge) / 100))

    @property
    def decimals(self) -> int:
        return max(0, -int(round(math.log10(self.step)))) if self.kind != "integer" else 0

    def clean(self, value: Any) -> Any:
        """A widget's value as the override to send: rounded to the step (0.53, not 0.5300000001)."""
        if value is None or self.kind in ("choice", "flag"):
            return value
        if self.kind == "integer":
            return int(value)
        return round(float(value), self.decimals + 2 if self.kind == "number" else self.decimals)


# --- reading the schema ---------------------------------------------------------------------

def _bounds(metadata: list[Any]) -> tuple[float | None, float | None]:
    ge = next((m.ge for m in metadata if getattr(m, "ge", None) is not None), None)
    le = next((m.le for m in metadata if getattr(m, "le", None) is not None), None)
    return ge, le


def _submodel(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _kind(annotation: Any, metadata: list[Any]) -> dict[str, Any] | None:
    """How a field is edited, or None when it is not a plain value (a list, a mapping by name)."""
    annotation, optional = _unwrap_optional(annotation)
    ge, le = _bounds(metadata)
    out: dict[str, Any] = {"optional": optional, "ge": ge, "le": le}
    if typing.get_origin(annotation) is Literal:
        return {**out, "kind": "choice", "choices": typing.get_args(annotation)}
    if annotation is bool:
        return {**out, "kind": "flag"}
    if annotation is int:
        return {**out, "kind": "integer"}
    if annotation is float:
        slider = ge is not None and le is not None and le - ge <= SLIDER_MAX_SPAN and not optional
        return {**out, "kind": "slider" if slider else "number"}
    if typing.get_origin(annotation) is dict:  # a year series: {year: value}
        key_type, value_type = typing.get_args(annotation)
        key_base = typing.get_args(key_type)[0] if typing.get_origin(key_type) is typing.Annotated else key_type
        if key_base is not int or typing.get_origin(value_type) is not typing.Annotated:
            return None
        base, *extra = typing.get_args(value_type)
        inner = [m for info in extra for m in getattr(info, "metadata", [info])]
        kind = _kind(base, inner)
        return {**kind, "series": True} if kind and kind["kind"] in ("slider", "number") else None
    return None


def _meta(info: Any) -> dict[str, Any]:
    return dict(info.json_schema_extra or {}) if isinstance(info.json_schema_extra, dict) else {}


def _spec(key: str, info: Any, role: str | None, group: str, title: str = "") -> ControlSpec | None:
    kind = _kind(info.annotation, list(info.metadata))
    if kind is None:
        return None
    meta = _meta(info)
    return ControlSpec(key=key, label=meta.get("etiqueta", key), unit=meta.get("unidad", ""),
                       source=meta.get("fuente", ""), role=role, group=group, title=title, **kind)


def _lever_group(model: type[BaseModel]) -> bool:
    """A section that is one decision: exactly one field with rol 'palanca'."""
    return sum(_meta(f).get("rol") == "palanca" for f in model.model_fields.values()) == 1


def control_specs(model: type[BaseModel] = Parameters) -> list[ControlSpec]:
    """Every control the schema asks for, in schema order, with lever groups' details attached."""
    specs: list[ControlSpec] = []

    def walk(node: type[BaseModel], path: tuple[str, ...], group: str, title: str, title_unit: str) -> None:
        for name, info in node.model_fields.items():
            key = info.alias or name
            meta = _meta(info)
            sub = _submodel(_unwrap_optional(info.annotation)[0])
            if sub is not None:
                label = meta.get("etiqueta", key)
                walk(sub, (*path, key), group or label, label, meta.get("unidad", ""))
                continue
            role = meta.get("rol")
            if role not in ROLES:
                continue
            nested = len(path) >= 2  # palancas.iusi_cobertura.meta, not macro.inflacion
            heading = f"{title} ({title_unit})" if nested and title_unit else (title if nested else "")
            spec = _spec(".".join((*path, key)), info, role, group or key, heading)
            if spec is None:
                continue
            if role == "palanca" and nested and _lever_group(node):
                details = [
                    _spec(".".join((*path, k)), f, None, spec.group)
                    for k, f in ((f.alias or n, f) for n, f in node.model_fields.items())
                    if _meta(f).get("rol") is None and _submodel(f.annotation) is None
                ]
                spec = ControlSpec(**{**spec.__dict__, "details": tuple(d for d in details if d)})
            specs.append(spec)

    walk(model, (), "", "", "")
    return specs


# --- values and where they came from --------------------------------------------------------

def value_of(params: BaseModel, key: str) -> Any:
    """The validated value at a dotted Spanish key; a year series gives its first value."""
    value = lookup(params, key)
    if isinstance(value, dict):
        return value[min(value)] if value else None
    return value


def varies_by_year(params: BaseModel, key: str) -> bool:
    """Whether a year series holds different values in different years."""
    value = lookup(params, key)
    return isinstance(value, dict) and len(set(value.values())) > 1


def layer_of(resolved: Resolved, key: str) -> str:
    """Who set a key, in Spanish: 'valor por defecto', 'archivo del municipio', 'escenario …', 'ajuste'."""
    names = [layer.name for layer in resolved.layers]
    hits = [resolved.provenance[p] for p in resolved.provenance if p == key or p.startswith(key + ".")]
    if not hits:
        return "valor por defecto"
    layer = max(hits, key=lambda name: names.index(name) if name in names else -1)
    if layer == OVERRIDES:
        return "ajuste en la app"
    if names and layer == names[0]:
        return "valor por defecto"
    if layer.endswith("defaults.yaml"):
        return f"valor por defecto de {layer}"
    if "municipios" in layer:
        return "archivo del municipio"
    if "escenarios" in layer:
        return "escenario (" + layer.split("escenarios", 1)[1].strip("/\\").removesuffix(".yaml") + ")"
    return layer
