"""The app's controls, read from the parameter schema: no control is placed by hand.

Every schema field whose metadata carries ``rol`` (``palanca``: a council decision;
``incertidumbre``: an assumption) becomes one :class:`ControlSpec`, with its label, unit, source
and range taken from the field (``etiqueta``, ``unidad``, ``fuente``, ``ge``/``le``). A lever that
sits inside a group of its own (``palancas.iusi_cobertura.meta``, ``deuda.nuevo_prestamo.monto``)
brings the group's other plain fields along as *details* (target year, path shape, term...), and
its assumptions as *companions* shown beside it (the new loan's interest rate next to its
amount), so "update the cadastre by 2030" is one control plus its years.

Values are shown and typed in the advisor's units (:meth:`ControlSpec.shown`): a ``fracción`` as
a percentage (85 means 85 %), amounts in quetzales, years as years (a list bounded by the
calendar, :func:`year_options`). A typed value outside the field's range is refused with a
Spanish message that gives the range (:meth:`ControlSpec.problem`), never clamped.

The planning calendar (``calendario``) is not a lever: the app puts it in its header. The legal
limits (``reglas``) are law, shown as such (:func:`law_rows`), not as council decisions.

Widget-free: the UI turns specs into widgets; tests and the benchmark read specs directly.
A new field with ``rol`` in the schema appears in the app with no change here.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union

from pydantic import BaseModel

from nexos_model.params.calendar_schema import longest_loan_term, term_last_year
from nexos_model.params.changes import CHOICE_WORDS, DRIVER_UNIT, plain_label, scenario_label, value_words
from nexos_model.params.keys import lookup
from nexos_model.params.loader import OVERRIDES, Resolved
from nexos_model.params.revenue_schema import LEVER_DRIVERS
from nexos_model.params.schema import Parameters
from nexos_model.wording import numero, quetzales

if TYPE_CHECKING:
    from nexos_model.api import RunResult

ROLES = ("palanca", "incertidumbre")
ROLE_TITLES = {"palanca": "Decisiones del Concejo", "incertidumbre": "Supuestos"}
#: Sections the app shows elsewhere: the calendar in the header, the legal limits as law.
CALENDAR, LAW = "calendario", "reglas"
#: Above this span (in the unit shown) a number is typed, not slid (amounts in quetzales).
SLIDER_MAX_SPAN = 1e4
#: Lever groups whose assumptions sit beside the decision (the new loan: its rate next to its
#: amount, as INFOM quotes a loan); elsewhere an assumption stays among the assumptions.
COMPANION_GROUPS = ("deuda.nuevo_prestamo",)
#: Where each lever's driver starts, for the levers whose start is a parameter (the others, the
#: collection rates, are calibrated on the last observed year: ``RunResult.calibration``). The
#: same drivers ``revenue.streams`` moves with ``LEVER_DRIVERS``.
DRIVER_PARAMETERS = {
    ("iusi", "coverage"): "ingresos_propios.impulsores.iusi.cobertura_catastral",
    ("iusi", "valuation"): "ingresos_propios.impulsores.iusi.factor_avaluo",
    ("agua", "coverage"): "ingresos_propios.impulsores.agua.registro",
    ("agua", "valuation"): "ingresos_propios.impulsores.agua.tarifa_mensual",
    ("ornato", "valuation"): "ingresos_propios.impulsores.ornato.cuota_media",
}


@dataclass(frozen=True)
class ControlSpec:
    """One control: which key it sets and how (``kind``: slider, number, integer, year, choice, flag)."""

    key: str  # dotted Spanish key, as in an override: 'tendencia.contraccion'
    label: str
    unit: str  # the schema's unit; a lever's target takes its driver's ('fracción de predios')
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
    companions: tuple["ControlSpec", ...] = field(default=())  # shown beside it (the loan's rate)

    @property
    def css_class(self) -> str:
        """``nexos-palanca-<clave>`` with the dots as hyphens (``nexos-palanca-tendencia-contraccion``)."""
        return "nexos-palanca-" + self.key.replace(".", "-")

    # --- the advisor's units -------------------------------------------------------------------
    @property
    def percent(self) -> bool:
        """A share (unit ``fracción …``): shown and typed as a percentage."""
        return self.unit.startswith("fracción")

    @property
    def scale(self) -> float:
        return 100.0 if self.percent else 1.0

    @property
    def suffix(self) -> str:
        """The unit written after the box: ``%``, ``Q``, ``años``, or the schema's words."""
        if self.percent:
            rest = self.unit.removeprefix("fracción").strip()
            return "%" + (f" {rest}" if rest and not rest.startswith("(") else "")
        if self.unit.startswith("quetzales"):
            return "Q" + self.unit.removeprefix("quetzales")
        return "" if self.kind == "year" else self.unit

    def shown(self, value: Any) -> Any:
        """A stored value in the unit shown, rounded as people write it (0.730606 -> 73.06 %);
        None and choices pass through."""
        if value is None or self.kind in ("choice", "flag", "year"):
            return value
        if self.kind == "integer":
            return int(value)
        digits = 2 if self.percent or self.unit.startswith("quetzales") else 4
        return round(float(value) * self.scale, digits)

    def stored(self, shown: Any) -> Any:
        """A value typed in the unit shown as the override to send (85 -> 0.85)."""
        if shown is None or self.kind in ("choice", "flag"):
            return shown
        if self.kind in ("integer", "year"):
            return int(shown)
        return round(float(shown) / self.scale, 10)

    @property
    def low(self) -> float | None:
        return None if self.ge is None else self.ge * self.scale

    @property
    def high(self) -> float | None:
        return None if self.le is None else self.le * self.scale

    def words(self, value: Any) -> str:
        """A stored value as text in its unit (``85 %``, ``Q 15,000,000``)."""
        return value_words(value, self.unit) if self.kind != "year" else str(value)

    @property
    def name(self) -> str:
        """The control's label as the advisor reads it: «Meta» for a reform's target, without the
        schema's parenthesis; with its group's title when it has one."""
        label = "meta" if self.optional and self.key.endswith(".meta") else plain_label(self.label)
        if self.title:
            return f"{plain_label(self.title)}, {label[:1].lower()}{label[1:]}"
        return label[:1].upper() + label[1:]

    def _bound_text(self, x: float) -> str:
        if self.percent:
            return f"{numero(x, _decimals(x))} %"
        if self.unit.startswith("quetzales"):
            return quetzales(x, 0 if x == int(x) else 2)
        unit = f" {self.unit}" if self.unit and self.kind != "year" else ""
        return f"{numero(x, _decimals(x))}{unit}"

    def range_text(self) -> str:
        """The valid range in the unit shown: ``entre 0 % y 100 %``, ``de Q 0 en adelante``."""
        if self.low is not None and self.high is not None:
            return f"entre {self._bound_text(self.low)} y {self._bound_text(self.high)}"
        if self.low is not None:
            return f"de {self._bound_text(self.low)} en adelante"
        if self.high is not None:
            return f"hasta {self._bound_text(self.high)}"
        return "cualquier número"

    def problem(self, shown: Any) -> str | None:
        """Why a value typed in the unit shown is refused (Spanish, with the range), or None."""
        if shown is None:
            return None if self.optional else f"{self.name}: escriba un valor ({self.range_text()})"
        try:
            x = float(shown)
        except (TypeError, ValueError):
            return f"{self.name}: «{shown}» no es un número (se esperaba un valor {self.range_text()})"
        if not math.isfinite(x):
            return f"{self.name}: «{shown}» no es un número (se esperaba un valor {self.range_text()})"
        if (self.low is not None and x < self.low - 1e-9) or (self.high is not None and x > self.high + 1e-9):
            return (f"{self.name}: {self._bound_text(x)} está fuera del rango; se esperaba un valor "
                    f"{self.range_text()}. No se cambió nada.")
        if self.kind == "integer" and x != int(x):
            return f"{self.name}: se esperaba un número entero ({self.range_text()})"
        return None

    @property
    def step(self) -> float:
        """A round step in the unit shown, about 100-1000 positions over the range (1 for integers)."""
        if self.kind in ("integer", "year"):
            return 1
        if self.low is None or self.high is None or self.high <= self.low:
            return 1 if self.unit.startswith("quetzales") else 0.01 * self.scale
        return 10 ** math.floor(math.log10((self.high - self.low) / 100))

    @property
    def decimals(self) -> int:
        return max(0, -int(round(math.log10(self.step)))) if self.kind not in ("integer", "year") else 0

    def clean(self, stored: Any) -> Any:
        """A stored value rounded to what the control can show (0.53, not 0.5300000001)."""
        if stored is None or self.kind in ("choice", "flag"):
            return stored
        if self.kind in ("integer", "year"):
            return int(stored)
        return round(float(stored), self.decimals + 2 + (2 if self.percent else 0))


def _decimals(x: float) -> int:
    for d in range(4):
        if abs(round(x, d) - x) < 1e-9:
            return d
    return 4


def choice_label(value: Any) -> str:
    """A choice as the advisor reads it (``frances`` -> ``cuota fija (sistema francés)``)."""
    return CHOICE_WORDS.get(value, str(value)) if isinstance(value, str) else str(value)


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


def _kind(annotation: Any, metadata: list[Any], unit: str = "") -> dict[str, Any] | None:
    """How a field is edited, or None when it is not a plain value (a list, a mapping by name)."""
    annotation, optional = _unwrap_optional(annotation)
    ge, le = _bounds(metadata)
    out: dict[str, Any] = {"optional": optional, "ge": ge, "le": le}
    if typing.get_origin(annotation) is Literal:
        return {**out, "kind": "choice", "choices": typing.get_args(annotation)}
    if annotation is bool:
        return {**out, "kind": "flag"}
    if annotation is int:
        return {**out, "kind": "year" if unit == "año" else "integer"}
    if annotation is float:
        scale = 100.0 if unit.startswith("fracción") else 1.0
        slider = (ge is not None and le is not None and (le - ge) * scale <= SLIDER_MAX_SPAN and not optional)
        return {**out, "kind": "slider" if slider else "number"}
    if typing.get_origin(annotation) is dict:  # a year series: {year: value}
        key_type, value_type = typing.get_args(annotation)
        key_base = typing.get_args(key_type)[0] if typing.get_origin(key_type) is typing.Annotated else key_type
        if key_base is not int or typing.get_origin(value_type) is not typing.Annotated:
            return None
        base, *extra = typing.get_args(value_type)
        inner = [m for info in extra for m in getattr(info, "metadata", [info])]
        kind = _kind(base, inner, unit)
        return {**kind, "series": True} if kind and kind["kind"] in ("slider", "number") else None
    return None


def _meta(info: Any) -> dict[str, Any]:
    return dict(info.json_schema_extra or {}) if isinstance(info.json_schema_extra, dict) else {}


def _spec(key: str, info: Any, role: str | None, group: str, title: str = "", group_unit: str = "") -> ControlSpec | None:
    meta = _meta(info)
    unit = meta.get("unidad", "")
    if unit == DRIVER_UNIT and group_unit:
        unit = group_unit
    kind = _kind(info.annotation, list(info.metadata), unit)
    if kind is None:
        return None
    if unit.startswith("fracción") and kind["le"] is None and kind["ge"] is not None and kind["ge"] >= 0:
        kind = {**kind, "le": 1.0}  # a share: 0 to 100 % (the schema checks lever targets the same way)
    return ControlSpec(key=key, label=meta.get("etiqueta", key), unit=unit, source=meta.get("fuente", ""),
                       role=role, group=group, title=title, **kind)


def _lever_group(model: type[BaseModel]) -> bool:
    """A section that is one decision: exactly one field with rol 'palanca'."""
    return sum(_meta(f).get("rol") == "palanca" for f in model.model_fields.values()) == 1


def control_specs(model: type[BaseModel] = Parameters) -> list[ControlSpec]:
    """Every control the schema asks for, in schema order, with lever groups' details and
    companions attached; the calendar's and the legal limits' sections are left to
    :func:`calendar_specs` and :func:`law_rows`."""
    return [s for s in _all_specs(model) if not s.key.startswith((CALENDAR + ".", LAW + "."))]


def calendar_specs(model: type[BaseModel] = Parameters) -> dict[str, ControlSpec]:
    """The calendar's controls (budget year, plan length), by key: the app's header."""
    return {s.key: s for s in _all_specs(model) if s.key.startswith(CALENDAR + ".")}


def _all_specs(model: type[BaseModel]) -> list[ControlSpec]:
    specs: list[ControlSpec] = []

    def walk(node: type[BaseModel], path: tuple[str, ...], group: str, title: str, title_unit: str) -> None:
        grouped = len(path) >= 2 and _lever_group(node)
        for name, info in node.model_fields.items():
            key = info.alias or name
            meta = _meta(info)
            sub = _submodel(_unwrap_optional(info.annotation)[0])
            if sub is not None:
                label = meta.get("etiqueta", key)
                walk(sub, (*path, key), group or label, label, meta.get("unidad", ""))
                continue
            role = meta.get("rol")
            companions_here = grouped and ".".join(path) in COMPANION_GROUPS
            if role not in ROLES or (companions_here and role != "palanca"):
                continue  # such a group's assumptions go beside its lever (companions)
            nested = len(path) >= 2  # palancas.iusi_cobertura.meta, not macro.inflacion
            spec = _spec(".".join((*path, key)), info, role, group or key, title if nested else "", title_unit)
            if spec is None:
                continue
            if role == "palanca" and grouped:
                siblings = [(f.alias or n, f) for n, f in node.model_fields.items()
                            if _submodel(f.annotation) is None and (f.alias or n) != key]
                details = [_spec(".".join((*path, k)), f, None, spec.group, "", title_unit)
                           for k, f in siblings if _meta(f).get("rol") is None]
                companions = [_spec(".".join((*path, k)), f, _meta(f)["rol"], spec.group, "", title_unit)
                              for k, f in siblings if companions_here and _meta(f).get("rol") in ROLES]
                spec = ControlSpec(**{**spec.__dict__, "details": tuple(d for d in details if d),
                                      "companions": tuple(c for c in companions if c)})
            specs.append(spec)

    walk(model, (), "", "", "")
    return specs


# --- years --------------------------------------------------------------------------------------

def year_options(spec: ControlSpec, budget_year: int, last_year: int, start: int | None = None,
                 current: int | None = None) -> list[int]:
    """The years a year control offers, bounded by the calendar: from the budget year (a reform's
    target: the year after its start) to the projection's last year, plus the current value if a
    file set one outside them (shown as it is, never moved)."""
    first = budget_year
    if spec.key.endswith(".anio_meta") and start is not None:
        first = max(first, start + 1)
    years = list(range(first, last_year + (0 if spec.key.endswith(".anio_inicio") else 1)))
    if current is not None and current not in years:
        years = sorted({*years, int(current)})
    return years


def budget_year_options(default: int, last_observed: int, current: int | None = None) -> list[int]:
    """Budget years the header offers: from the year after the last observed one (never before
    this year's, which a council without an approved budget may still be preparing: art. 131)
    to four years after the default (the budget being prepared)."""
    first = max(last_observed + 1, default - 1)
    years = list(range(first, default + 5))
    if current is not None and current not in years and current > last_observed:
        years = sorted({*years, int(current)})
    return years


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
    """Who set a key, in the advisor's words: 'supuesto genérico de Nexos', 'dato del municipio',
    'escenario «…»', 'su ajuste'."""
    names = [layer.name for layer in resolved.layers]
    hits = [resolved.provenance[p] for p in resolved.provenance if p == key or p.startswith(key + ".")]
    if not hits:
        return "supuesto genérico de Nexos"
    layer = max(hits, key=lambda name: names.index(name) if name in names else -1)
    if layer == OVERRIDES:
        return "su ajuste"
    if names and layer == names[0]:
        return "supuesto genérico de Nexos"
    if layer.endswith("defaults.yaml"):
        return "valor por defecto de su carpeta de parámetros"
    if "municipios" in layer:
        return "dato del municipio"
    if "escenarios" in layer:
        name = layer.split("escenarios", 1)[1].strip("/\\").removesuffix(".yaml")
        return f"escenario «{scenario_label(name, resolved.params.description)}»"
    return layer


def current_driver(result: "RunResult", municipio: str, lever_key: str) -> tuple[float, str] | None:
    """Where a reform lever's driver stands today for this municipality, and whence: its
    parameter (``palancas.iusi_cobertura`` -> the cadastre's coverage, as the scenario sets it)
    or the rate calibrated on the last observed year (collection). None if unknown."""
    name = lever_key.split(".")[1] if lever_key.startswith("palancas.") else lever_key
    if name not in LEVER_DRIVERS:
        return None
    stream, driver = LEVER_DRIVERS[name]
    resolved = result.parameters[municipio]
    key = DRIVER_PARAMETERS.get((stream, driver))
    if key is not None:
        return float(value_of(resolved.params, key)), layer_of(resolved, key)
    table = result.calibration
    if table is None or not len(table):
        return None
    rows = table.loc[(table["municipio"] == municipio) & (table["flujo"] == stream)]
    if rows.empty:
        return None
    return float(rows["valor"].iloc[0]), f"calibrado con los ingresos de {result.last_observed(municipio)}"


def law_rows(params: Parameters) -> list[tuple[str, str, str]]:
    """The legal limits (``reglas``) as law: (what, limit in words, source), read from the schema."""
    section = params.rules
    out = []
    for name, info in type(section).model_fields.items():
        meta = _meta(info)
        out.append((meta.get("etiqueta", name), value_words(getattr(section, name), meta.get("unidad", "")),
                    meta.get("fuente", "")))
    return out


def loan_note(params: Parameters) -> str:
    """What an INFOM loan of the chosen year looks like, and the legal limit on its term."""
    loan, calendar, debt = params.debt.new_loan, params.calendar, params.debt
    last = int(term_last_year([loan.start_year], calendar.term_start, calendar.term_length)[0])
    longest = longest_loan_term(loan.start_year, calendar.term_start, calendar.term_length, debt.max_term)
    years = "1 año" if longest == 1 else f"{longest} años"
    return (f"Condiciones usuales del INFOM: tasa de alrededor de 8 % anual y plazos de hasta {debt.max_term} años. "
            f"Un préstamo de {loan.start_year} debe quedar pagado en {last}, último año completo del Concejo que "
            f"lo contrata (Código Municipal, art. 110 y 110 bis): plazo de {years} como máximo.")
