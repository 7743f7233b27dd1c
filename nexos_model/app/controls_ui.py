"""Widgets for the generated controls: one :class:`Control` per :class:`ControlSpec`.

Every value is shown and typed in the advisor's unit (a share as %, an amount in quetzales, a
year from a list the calendar bounds). A typed value is checked on the spot
(:meth:`ControlSpec.problem`): out of range, the control says so in Spanish with the range,
puts back the value it had and changes nothing else, never clamping or reinterpreting it.

Each control sits in a box with the CSS class ``nexos-palanca-<clave>``, its label and unit, and
a line saying where its value comes from (a generic assumption, the municipality's data, the
scenario, the advisor's own adjustment). A reform shows the municipality's value today beside its
target; a lever group's companions (the loan's rate) sit beside it and its details (years, path,
term...) are built the first time the advisor opens them, so the first page stays light.
"""

from __future__ import annotations

from html import escape
from typing import Any, Callable, Iterable

import ipywidgets as w

from nexos_model.app.levers import ROLE_TITLES, ControlSpec, choice_label
from nexos_model.params.changes import plain_label

BOX = w.Layout(width="120px")


class Control:
    """One generated control; ``on_change(spec)`` is called when the advisor changes it (only
    with a valid value)."""

    box: w.VBox

    def __init__(self, spec: ControlSpec, on_change: Callable[[ControlSpec | None], None], show_title: bool = True):
        self.spec = spec
        self._show_title = show_title
        self._on_change = on_change
        self._quiet = False
        self._origin = ""
        self._today = ""
        self._good: Any = None  # the last valid value shown (what a refused entry goes back to)
        self.switch: w.Checkbox | None = None
        self.slider: w.FloatSlider | None = None
        self.input = self._make_input(spec)
        self.label = w.HTML(self._label_html())
        self.error = w.HTML()
        self.error.add_class("nexos-error-campo")
        row: list[w.Widget] = []
        if self.switch is not None:
            row.append(self.switch)
        if self.slider is not None:
            row.append(self.slider)
        row.append(self.input)
        self.unit: w.HTML | None = None
        if spec.suffix and spec.kind not in ("choice", "flag", "year"):
            self.unit = w.HTML(self._unit_html(None))
            row.append(self.unit)
        parts: list[w.Widget] = [self.label, w.HBox(row, layout=w.Layout(flex_flow="row wrap", align_items="center")),
                                 self.error]
        self.companions: list[Control] = [Control(c, on_change) for c in spec.companions]
        parts += [c.box for c in self.companions]
        self.details: list[Control] = []
        self._details_box: w.VBox | None = None
        self.note = w.HTML()
        parts.append(self.note)
        if spec.details:
            self.toggle = w.ToggleButton(value=False, description="Años, forma y detalles",
                                         tooltip="Año de inicio, año de la meta, trayectoria, costo, plazo…",
                                         layout=w.Layout(width="auto"))
            self.toggle.observe(self._toggle_details, "value")
            self._details_box = w.VBox([], layout=w.Layout(margin="0 0 0 14px", display="none"))
            parts += [self.toggle, self._details_box]
        self.box = w.VBox(parts)
        self.box.add_class("nexos-palanca")
        self.box.add_class(spec.css_class)
        self.input.observe(self._typed, "value")
        if self.slider is not None:
            self.slider.observe(self._slid, "value")
        if self.switch is not None:
            self.switch.observe(self._switched, "value")

    # --- construction -----------------------------------------------------------------------
    def _label_html(self) -> str:
        """Label, unit, today's value and where the value comes from, in one HTML widget."""
        s = self.spec
        head = f"<b>{escape(s.title)}</b><br>" if s.title and self._show_title else ""
        label = "Meta" if s.optional and s.key.endswith(".meta") else plain_label(s.label)
        label = label[:1].upper() + label[1:]
        series = " <span class='nexos-nota'>· igual en todos los años</span>" if s.series else ""
        today = f"<br><span class='nexos-hoy'>{escape(self._today)}</span>" if self._today else ""
        who = f"<br><span class='nexos-origen'>Origen del valor: {escape(self._origin)}</span>" if self._origin else ""
        tip = escape(f"{s.source} Rango: {s.range_text()}." if s.kind in ("slider", "number", "integer") else s.source)
        return f"<div class='nexos-etiqueta' title='{tip}'>{head}{escape(label)}{series}{today}{who}</div>"

    def _unit_html(self, shown: Any) -> str:
        """The unit after the box; an amount also written out (``Q · Q 15,000,000``: a long number
        typed without separators is hard to read)."""
        text = self.spec.suffix
        if shown is not None and self.spec.unit.startswith("quetzales") and abs(float(shown)) >= 10_000:
            text += f" · {self.spec.words(self.spec.stored(shown))}"
        return f"<span class='nexos-unidad'>{escape(text)}</span>"

    def _make_input(self, s: ControlSpec) -> w.Widget:
        if s.kind == "choice":
            return w.Dropdown(options=[(choice_label(c), c) for c in s.choices], layout=w.Layout(width="auto"))
        if s.kind == "flag":
            return w.Checkbox(indent=False)
        if s.kind == "year":
            return w.Dropdown(options=[], layout=w.Layout(width="100px"))
        box = w.FloatText(layout=BOX, continuous_update=False, step=s.step)
        box.add_class("nexos-numero")
        if s.kind == "slider":
            self.slider = w.FloatSlider(min=s.low, max=s.high, step=s.step, readout=False, continuous_update=False,
                                        layout=w.Layout(width="150px"))
        if s.optional:  # a reform: off = no reform; on = a target, starting at today's value
            reform = s.key.startswith("palancas.") and s.key.endswith(".meta")
            self.switch = w.Checkbox(value=False, description="Reformar" if reform else "Fijar", indent=False,
                                     layout=w.Layout(width="90px"),
                                     tooltip="" if reform else "Sin marcar, Nexos lo estima con los datos del municipio")
            box.disabled = True
        return box

    # --- value --------------------------------------------------------------------------------
    def get(self) -> Any:
        """The value to send as an override (None when a reform is switched off)."""
        if self.switch is not None and not self.switch.value:
            return None
        return self.spec.clean(self.spec.stored(self.input.value))

    def set(self, value: Any, origin: str, adjusted: bool) -> None:
        """Show a stored value without calling back."""
        self._quiet = True
        try:
            if self.switch is not None:
                self.switch.value = value is not None
                self.input.disabled = value is None
            if value is not None:
                self._show(self.spec.shown(value))
            self._origin = origin
            self.label.value = self._label_html()
            self.error.value = ""
            if adjusted:
                self.box.add_class("nexos-ajustada")
            else:
                self.box.remove_class("nexos-ajustada")
        finally:
            self._quiet = False

    def set_today(self, text: str, value: float | None) -> None:
        """A reform's driver today (``Hoy: 50 % (…)``); an empty target starts there."""
        self._today = text
        self.label.value = self._label_html()
        if self.switch is not None and not self.switch.value and value is not None:
            self._quiet = True
            try:
                self._show(self.spec.shown(value))
            finally:
                self._quiet = False

    def set_years(self, years: list[int]) -> None:
        """The years a year control offers (the calendar moved)."""
        if self.spec.kind != "year" or list(self.input.options) == years:
            return
        self._quiet = True
        try:
            value = self.input.value
            self.input.options = years
            if value in years:
                self.input.value = value
        finally:
            self._quiet = False

    def _show(self, shown: Any) -> None:
        if self.spec.kind == "year" and shown not in self.input.options:
            self.input.options = sorted({*self.input.options, int(shown)})
        self.input.value = shown
        if self.unit is not None:
            self.unit.value = self._unit_html(shown)
        if self.slider is not None and shown is not None:
            self.slider.value = min(max(float(shown), self.slider.min), self.slider.max)
        self._good = shown

    # --- the advisor's changes ----------------------------------------------------------------
    def _refuse(self, message: str) -> None:
        self.error.value = f"<div class='nexos-error'>{escape(message)}</div>"
        self._quiet = True
        try:
            self._show(self._good)
        finally:
            self._quiet = False

    def _typed(self, change: dict) -> None:
        if self._quiet:
            return
        problem = self.spec.problem(change["new"]) if self.spec.kind in ("slider", "number", "integer") else None
        if problem:
            self._refuse(problem)
            return
        self.error.value = ""
        self._quiet = True
        try:
            self._show(change["new"])
        finally:
            self._quiet = False
        self._on_change(self.spec)

    def _slid(self, change: dict) -> None:
        if self._quiet:
            return
        self.error.value = ""
        self._quiet = True
        try:
            self._show(round(change["new"], self.spec.decimals))
        finally:
            self._quiet = False
        self._on_change(self.spec)

    def _switched(self, change: dict) -> None:
        self.input.disabled = not change["new"]
        if not self._quiet:
            self.error.value = ""
            self._on_change(self.spec)

    # --- details --------------------------------------------------------------------------------
    def _toggle_details(self, change: dict) -> None:
        if change["new"] and not self.details:
            self.details = [Control(d, self._on_change) for d in self.spec.details]
            self._details_box.children = [c.box for c in self.details]
            self._on_change(None)  # let the panel show their values
        self._details_box.layout.display = "flex" if change["new"] else "none"

    def all(self) -> Iterable["Control"]:
        yield self
        for control in self.companions:
            yield from control.all()
        yield from self.details


class _Section:
    """One accordion section: its specs, and its controls once built."""

    def __init__(self, specs: list[ControlSpec]):
        self.specs = specs
        self.box = w.VBox([])
        self.controls: list[Control] | None = None

    def keys(self) -> set[str]:
        return {k for s in self.specs for k in (s.key, *(d.key for d in (*s.details, *s.companions)))}


class ControlPanel:
    """All generated controls, grouped by role (decisions, assumptions) and by section.

    A section's widgets are built when it is first opened (all start closed): the page the
    browser loads first stays small.
    """

    def __init__(self, specs: list[ControlSpec], on_change: Callable[[ControlSpec | None], None],
                 after: dict[str, w.Widget] | None = None):
        self._on_change = on_change
        self.sections: list[_Section] = []
        children: list[w.Widget] = []
        for role, title in ROLE_TITLES.items():
            mine = [s for s in specs if s.role == role]
            if not mine:
                continue
            groups = list(dict.fromkeys(s.group for s in mine))
            sections = [_Section([s for s in mine if s.group == group]) for group in groups]
            self.sections += sections
            accordion = w.Accordion(children=[s.box for s in sections], titles=tuple(groups), selected_index=None)
            accordion.observe(lambda change, sections=sections: self._opened(sections, change["new"]),
                              "selected_index")
            children += [w.HTML(f"<div class='nexos-grupo'>{escape(title)}</div>"), accordion]
            if after and role in after:
                children.append(after[role])
        self.box = w.VBox(children)

    def _build(self, section: _Section) -> bool:
        if section.controls is not None:
            return False
        titles = [None] + [spec.title for spec in section.specs]  # a shared title is shown once
        section.controls = [Control(spec, self._on_change, show_title=spec.title != before)
                            for spec, before in zip(section.specs, titles)]
        section.box.children = [c.box for c in section.controls]
        return True

    def _opened(self, sections: list[_Section], index: int | None) -> None:
        if index is not None and self._build(sections[index]):
            self._on_change(None)  # let the app show the new controls' values

    def all(self) -> Iterable[Control]:
        """Every control built so far (companions and details included)."""
        for section in self.sections:
            for control in section.controls or ():
                yield from control.all()

    def control(self, key: str) -> Control:
        """The control of ``key``, building its section (and details) if needed."""
        for section in self.sections:
            if key in section.keys():
                if self._build(section):
                    self._on_change(None)
                for control in section.controls:
                    if control.spec.key == key:
                        return control
                    for companion in control.companions:
                        if companion.spec.key == key:
                            return companion
                    if any(d.key == key for d in control.spec.details):
                        control.toggle.value = True
                        return next(d for d in control.details if d.spec.key == key)
        raise KeyError(key)

    def by_prefix(self, prefix: str) -> list[Control]:
        """The top-level controls whose key starts with ``prefix`` (their sections are built)."""
        return [self.control(s.key) for section in self.sections for s in section.specs
                if s.key.startswith(prefix)]
