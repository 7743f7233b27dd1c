"""Widgets for the generated controls: one :class:`Control` per :class:`ControlSpec`.

The widget kind follows the spec (slider, number box, optional number with a switch, whole
number, choice, yes/no). Each control sits in a box with the CSS class ``nexos-palanca-<clave>``,
its label and unit, and a line saying who set the value (default, municipality file, scenario,
adjustment). A lever group's details (target year, path shape, term...) are built the first
time the advisor opens them, so the first page stays light.
"""

from __future__ import annotations

from html import escape
from typing import Any, Callable, Iterable

import ipywidgets as w

from nexos_model.app.levers import ROLE_TITLES, ControlSpec

NO_BOUND = 1e15


class Control:
    """One generated control; ``on_change(spec)`` is called when the advisor changes it."""

    def __init__(self, spec: ControlSpec, on_change: Callable[[ControlSpec], None], show_title: bool = True):
        self.spec = spec
        self._show_title = show_title
        self._on_change = on_change
        self._quiet = False
        self.switch: w.Checkbox | None = None
        self.input = self._make_input(spec)
        self.label = w.HTML(self._label_html(""))
        parts: list[w.Widget] = [self.label]
        if self.switch is not None:
            parts.append(w.HBox([self.switch, self.input]))
        else:
            parts.append(self.input)
        self.details: list[Control] = []
        self._details_box: w.VBox | None = None
        if spec.details:
            self.toggle = w.ToggleButton(value=False, description="Detalles", tooltip="Año, forma, plazo…",
                                         layout=w.Layout(width="110px"))
            self.toggle.observe(self._toggle_details, "value")
            self._details_box = w.VBox([], layout=w.Layout(margin="0 0 0 14px", display="none"))
            parts += [self.toggle, self._details_box]
        self.box = w.VBox(parts)
        self.box.add_class("nexos-palanca")
        self.box.add_class(spec.css_class)
        watched = [self.input] + ([self.switch] if self.switch is not None else [])
        for widget in watched:
            widget.observe(self._changed, "value")

    # --- construction -----------------------------------------------------------------------
    def _label_html(self, origin: str) -> str:
        """Label, unit and who set the value (``origin``), in one HTML widget (fewer widgets, faster page)."""
        s = self.spec
        head = f"<b>{escape(s.title)}</b><br>" if s.title and self._show_title else ""
        shown_unit = s.unit and not (s.title and s.title.endswith(")"))  # the group's title gives the unit
        unit = f" <span class='nexos-nota'>({escape(s.unit)})</span>" if shown_unit else ""
        series = " <span class='nexos-nota'>· igual en todos los años</span>" if s.series else ""
        who = f"<br><span class='nexos-origen'>fijado por: {escape(origin)}</span>" if origin else ""
        return (f"<div class='nexos-etiqueta' title='{escape(s.source)}'>{head}{escape(s.label)}{unit}{series}"
                f"{who}</div>")

    def _make_input(self, s: ControlSpec) -> w.Widget:
        full = w.Layout(width="96%")
        if s.kind == "slider":
            return w.FloatSlider(min=s.ge, max=s.le, step=s.step, readout_format=f".{s.decimals}f",
                                 continuous_update=False, layout=full, tooltip=s.source)
        if s.kind == "choice":
            return w.Dropdown(options=[(str(c), c) for c in s.choices], layout=w.Layout(width="160px"))
        if s.kind == "flag":
            return w.Checkbox(indent=False)
        if s.kind == "integer":
            box = w.BoundedIntText(min=int(s.ge if s.ge is not None else -NO_BOUND),
                                   max=int(s.le if s.le is not None else NO_BOUND), layout=w.Layout(width="120px"))
        else:
            box = w.BoundedFloatText(min=s.ge if s.ge is not None else -NO_BOUND,
                                     max=s.le if s.le is not None else NO_BOUND, step=s.step,
                                     layout=w.Layout(width="160px"))
        if s.optional:  # empty means "not set" (e.g. no reform): a switch turns the value on
            self.switch = w.Checkbox(value=False, description="aplicar", indent=False,
                                     layout=w.Layout(width="90px"))
            box.disabled = True
        return box

    # --- value --------------------------------------------------------------------------------
    def get(self) -> Any:
        """The value to send as an override (None when an optional value is switched off)."""
        if self.switch is not None and not self.switch.value:
            return None
        return self.spec.clean(self.input.value)

    def set(self, value: Any, origin: str, adjusted: bool) -> None:
        """Show a value without calling back."""
        self._quiet = True
        try:
            if self.switch is not None:
                self.switch.value = value is not None
                self.input.disabled = value is None
            if value is not None:
                if self.spec.kind == "slider":  # show the value's own precision (0.0178, not 0.018)
                    digits = len(f"{float(value):.6f}".rstrip("0").split(".")[1])
                    self.input.readout_format = f".{min(6, max(self.spec.decimals, digits))}f"
                self.input.value = value
            self.label.value = self._label_html(origin)
            if adjusted:
                self.box.add_class("nexos-ajustada")
            else:
                self.box.remove_class("nexos-ajustada")
        finally:
            self._quiet = False

    def _changed(self, change: dict) -> None:
        if self.switch is not None:
            self.input.disabled = not self.switch.value
        if not self._quiet:
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
        yield from self.details


class _Section:
    """One accordion section: its specs, and its controls once built."""

    def __init__(self, specs: list[ControlSpec]):
        self.specs = specs
        self.box = w.VBox([])
        self.controls: list[Control] | None = None

    def keys(self) -> set[str]:
        return {s.key for s in self.specs} | {d.key for s in self.specs for d in s.details}


class ControlPanel:
    """All generated controls, grouped by role (levers, assumptions) and by section.

    A section's widgets are built when it is first opened (all start closed): the page the
    browser loads first stays small.
    """

    def __init__(self, specs: list[ControlSpec], on_change: Callable[[ControlSpec | None], None]):
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
        """Every control built so far (details included)."""
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
                    if any(d.key == key for d in control.spec.details):
                        control.toggle.value = True
                        return next(d for d in control.details if d.spec.key == key)
        raise KeyError(key)

    def by_prefix(self, prefix: str) -> list[Control]:
        """The top-level controls whose key starts with ``prefix`` (their sections are built)."""
        return [self.control(s.key) for section in self.sections for s in section.specs
                if s.key.startswith(prefix)]
