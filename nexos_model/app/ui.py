"""The app's widgets: header (place, scenario, budget year, plan length) and tabs Escenario,
Cartera, Comparar.

All logic lives in the model and in the widget-free modules of this package (``session``,
``levers``, ``views``, ``cartera``, ``scenarios``, ``places``, ``exports``); this module only wires
widgets to them. The header always says what is on screen (the scenario's label and how many
adjustments sit on it); work is never lost without a question (saving over a scenario, or
switching scenario with adjustments, asks first); a result left behind by an error is marked as
such. Speed: a change schedules one recomputation (:class:`Debouncer`); the current settings'
key is compared with the one on screen so nothing is redrawn twice; the investment plan and the
indicators are drawn right after the cards; the Cartera and Comparar tabs are computed only
when shown, and the Cartera grid is built the first time.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from html import escape
from typing import Any, Callable

import ipywidgets as w

from nexos_model.app.cartera_ui import PortfolioTab
from nexos_model.app.controls_ui import Control, ControlPanel
from nexos_model.app.exports import LABELS, download_link, report_file
from nexos_model.app.feedback import Debouncer, advisor_words, error_html, guarded, info_html
from nexos_model.app.levers import (
    ControlSpec,
    budget_year_options,
    calendar_specs,
    control_specs,
    current_driver,
    law_rows,
    layer_of,
    loan_note,
    value_of,
    year_options,
)
from nexos_model.app.places import find, places, search_message
from nexos_model.app.scenarios import (
    label_of,
    list_scenarios,
    parse_query,
    save_user_scenario,
    scenario_options,
    share_query,
    user_scenario_exists,
    user_scenario_name,
)
from nexos_model.app.session import Session, plan_supported, simulation_argument
from nexos_model.app.style import CSS
from nexos_model.app.views import (
    BACKGROUND_VIEWS,
    DEFERRED_VIEWS,
    SCENARIO_VIEWS,
    ViewContext,
    card_amount,
    headline_cards,
    scenarios_view,
)
from nexos_model.errors import NexosError
from nexos_model.params.calendar_schema import default_budget_year, reference_date
from nexos_model.params.changes import adjustment_sentences, count_text
from nexos_model.wording import anio_rango

log = logging.getLogger("nexos.app")
TABS = ("Escenario", "Cartera", "Comparar")
EXPORT_FORMATS = ("html", "pdf", "xlsx")
BUDGET_KEY, PLAN_KEY = "calendario.anio_presupuesto", "calendario.anios_plan"
LOAN_AMOUNT = "deuda.nuevo_prestamo.monto"
#: Seconds the controls must rest before the plan is programmed (a slider dragged through ten
#: values programmes it once, and the plan's solver never competes with the next move).
PLAN_DELAY = 0.4


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
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nexos-plan")
        self._plan_job: tuple[tuple, ViewContext] | None = None  # (settings key, context) of the plan wanted
        self._plan_running = False
        self._plan_handle: asyncio.TimerHandle | None = None
        self._places = {p.code: p for p in places()}
        self._labels = {p.code: p.label for p in places()}
        self._codes = {label: code for code, label in self._labels.items()}
        departments = list(dict.fromkeys((p.department_code, p.department) for p in places()))
        wide = {"description_width": "initial"}

        # header: what is shown, and the calendar
        self.message = w.HTML()
        self.message.add_class("nexos-mensaje")
        self.question = w.VBox(layout=w.Layout(display="none"))
        self.question.add_class("nexos-pregunta")
        self.subtitle = w.HTML()
        self.department = w.Dropdown(
            options=[("Todos", "")] + [(f"{c} · {d}", c) for c, d in sorted(departments)],
            description="Departamento", style=wide, layout=w.Layout(width="260px"))
        self.municipality = w.Combobox(options=list(self._labels.values()), ensure_option=False,
                                       continuous_update=False, placeholder="Código o nombre, y Enter",
                                       description="Municipio", style=wide, layout=w.Layout(width="430px"))
        self.municipality.add_class("nexos-municipio")
        self.scenario = w.Dropdown(options=scenario_options(), description="Escenario", style=wide,
                                   layout=w.Layout(width="330px"))
        self.scenario.add_class("nexos-escenario")
        self.calendar = calendar_specs()
        self.budget_year = w.Dropdown(options=[], description="Presupuesto", style=wide,
                                      layout=w.Layout(width="330px"),
                                      tooltip=self.calendar[BUDGET_KEY].source if BUDGET_KEY in self.calendar else "")
        self.budget_year.add_class("nexos-anio-presupuesto-selector")
        self.plan_length = w.Dropdown(options=[], description="Años del plan (POM)", style=wide,
                                      layout=w.Layout(width="280px"))
        self.plan_length.add_class("nexos-anios-plan")
        self.department.observe(self._department_changed, "value")
        self.municipality.observe(self._municipality_changed, "value")
        self.scenario.observe(self._scenario_changed, "value")
        self.budget_year.observe(lambda c: self._calendar_changed(BUDGET_KEY, c["new"]), "value")
        self.plan_length.observe(lambda c: self._calendar_changed(PLAN_KEY, c["new"]), "value")

        # Escenario tab: generated controls, save, export | cards and views
        self.specs = control_specs()
        self.law = w.HTML()
        self.law.add_class("nexos-ley")
        self.panel = ControlPanel(self.specs, self._control_changed, after={"palanca": self.law})
        reset = w.Button(description="Volver a los valores del escenario", layout=w.Layout(width="96%"))
        reset.on_click(lambda _: guarded(self.message, self._reset))
        left: list[w.Widget] = [w.HTML("<h3>Decisiones y supuestos</h3>"), reset, self.panel.box]
        self.simulations = None
        if simulation_argument():
            self.simulations = w.IntSlider(value=0, min=0, max=1000, step=100, continuous_update=False,
                                           layout=w.Layout(width="96%"))
            self.simulations.observe(self._simulations_changed, "value")
            left[1:1] = [w.HTML("<div class='nexos-etiqueta'>Simulaciones Monte Carlo (0 = sin simulaciones; "
                                "cada 100 tardan unos segundos)</div>"), self.simulations]
        self.planning = None
        if plan_supported():
            self.planning = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"),
                                       description="Sumar el plan a la proyección",
                                       tooltip="La operación de las obras y los préstamos del plan de inversión "
                                               "entran en el gasto y la deuda proyectados (más lento)")
            self.planning.observe(self._planning_changed, "value")
            left.insert(1, self.planning)
        left += [self._save_box(), self._export_box()]
        self.cards = w.HBox([])
        self.cards.add_class("nexos-tarjetas")
        self._card_widgets: dict[str, w.HTML] = {}
        self.stale = w.HTML()
        self.views = {name: w.HTML() for name, _ in SCENARIO_VIEWS}
        for name, widget in self.views.items():
            widget.add_class(f"nexos-vista-{name}")
        self.results = w.VBox([self.stale, self.cards, *self.views.values()])
        self.results.add_class("nexos-resultados")
        panel = w.VBox(left)
        panel.add_class("nexos-panel")
        scenario_tab = w.HBox([panel, self.results])
        scenario_tab.add_class("nexos-pestana-escenario")

        # Cartera tab (built on first visit) and Comparar tab
        self.cartera = None
        self._cartera_box = w.VBox([w.HTML("<p class='nexos-nota'>Cargando la cartera…</p>")])
        self.compare_boxes: dict[str, w.Checkbox] = {}
        self.compare_list = w.HBox([], layout=w.Layout(flex_flow="row wrap"))
        self.compare_list.add_class("nexos-comparar-lista")
        self.compare_current = w.Checkbox(value=True, indent=False, layout=w.Layout(width="auto"),
                                          description="La configuración en pantalla")
        self.compare_current.observe(lambda _: self._refresh_compare(), "value")
        self.compare_html = w.HTML()
        self._fill_compare_list()
        compare_tab = w.VBox([
            w.HTML("<p class='nexos-nota'>Marque los escenarios que quiere ver lado a lado. Cada uno se calcula "
                   "para el municipio y el año del presupuesto elegidos arriba, con sus propios valores; la "
                   "configuración en pantalla incluye sus ajustes.</p>"),
            w.HBox([self.compare_list, self.compare_current], layout=w.Layout(flex_flow="row wrap")),
            self.compare_html])

        self.tabs = w.Tab(children=[scenario_tab, self._cartera_box, compare_tab], titles=TABS)
        self.tabs.observe(lambda _: guarded(self.message, self._refresh_tab), "selected_index")
        self.children = [
            w.HTML(f"<style>{CSS}</style><h1>Nexos · Escenarios municipales</h1>"),
            w.HBox([self.department, self.municipality, self.scenario], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.budget_year, self.plan_length], layout=w.Layout(flex_flow="row wrap")),
            self.subtitle, self.question, self.message, self.tabs,
        ]
        self.add_class("nexos-app")
        keys = ({s.key for s in self.specs} | {d.key for s in self.specs for d in (*s.details, *s.companions)}
                | set(self.calendar))
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
        place = self._places.get(code)
        lines = [f"Nexos · {place.name if place else code}, {place.department if place else ''} (código INE {code}) "
                 f"· {self.shown_title()}"]
        try:
            ctx = ViewContext(self.session.result(), None, code, self.session.wide)
            _, last, _ = ctx.years
            lines.append(f"Ingresos propios {last} (observado): {card_amount(ctx.wide.at[last, 'ingresos_propios'])}; "
                         f"{ctx.budget} (presupuesto): {card_amount(ctx.wide.at[ctx.budget, 'ingresos_propios'])}")
        except NexosError as exc:
            lines += [advisor_words(m) for m in exc.messages]
        lines.append("Vista interactiva: la app se abre en el navegador.")
        return "\n".join(lines)

    # --- what is shown ----------------------------------------------------------------------------
    def adjustments(self) -> dict[str, Any]:
        """The advisor's adjustments (the session's overrides the app's controls set)."""
        return {k: v for k, v in self.session.overrides.items() if k not in self._extra}

    def shown_title(self) -> str:
        """The scenario's label and the adjustments on it: «Escenario base + 3 ajustes»."""
        label = label_of(self.session.escenario)
        n = len(self.adjustments())
        return f"{label} + {count_text(n)}" if n else label

    # --- questions --------------------------------------------------------------------------------
    def ask(self, question: str, answers: list[tuple[str, Callable[[], None], str]]) -> None:
        """Ask before losing work: ``answers`` = (button text, what it does, button style)."""
        buttons = []
        for text, action, style in answers:
            button = w.Button(description=text, button_style=style, layout=w.Layout(width="auto"))
            button.on_click(lambda _, action=action: self._answer(action))
            buttons.append(button)
        self.question.children = [w.HTML(f"<div class='nexos-pregunta-texto'>{escape(question)}</div>"),
                                  w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))]
        self.question.layout.display = "flex"

    def _answer(self, action: Callable[[], None]) -> None:
        self.question.layout.display = "none"
        self.question.children = []
        guarded(self.message, action)

    # --- header -----------------------------------------------------------------------------------
    def _department_changed(self, change: dict) -> None:
        if self._quiet:
            return
        code = change["new"]
        self.municipality.options = [label for m, label in self._labels.items() if not code or m[:2] == code]
        if code and self.session.municipio[:2] != code:  # the header never names another department's data
            capital = next((m for m in self._labels if m[:2] == code), None)
            if capital and self.select(municipio=capital):
                place = self._places[capital]
                self.message.value = info_html(f"Se muestra {place.name}, la cabecera de {place.department}; "
                                               f"elija otro municipio del departamento en la lista.")

    def _municipality_changed(self, change: dict) -> None:
        if self._quiet:
            return
        text = (change["new"] or "").strip()
        if not text:
            return
        found = find(text)
        if len(found) == 1:
            if found[0].code == self.session.municipio:
                self._show_header()
                return
            self.select(municipio=found[0].code)
            return
        self.message.value = error_html(search_message(text, found))
        if found:  # several: the list offers just those
            self.municipality.options = [p.label for p in found]

    def _scenario_changed(self, change: dict) -> None:
        new = change["new"]
        if self._quiet or new is None or new == self.session.escenario:
            return
        n = len(self.adjustments())
        if not n:
            self.select(escenario=new)
            return
        self._show_header()  # the list shows what is on screen until the advisor answers
        here, there = label_of(self.session.escenario), label_of(new)
        self.ask(f"Tiene {count_text(n)} sin guardar sobre «{here}». ¿Qué hacemos al pasar a «{there}»?", [
            (f"Llevar mis ajustes a «{there}»", lambda: self.select(escenario=new, keep=True), "primary"),
            ("Descartar mis ajustes", lambda: self.select(escenario=new), "warning"),
            ("Guardarlos primero", lambda: self._save_then(new), ""),
            ("Cancelar", lambda: None, ""),
        ])

    def select(self, municipio: str | None = None, escenario: str | None = None, keep: bool = False) -> bool:
        """Switch municipality and/or scenario (a new scenario starts from its own values unless
        ``keep``: the adjustments go on top of it). False if refused."""
        new_m = municipio or self.session.municipio
        new_e = escenario or self.session.escenario
        same = new_e == self.session.escenario or keep
        overrides = self.session.overrides if same else dict(self._extra)
        try:
            self.session.run(new_e, overrides, municipio=new_m)  # cached: the refresh reuses it
        except NexosError as exc:
            self.message.value = error_html(exc.messages)
            self._show_header()
            return False
        self.session.municipio, self.session.escenario, self.session.overrides = new_m, new_e, dict(overrides)
        self.message.value = ""
        guarded(self.message, self._show_settings)
        self.refresh()
        return True

    def _show_header(self) -> None:
        self._quiet = True
        try:
            code = self.session.municipio
            if self.department.value and self.department.value != code[:2]:
                self.department.value = code[:2]
                self.municipality.options = [label for m, label in self._labels.items() if m[:2] == code[:2]]
            elif not self.department.value and len(self.municipality.options) != len(self._labels):
                self.municipality.options = list(self._labels.values())
            self.municipality.value = self._labels.get(code, "")
            options = scenario_options()
            if self.session.escenario not in [n for _, n in options]:
                options.append((label_of(self.session.escenario), self.session.escenario))
            self.scenario.options = options
            self.scenario.value = self.session.escenario
        finally:
            self._quiet = False

    def _show_calendar(self, params: Any, last_observed: int, end: int) -> None:
        """The budget year and the plan's length as the parameters in effect have them."""
        self._quiet = True
        try:
            budget = params.calendar.budget_year
            default = default_budget_year(reference_date())
            years = budget_year_options(default, last_observed, budget)
            self.budget_year.options = [(f"{y} (el que se prepara)" if y == default else str(y), y) for y in years]
            self.budget_year.value = budget
            longest = max(1, min(15, end - budget + 1))
            n = params.calendar.plan_years
            lengths = sorted({*range(1, longest + 1), n})
            self.plan_length.options = [(f"{k} · {anio_rango(budget, budget + k - 1)}" if k > 1 else f"1 · {budget}", k)
                                        for k in lengths]
            self.plan_length.value = n
        finally:
            self._quiet = False

    def _show_settings(self) -> None:
        """Header and every control from the session (values, who set them), without callbacks."""
        self._show_header()
        result = self.session.result()
        code = self.session.municipio
        resolved = result.parameters[code]
        params = resolved.params
        reference = self.session.scenario_parameters()
        _, last, end = ViewContext(result, None, code, self.session.wide).years
        self._show_calendar(params, last, end)
        self._reference, self._origins = {}, {}
        self._touched = ({c.spec.key for c in self.panel.all()} | set(self.calendar)) & set(self.session.overrides)
        budget = params.calendar.budget_year
        for control in self.panel.all():
            key = control.spec.key
            self._reference[key] = value_of(reference.params, key)
            self._origins[key] = layer_of(reference, key)
            if control.spec.kind == "year":
                start = value_of(params, key.rsplit(".", 1)[0] + ".anio_inicio") if key.endswith(".anio_meta") else None
                control.set_years(year_options(control.spec, budget, end, start, value_of(params, key)))
            self._mark(control, value_of(params, key))
            if control.spec.optional and key.startswith("palancas."):
                today = current_driver(result, code, key)
                if today is not None:
                    control.set_today(f"Hoy: {control.spec.words(today[0])} ({today[1]})", today[0])
            if key == LOAN_AMOUNT:
                control.note.value = f"<div class='nexos-nota'>{escape(loan_note(params))}</div>"
        self.law.value = ("<div class='nexos-grupo'>Límites legales</div><p class='nexos-nota'>La ley los fija; no "
                          "son decisiones del Concejo. Nexos revisa cada año contra ellos (tabla «Reglas legales»).</p>"
                          "<ul class='nexos-ley-lista'>" + "".join(
                              f"<li title='{escape(source)}'>{escape(what)}: <b>{escape(limit)}</b>"
                              f"<br><span class='nexos-nota'>{escape(source)}</span></li>"
                              for what, limit, source in law_rows(params)) + "</ul>")

    def _mark(self, control: Control, value: Any) -> None:
        key = control.spec.key
        adjusted = key in self._touched
        control.set(value, "su ajuste" if adjusted else self._origins.get(key, ""), adjusted)

    # --- controls ---------------------------------------------------------------------------------
    def _control_changed(self, spec: ControlSpec | None) -> None:
        """The advisor changed a control: it becomes an adjustment (unless back at the scenario's value)."""
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
        self.session.overrides = {**kept, **{k: controls[k].get() for k in self._touched if k in controls}}
        if spec.key.endswith(".anio_inicio"):  # the target's years start after the new start
            target = controls.get(spec.key.rsplit(".", 1)[0] + ".anio_meta")
            if target is not None:
                budget = self.session.parameters().params.calendar.budget_year
                end = int(self.session.result().projection["anio"].max())
                target.set_years(year_options(target.spec, budget, end, value, target.get()))
        self._debounced()

    def _calendar_changed(self, key: str, value: Any) -> None:
        """The budget year or the plan's length changed: an adjustment like any other, unless it
        is the scenario's own value."""
        if self._quiet or value is None:
            return
        reference = value_of(self.session.scenario_parameters().params, key)
        overrides = {k: v for k, v in self.session.overrides.items() if k != key}
        if not _same(value, reference):
            overrides[key] = int(value)
        self.session.overrides = overrides
        if key == BUDGET_KEY:  # the years every control offers follow the budget year
            self.refresh()
            guarded(self.message, self._show_settings)
        else:
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
        """Recompute and redraw what the current settings change (nothing if already shown); after an
        error the results left on screen are marked as not matching the settings."""
        try:
            self._refresh()
        except NexosError as exc:
            self.message.value = error_html(exc.messages)
            self._mark_stale(True)
        except Exception:  # the page must stay usable; the log keeps the details
            guarded(self.message, self._refresh)
            self._mark_stale(True)

    def _mark_stale(self, stale: bool) -> None:
        if stale and self._shown_key is not None:
            self.results.add_class("nexos-desactualizado")
            self.stale.value = ("<div class='nexos-aviso-desactualizado'>Estos resultados son de la configuración "
                                "anterior: la actual tiene un error (vea el mensaje de arriba). Corríjalo o pulse "
                                "«Volver a los valores del escenario».</div>")
        else:
            self.results.remove_class("nexos-desactualizado")
            self.stale.value = ""

    def _context(self, result: Any) -> ViewContext:
        return ViewContext(result, self.session.base_result(), self.session.municipio, self.session.wide,
                           self.session.plan, base_label="el escenario base")

    def _refresh(self) -> None:
        key = self.session.key()
        if key == self._shown_key:
            self._mark_stale(False)
            return
        result = self.session.result()
        ctx = self._context(result)
        self._show_cards(ctx)
        self._draw([(name, view) for name, view in SCENARIO_VIEWS
                    if name not in DEFERRED_VIEWS | BACKGROUND_VIEWS], ctx)
        self.subtitle.value = self._subtitle(ctx)
        self.message.value = ""
        self.export_links.value = ""
        self._shown_key = key
        self._later = ctx
        self._deferred()
        self._schedule_background(key, ctx)
        self._mark_stale(False)
        self._stale = {1: True, 2: True}
        self._refresh_tab()

    def _draw(self, chosen: list, ctx: ViewContext) -> None:
        for name, view in chosen:
            try:
                html = view(ctx)
            except NexosError as exc:
                html = f"<section class='nexos-vista'>{error_html(exc.messages)}</section>"
            widget = self.views[name]
            widget.value = html or ""
            widget.layout.display = "" if html else "none"

    def _schedule_background(self, key: tuple, ctx: ViewContext) -> None:
        """Draw the background views (the plan) in a worker thread: the kernel keeps answering the
        controls meanwhile (scipy's solver lets go of the interpreter). Only the latest settings'
        plan is drawn; without an event loop (tests, benchmarks) it is drawn at once."""
        for name in BACKGROUND_VIEWS:
            self.views[name].value = (f"<section class='nexos-vista'><h3>Plan de inversión y POA {ctx.budget}</h3>"
                                      "<p class='nexos-nota'>Calculando el plan…</p></section>")
            self.views[name].layout.display = ""
        self._plan_job = (key, ctx)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._show_background(*self._compute_background())
            return
        if self._plan_handle is not None:
            self._plan_handle.cancel()
        self._plan_handle = loop.call_later(PLAN_DELAY, self._start_background, loop)

    def _start_background(self, loop: asyncio.AbstractEventLoop) -> None:
        """The controls rested: programme the plan (one at a time; a running one picks up the latest)."""
        self._plan_handle = None
        if not self._plan_running:
            self._plan_running = True
            future = loop.run_in_executor(self._background, self._compute_background)
            future.add_done_callback(self._background_done)

    def _compute_background(self) -> tuple[tuple, dict[str, str]]:
        """(key, {view: html}) of the latest plan wanted; runs again if newer settings came meanwhile."""
        while True:
            job = self._plan_job
            key, ctx = job
            out = {}
            for name, view in SCENARIO_VIEWS:
                if name in BACKGROUND_VIEWS:
                    try:
                        out[name] = view(ctx) or ""
                    except NexosError as exc:
                        out[name] = f"<section class='nexos-vista'>{error_html(exc.messages)}</section>"
                    except Exception as exc:  # the page must stay usable; the log keeps the details
                        log.exception("error en la app")
                        out[name] = error_html(f"error inesperado ({type(exc).__name__}); el detalle quedó en el "
                                               f"registro del servidor")
            if self._plan_job is job:
                return key, out

    def _background_done(self, future: "asyncio.Future") -> None:
        self._plan_running = False
        key, out = future.result()
        self._show_background(key, out)
        if self._plan_job is not None and self._plan_job[0] != key:  # newer settings came after it finished
            self._schedule_background(*self._plan_job)

    def _show_background(self, key: tuple, out: dict[str, str]) -> None:
        if key != self._shown_key and self._shown_key is not None:
            return  # settings moved on: their own plan is on its way
        for name, html in out.items():
            self.views[name].value = html
            self.views[name].layout.display = "" if html else "none"

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
        place = self._places.get(code)
        first, last, end = ctx.years
        year, plan = ctx.budget, ctx.plan_years
        estimated = f"estimados {anio_rango(last + 1, year - 1)}; " if year - 1 > last else ""
        pom = f" · plan (POM) {anio_rango(plan[0], plan[-1])}" if len(plan) > 1 else ""
        changes = adjustment_sentences(self.adjustments())
        listed = ("<ul class='nexos-ajustes'>" + "".join(f"<li>{escape(s)}</li>" for s in changes) + "</ul>"
                  if changes else "")
        return (f"<div class='nexos-subtitulo'><b>{escape(place.name if place else code)}, "
                f"{escape(place.department if place else '')}</b> (código INE {code}) · "
                f"<span class='nexos-titulo-escenario'>{escape(self.shown_title())}</span> · presupuesto "
                f"<b>{year}</b>{pom} · datos observados {anio_rango(first, last)}; {estimated}"
                f"proyección {anio_rango(year, end)}</div>{listed}")

    def _refresh_tab(self) -> None:
        index = self.tabs.selected_index
        if index == 1 and self._stale[1]:
            self._open_cartera()
            self._stale[1] = False
            # the portfolio is planned on the run without a plan fed back (no double O&M)
            self.cartera._guard(self.cartera.update, self.session.run(planificar=False),
                                self.session.municipio)
        elif index == 2 and self._stale[2]:
            self._refresh_compare()

    # --- Cartera ----------------------------------------------------------------------------------
    def _open_cartera(self) -> None:
        if self.cartera is None:
            self.cartera = PortfolioTab([c.box for c in self.panel.by_prefix("inversion.")])
            self._cartera_box.children = [self.cartera.box]

    # --- Comparar ---------------------------------------------------------------------------------
    def _fill_compare_list(self) -> None:
        """One box per scenario (its label): the shared ones ticked at first, the saved ones not."""
        boxes = {}
        for label, name in scenario_options():
            box = self.compare_boxes.get(name)
            if box is None:
                box = w.Checkbox(value="/" not in name, description=label, indent=False,
                                 layout=w.Layout(width="auto"))
                box.observe(lambda _: self._refresh_compare(), "value")
            box.description = label
            boxes[name] = box
        self.compare_boxes = boxes
        self.compare_list.children = list(boxes.values())

    def _refresh_compare(self) -> None:
        if self.tabs.selected_index != 2:
            self._stale[2] = True
            return

        def compute() -> None:
            chosen = [name for name, box in self.compare_boxes.items() if box.value]
            results = {label_of(name): self.session.run(name, {}, 0, planificar=False) for name in chosen}
            current = self.session.result()
            here = self.shown_title()
            if self.compare_current.value and here not in results:
                results[f"En pantalla: {here}"] = current
            reference = label_of("base") if "base" in chosen else None
            self.compare_html.value = scenarios_view(results, self.session.municipio, self.session.wide, reference)
            self._stale[2] = False

        guarded(self.message, compute)

    # --- save and share ---------------------------------------------------------------------------
    def _save_box(self) -> w.VBox:
        self.save_name = w.Text(placeholder="p. ej. Reforma catastral 2027", description="Nombre",
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

    def _save(self, then: Callable[[], None] | None = None) -> None:
        """Save the configuration on screen under the name typed; ask before replacing one."""
        self.save_message.value = ""
        text = self.save_name.value
        name = user_scenario_name(text)  # a bad name: a Spanish message, nothing asked
        if user_scenario_exists(text):
            existing = label_of(f"usuarios/{name}")
            self.ask(f"Ya existe un escenario guardado como «{existing}». ¿Reemplazarlo con la configuración en "
                     f"pantalla? Lo que tenía guardado se perderá.", [
                         ("Reemplazarlo", lambda: self._write(text, then), "danger"),
                         ("Cancelar", lambda: None, "")])
            return
        self._write(text, then)

    def _write(self, text: str, then: Callable[[], None] | None = None) -> None:
        try:
            name, _ = save_user_scenario(text, self.session.escenario, self.session.full_overrides(),
                                         self.session.municipio, self.save_description.value)
        except NexosError as exc:
            self.save_message.value = error_html(exc.messages)
            return
        self._fill_compare_list()
        self.session.escenario, self.session.overrides = name, dict(self._extra)  # it is what is shown now
        guarded(self.message, self._show_settings)
        self.refresh()
        link = share_query(self.session.municipio, name)
        self.save_message.value = info_html(
            f"Guardado como «{label_of(name)}»; la pantalla muestra ahora ese escenario. ",
            f"<a class='nexos-enlace' href='{escape(link)}' target='_blank'>Enlace para compartir</a>")
        if then is not None:
            then()

    def _save_then(self, escenario: str) -> None:
        """«Guardarlos primero»: save under the name typed, then switch; without a name, say where to type it."""
        if not self.save_name.value.strip():
            self.save_message.value = error_html("Escriba un nombre para sus ajustes aquí y pulse «Guardar escenario»; "
                                                 "luego elija de nuevo el escenario.")
            return
        self._save(then=lambda: self.select(escenario=escenario))

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
        box = w.VBox([w.HTML("<h3>Descargar</h3><p class='nexos-nota'>Con la configuración en pantalla: su nombre y "
                             "sus ajustes van en la portada.</p>"), *buttons, self.export_message, self.export_links])
        box.add_class("nexos-descargar")
        return box

    def _export(self, fmt: str) -> None:
        self.export_message.value = info_html("Preparando el archivo… (el reporte tarda unos segundos)")
        name, content = report_file(fmt, self.session.municipio, self.session.escenario,
                                    self.session.full_overrides(), self.shown_title())
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
                found = find(wanted["municipio"])
                if len(found) != 1:
                    raise NexosError(f"El enlace pide el municipio «{wanted['municipio']}»: "
                                     + search_message(wanted["municipio"], found))
                municipio = found[0].code
            if "escenario" in wanted:
                if wanted["escenario"] not in list_scenarios():
                    labels = ", ".join(f"«{label}»" for label, _ in scenario_options())
                    raise NexosError(f"El enlace pide un escenario que no existe aquí («{wanted['escenario']}»); "
                                     f"escenarios disponibles: {labels}.")
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
