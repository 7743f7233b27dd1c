"""The app's widgets: header (department, municipality, scenario) and tabs Escenario, Cartera, Comparar.

All logic lives in the model and in the widget-free modules of this package (``session``,
``levers``, ``views``, ``cartera``, ``scenarios``, ``exports``); this module only wires widgets
to them. Speed: a change schedules one recomputation (:class:`Debouncer`); the current
settings' key is compared with the one on screen so nothing is redrawn twice; the Cartera and
Comparar tabs are computed only when shown, and the Cartera grid is built the first time.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w

from nexos_model.api import resolve_municipios
from nexos_model.app.cartera_ui import PortfolioTab
from nexos_model.app.controls_ui import ControlPanel
from nexos_model.app.exports import LABELS, download_link, report_file
from nexos_model.app.feedback import Debouncer, error_html, guarded, info_html
from nexos_model.app.levers import ControlSpec, control_specs, layer_of, value_of
from nexos_model.app.scenarios import list_scenarios, parse_query, save_user_scenario, share_query
from nexos_model.app.session import Session, plan_supported, simulation_argument
from nexos_model.app.style import CSS
from nexos_model.app.views import DEFERRED_VIEWS, SCENARIO_VIEWS, ViewContext, headline_cards, scenarios_view
from nexos_model.errors import NexosError
from nexos_model.io.bundled import load_municipalities
from nexos_model.params.loader import display_name
from nexos_model.wording import quetzales

TABS = ("Escenario", "Cartera", "Comparar")
EXPORT_FORMATS = ("html", "pdf", "xlsx")


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
    return a == b


class App(w.VBox):
    """The advisors' app for one session (one browser tab)."""

    def __init__(self, session: Session):
        super().__init__()

        self.session = session
        self._quiet = False
        self._shown_key: tuple | None = None
        self._stale = {1: True, 2: True}
        self._reference: dict[str, Any] = {}
        self._origins: dict[str, str] = {}
        self._touched: set[str] = set()  # keys the advisor set in this scenario
        self._debounced = Debouncer(self.refresh)
        self._later: ViewContext | None = None  # context of the views still to draw
        self._deferred = Debouncer(self._draw_deferred, delay=0.0)
        table = load_municipalities()
        self._names = {r.municipio: (r.nombre, r.departamento) for r in table.itertuples()}
        self._labels = {r.municipio: f"{r.municipio} · {r.nombre} ({r.departamento})" for r in table.itertuples()}
        self._codes = {label: code for code, label in self._labels.items()}
        departments = table.drop_duplicates("departamento_codigo").sort_values("departamento_codigo")
        wide = {"description_width": "initial"}

        # header
        self.message = w.HTML()
        self.message.add_class("nexos-mensaje")
        self.subtitle = w.HTML()
        self.department = w.Dropdown(
            options=[("Todos", "")] + [(f"{r.departamento_codigo} · {r.departamento}", r.departamento_codigo)
                                       for r in departments.itertuples()],
            description="Departamento", style=wide, layout=w.Layout(width="260px"))
        self.municipality = w.Combobox(options=list(self._labels.values()), ensure_option=True,
                                       placeholder="Escriba el código o el nombre", description="Municipio",
                                       style=wide, layout=w.Layout(width="380px"))
        self.municipality.add_class("nexos-municipio")
        self.scenario = w.Dropdown(options=list_scenarios(), description="Escenario", style=wide,
                                   layout=w.Layout(width="280px"))
        self.scenario.add_class("nexos-escenario")
        self.department.observe(self._department_changed, "value")
        self.municipality.observe(self._municipality_changed, "value")
        self.scenario.observe(self._scenario_changed, "value")

        # Escenario tab: generated controls, save, export | cards and views
        self.specs = control_specs()
        self.panel = ControlPanel(self.specs, self._control_changed)
        reset = w.Button(description="Volver a los valores del escenario", layout=w.Layout(width="96%"))
        reset.on_click(lambda _: guarded(self.message, self._reset))
        left = [w.HTML("<h3>Supuestos y palancas</h3>"), reset, self.panel.box]
        self.simulations = None
        if simulation_argument():
            self.simulations = w.IntSlider(value=0, min=0, max=1000, step=100, continuous_update=False,
                                           layout=w.Layout(width="96%"))
            self.simulations.observe(self._simulations_changed, "value")
            left[1:1] = [w.HTML("<div class='nexos-etiqueta'>Simulaciones Monte Carlo (0 = determinista; "
                                "cada 100 tardan unos segundos)</div>"), self.simulations]
        self.planning = None
        if plan_supported():
            self.planning = w.Checkbox(value=self.session.planificar, indent=False,
                                       description="Programar la cartera en la proyección (plan de inversión; más lento)")
            self.planning.observe(self._planning_changed, "value")
            left.insert(1, self.planning)
        left += [self._save_box(), self._export_box()]
        self.cards = w.HBox([])
        self.cards.add_class("nexos-tarjetas")
        self._card_widgets: dict[str, w.HTML] = {}
        self.views = {name: w.HTML() for name, _ in SCENARIO_VIEWS}
        scenario_tab = w.HBox([
            w.VBox(left, layout=w.Layout(width="370px", min_width="370px")),
            w.VBox([self.cards, *self.views.values()], layout=w.Layout(flex="1", padding="0 0 0 12px")),
        ])
        scenario_tab.children[0].add_class("nexos-panel")

        # Cartera tab (built on first visit) and Comparar tab
        self.cartera = None
        self._cartera_box = w.VBox([w.HTML("<p class='nexos-nota'>Cargando la cartera…</p>")])
        shared = [s for s in list_scenarios() if "/" not in s]
        self.compare_select = w.SelectMultiple(options=list_scenarios(), value=shared, rows=6,
                                               description="Escenarios", style=wide)
        self.compare_current = w.Checkbox(value=True, description="Incluir la configuración actual (con ajustes)",
                                          indent=False)
        self.compare_html = w.HTML()
        self.compare_select.observe(lambda _: self._refresh_compare(), "value")
        self.compare_current.observe(lambda _: self._refresh_compare(), "value")
        compare_tab = w.VBox([w.HBox([self.compare_select, self.compare_current]), self.compare_html])

        self.tabs = w.Tab(children=[scenario_tab, self._cartera_box, compare_tab], titles=TABS)
        self.tabs.observe(lambda _: guarded(self.message, self._refresh_tab), "selected_index")
        self.children = [
            w.HTML(f"<style>{CSS}</style><h1>Nexos · Escenarios municipales</h1>"),
            w.HBox([self.department, self.municipality, self.scenario], layout=w.Layout(flex_flow="row wrap")),
            self.subtitle, self.message, self.tabs,
        ]
        self.add_class("nexos-app")
        keys = {s.key for s in self.specs} | {d.key for s in self.specs for d in s.details}
        self._extra = {k: v for k, v in session.overrides.items() if k not in keys}  # never a control
        guarded(self.message, self._show_settings)  # a bad municipality or scenario: a Spanish message
        self.refresh()

    # --- display in a notebook ----------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["text/plain"] = self.summary_text()
        return bundle

    def summary_text(self) -> str:
        """A plain-text twin of the app (logs, notebooks without widgets)."""
        code = self.session.municipio
        name, department = self._names.get(code, (code, ""))
        lines = [f"Nexos · {name}, {department} (código INE {code}) · escenario {self.session.escenario}"]
        try:
            ctx = ViewContext(self.session.result(), None, code, self.session.wide)
            first, last, end = ctx.years
            lines.append(f"Ingresos propios {last} (observado): {quetzales(ctx.wide.at[last, 'ingresos_propios'])}; "
                         f"{end} (proyección): {quetzales(ctx.wide.at[end, 'ingresos_propios'])}")
        except NexosError as exc:
            lines += exc.messages
        lines.append("Vista interactiva: `nexos app` la sirve en el navegador.")
        return "\n".join(lines)

    # --- header -----------------------------------------------------------------------------------
    def _department_changed(self, change: dict) -> None:
        code = change["new"]
        labels = [label for m, label in self._labels.items() if not code or m[:2] == code]
        self.municipality.options = labels

    def _municipality_changed(self, change: dict) -> None:
        code = self._codes.get(change["new"])
        if self._quiet or code is None or code == self.session.municipio:
            return
        self.select(municipio=code)

    def _scenario_changed(self, change: dict) -> None:
        if self._quiet or change["new"] is None or change["new"] == self.session.escenario:
            return
        self.select(escenario=change["new"])

    def select(self, municipio: str | None = None, escenario: str | None = None) -> bool:
        """Switch municipality and/or scenario (a new scenario resets the levers). False if refused."""
        new_m = municipio or self.session.municipio
        new_e = escenario or self.session.escenario
        overrides = self.session.overrides if new_e == self.session.escenario else dict(self._extra)
        try:
            self.session.run(new_e, overrides, municipio=new_m)  # cached: the refresh reuses it
        except NexosError as exc:
            self.message.value = error_html(exc.messages)
            self._show_header()
            return False
        self.session.municipio, self.session.escenario, self.session.overrides = new_m, new_e, dict(overrides)
        guarded(self.message, self._show_settings)
        self.refresh()
        return True

    def _show_header(self) -> None:
        self._quiet = True
        try:
            code = self.session.municipio
            if self.department.value and self.department.value != code[:2]:
                self.department.value = ""
            self.municipality.value = self._labels.get(code, "")
            options = list_scenarios()
            if self.session.escenario not in options:
                options.append(self.session.escenario)
            self.scenario.options = options
            self.scenario.value = self.session.escenario
        finally:
            self._quiet = False

    def _show_settings(self) -> None:
        """Header and every control from the session (values, who set them), without callbacks."""
        self._show_header()
        params = self.session.parameters()
        reference = self.session.scenario_parameters()
        self._reference, self._origins = {}, {}
        self._touched = {c.spec.key for c in self.panel.all()} & set(self.session.overrides)
        for control in self.panel.all():
            key = control.spec.key
            self._reference[key] = value_of(reference.params, key)
            self._origins[key] = layer_of(reference, key)
            self._mark(control, value_of(params.params, key))

    def _mark(self, control: Any, value: Any) -> None:
        key = control.spec.key
        adjusted = key in self._touched
        control.set(value, "ajuste en la app" if adjusted else self._origins.get(key, ""), adjusted)

    # --- controls ---------------------------------------------------------------------------------
    def _control_changed(self, spec: ControlSpec | None) -> None:
        """The advisor moved a control: it becomes an adjustment (unless back at the scenario's value)."""
        if self._quiet:
            return
        if spec is None:  # a section or a lever's details were just built: show their values
            guarded(self.message, self._show_settings)
            return
        controls = {c.spec.key: c for c in self.panel.all()}
        value = controls[spec.key].get()
        was = spec.key in self._touched
        if _same(value, self._reference.get(spec.key)):
            self._touched.discard(spec.key)
        else:
            self._touched.add(spec.key)
        if was != (spec.key in self._touched):
            self._mark(controls[spec.key], value)
        kept = {k: v for k, v in self.session.overrides.items() if k not in controls}  # keys without a control yet
        self.session.overrides = {**kept, **{k: controls[k].get() for k in self._touched}}
        self._debounced()

    def _reset(self) -> None:
        self.session.overrides = dict(self._extra)
        self._show_settings()
        self.refresh()

    def _planning_changed(self, change: dict) -> None:
        self.session.planificar = bool(change["new"])
        self._debounced()

    def _simulations_changed(self, change: dict) -> None:
        self.session.simulaciones = int(change["new"])
        self._debounced()

    # --- recomputation ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute and redraw what the current settings change (nothing if already shown)."""
        guarded(self.message, self._refresh)

    def _refresh(self) -> None:
        key = self.session.key()
        if key == self._shown_key:
            return
        result = self.session.result()
        base = self.session.base_result()
        ctx = ViewContext(result, base, self.session.municipio, self.session.wide)
        self._show_cards(ctx)
        self._draw([(name, view) for name, view in SCENARIO_VIEWS if name not in DEFERRED_VIEWS], ctx)
        self._later = ctx
        self._deferred()
        self.subtitle.value = self._subtitle(ctx)
        self.message.value = ""
        self.export_links.value = ""
        self._shown_key = key
        self._stale = {1: True, 2: True}
        self._refresh_tab()

    def _draw(self, chosen: list, ctx: ViewContext) -> None:
        for name, view in chosen:
            html = view(ctx)
            widget = self.views[name]
            widget.value = html or ""
            widget.layout.display = "" if html else "none"

    def _draw_deferred(self) -> None:
        ctx, self._later = self._later, None
        if ctx is not None:
            guarded(self.message, self._draw, [(n, v) for n, v in SCENARIO_VIEWS if n in DEFERRED_VIEWS], ctx)

    def _show_cards(self, ctx: ViewContext) -> None:
        cards = headline_cards(ctx)
        for card in cards:
            if card.concepto not in self._card_widgets:
                widget = w.HTML()
                widget.add_class(f"nexos-resultado-{card.concepto}")
                self._card_widgets[card.concepto] = widget
            self._card_widgets[card.concepto].value = card.html()
        children = tuple(self._card_widgets[c.concepto] for c in cards)
        if children != self.cards.children:
            self.cards.children = children

    def _subtitle(self, ctx: ViewContext) -> str:
        code = self.session.municipio
        name, department = self._names.get(code, (code, ""))
        first, last, end = ctx.years
        description = ctx.result.parameters[code].params.description
        return (f"<div class='nexos-subtitulo'><b>{escape(name)}, {escape(department)}</b> (código INE {code}) · "
                f"escenario <b>{escape(self.session.escenario)}</b>: {escape(description)} · datos {first}-{last}, "
                f"proyección hasta {end}</div>")

    def _refresh_tab(self) -> None:
        index = self.tabs.selected_index
        if index == 1 and self._stale[1]:
            self._open_cartera()
            self._stale[1] = False
            # the portfolio is planned on the run without a plan fed back (no double O&M)
            guarded(self.cartera.message, self.cartera.update, self.session.run(planificar=False),
                    self.session.municipio)
        elif index == 2 and self._stale[2]:
            self._refresh_compare()

    # --- Cartera ----------------------------------------------------------------------------------
    def _open_cartera(self) -> None:
        if self.cartera is None:
            self.cartera = PortfolioTab([c.box for c in self.panel.by_prefix("inversion.")])
            self._cartera_box.children = [self.cartera.box]

    # --- Comparar ---------------------------------------------------------------------------------
    def _refresh_compare(self) -> None:
        if self.tabs.selected_index != 2:
            self._stale[2] = True
            return

        def compute() -> None:
            results = {name: self.session.run(name, {}, 0) for name in self.compare_select.value}
            changed = self.session.overrides or self.session.escenario not in results
            if self.compare_current.value and changed:
                label = f"actual: {self.session.escenario}" + (" con ajustes" if self.session.overrides else "")
                results[label] = self.session.result()
            self.compare_html.value = scenarios_view(results, self.session.municipio, self.session.wide)
            self._stale[2] = False

        guarded(self.message, compute)

    # --- save and share ---------------------------------------------------------------------------
    def _save_box(self) -> w.VBox:
        self.save_name = w.Text(placeholder="p. ej. catastro_2028", description="Nombre",
                                layout=w.Layout(width="96%"))
        self.save_description = w.Text(placeholder="opcional", description="Descripción",
                                       layout=w.Layout(width="96%"))
        button = w.Button(description="Guardar escenario", button_style="success", layout=w.Layout(width="96%"))
        button.on_click(lambda _: guarded(self.save_message, self._save))
        self.save_message = w.HTML()
        self.save_message.add_class("nexos-aviso")
        box = w.VBox([w.HTML("<h3>Guardar y compartir</h3>"), self.save_name, self.save_description,
                      button, self.save_message])
        box.add_class("nexos-guardar")
        return box

    def _save(self) -> None:
        self.save_message.value = ""
        name, path = save_user_scenario(self.save_name.value, self.session.escenario, self.session.overrides,
                                        self.session.municipio, self.save_description.value)
        self._show_header()
        chosen = self.compare_select.value
        self.compare_select.options = list_scenarios()
        self.compare_select.value = tuple(v for v in chosen if v in self.compare_select.options)
        link = share_query(self.session.municipio, name)
        self.save_message.value = info_html(
            f"Guardado como escenario «{name}» ({display_name(path)}). ",
            f"<a class='nexos-enlace' href='{escape(link)}' target='_blank'>Enlace para compartir</a>")

    # --- export -------------------------------------------------------------------------------------
    def _export_box(self) -> w.VBox:
        buttons = []
        for fmt in EXPORT_FORMATS:
            button = w.Button(description=LABELS[fmt], layout=w.Layout(width="96%"))
            button.on_click(lambda _, fmt=fmt: guarded(self.export_message, self._export, fmt))
            buttons.append(button)
        self.export_message = w.HTML()
        self.export_message.add_class("nexos-aviso")
        self.export_links = w.HTML()
        box = w.VBox([w.HTML("<h3>Descargar</h3><p class='nexos-nota'>Con los valores en pantalla.</p>"),
                      *buttons, self.export_message, self.export_links])
        box.add_class("nexos-descargar")
        return box

    def _export(self, fmt: str) -> None:
        self.export_message.value = info_html("Preparando el archivo… (el reporte tarda unos segundos)")
        name, content = report_file(fmt, self.session.municipio, self.session.escenario, self.session.overrides)
        self.export_message.value = ""
        links = [part for part in self.export_links.value.split("<br>") if part and name not in part]
        self.export_links.value = "<br>".join(links + [download_link(name, content, fmt)])

    # --- links --------------------------------------------------------------------------------------
    def apply_query(self, query: str | None) -> None:
        """Open on ``?municipio=...&escenario=...``; an unknown value is reported in Spanish."""
        wanted = parse_query(query)
        if not wanted:
            return
        municipio, escenario = None, None
        try:
            if "municipio" in wanted:
                codes = resolve_municipios(wanted["municipio"])
                if len(codes) != 1:
                    raise NexosError(f"municipio '{wanted['municipio']}' del enlace: se esperaba un solo código INE")
                municipio = codes[0]
            if "escenario" in wanted:
                if wanted["escenario"] not in list_scenarios():
                    raise NexosError(f"escenario '{wanted['escenario']}' del enlace desconocido (escenarios "
                                     f"disponibles: {', '.join(list_scenarios())})")
                escenario = wanted["escenario"]
        except NexosError as exc:
            self.message.value = error_html(exc.messages)
            return
        self.select(municipio, escenario)

    def open_from_request(self) -> None:
        """Under Voilà, wait for the page request (preheated kernels run before it) and apply its link."""
        try:
            from voila.utils import get_query_string  # lazy: only under Voilà (absent in a plain kernel)
        except ImportError:
            return
        self.apply_query(get_query_string())


def build_app(municipio: str = "0901", escenario: str = "base", overrides: dict | None = None) -> App:
    """The app opened on a municipality and scenario (the workbook's parameters)."""
    return App(Session(str(municipio).zfill(4), escenario, overrides))
