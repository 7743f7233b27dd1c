"""The *Cartera* tab: the portfolio as an editable grid and the investment plan it yields.

Rows can be edited, added and dropped; a portfolio file (YAML, CSV, XLSX) can be loaded.
«Calcular plan» runs the model's plan (optimal programme beside the ranked fill) on the current
run: its fiscal space and the ``inversion`` controls shown above the grid (the same generated
controls as in the Escenario tab). Every validation problem is listed in Spanish.
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as w

from nexos_model.app import cartera
from nexos_model.app.feedback import advisor_words, guarded, info_html
from nexos_model.app.views import plan_html
from nexos_model.report.summary import _portfolio_origin as portfolio_origin

if TYPE_CHECKING:
    from nexos_model.api import RunResult
    from nexos_model.investment.project import Project

WIDTHS = {"nombre": "250px", "sector": "100px", "costo_total": "120px", "duracion": "48px",
          "inicio_minimo": "70px", "inicio_maximo": "70px", "costo_operacion_anual": "110px",
          "beneficiarios": "90px", "alineacion": "70px", "fuentes": "230px", "obligatorio": "70px"}


class Row:
    """One project in the grid: text cells, a mandatory flag and a drop button."""

    def __init__(self, original: "Project | None", cells: dict[str, Any], on_drop: Callable[["Row"], None],
                 on_edit: Callable[[], None]):
        self.original = original
        self.cells: dict[str, w.Widget] = {}
        for key, header in cartera.GRID_FIELDS:
            layout = w.Layout(width=WIDTHS[key])
            if key == "obligatorio":
                widget = w.Checkbox(value=bool(cells.get(key)), indent=False, layout=layout)
            else:
                widget = w.Text(value=str(cells.get(key, "")), layout=layout, continuous_update=False,
                                placeholder=header)
            widget.observe(lambda _: on_edit(), "value")
            self.cells[key] = widget
        drop = w.Button(description="Quitar", layout=w.Layout(width="70px"), tooltip="Quitar el proyecto")
        drop.on_click(lambda _: on_drop(self))
        self.box = w.HBox([*self.cells.values(), drop])
        self.box.add_class("nexos-cartera-fila")

    def values(self) -> dict[str, Any]:
        return {key: widget.value for key, widget in self.cells.items()}


class PortfolioTab:
    """The grid, its buttons and the plan; the app builds it on the first visit to the tab."""

    def __init__(self, investment_controls: list[w.Widget]):
        self.rows: list[Row] = []
        self.municipio: str | None = None
        self.result: "RunResult | None" = None
        self.origin_note = ""
        self.first_year: int | None = None
        self.message = w.HTML()
        self.message.add_class("nexos-aviso")
        headers = {key: header for key, header in cartera.GRID_FIELDS}
        self._guard = lambda fn, *args: guarded(self.message, fn, *args, names=headers)
        self.origin = w.HTML()
        auto = w.Layout(width="auto")
        add = w.Button(description="Agregar proyecto", layout=auto)
        add.on_click(lambda _: self._add())
        reset = w.Button(description="Volver a la cartera inicial", layout=auto)
        reset.on_click(lambda _: self._guard(self.load_start))
        compute = w.Button(description="Calcular plan", button_style="primary", layout=auto)
        compute.on_click(lambda _: self._guard(self.compute))
        self.upload = w.FileUpload(accept=".yaml,.yml,.csv,.xlsx", multiple=False, description="Cargar cartera",
                                   layout=auto)
        self.upload.observe(lambda _: self._guard(self._load_file), "value")
        header = w.HBox([w.HTML(f"<div style='width:{WIDTHS[k]}'>{escape(h)}</div>") for k, h in cartera.GRID_FIELDS])
        header.add_class("nexos-cartera-cabecera")
        header.add_class("nexos-cartera-fila")
        self.grid = w.VBox([])
        self.results = w.HTML()
        controls = w.VBox([w.HTML("<h4>Plan y priorización</h4>"), *investment_controls],
                          layout=w.Layout(max_width="520px"))
        self.box = w.VBox([
            controls, self.origin, self.message,
            w.HBox([compute, add, reset, self.upload]),
            w.VBox([header, self.grid], layout=w.Layout(overflow="auto")),
            self.results,
        ])
        self.box.add_class("nexos-cartera")

    # --- portfolio ------------------------------------------------------------------------------
    def _show_plan(self, plan: Any, note: str | None = None) -> None:
        self.rows = [Row(p, cartera.project_cells(p), self._drop, self._edited) for p in plan.projects]
        self.grid.children = [r.box for r in self.rows]
        self.first_year = plan.years[0]
        self.origin_note = note or advisor_words(portfolio_origin(plan.cartera))
        self.origin.value = f"<p class='nexos-nota'>Cartera: {escape(self.origin_note)}</p>"
        self.results.value = plan_html(plan)

    def load_start(self) -> None:
        """The portfolio the model's plan uses for this municipality, and that plan."""
        self.message.value = ""
        self._show_plan(cartera.plan(self.result, self.municipio))

    def _load_file(self) -> None:
        files = self.upload.value
        if not files:
            return
        item = files[0]
        self.message.value = ""
        with tempfile.TemporaryDirectory(prefix="nexos-cartera-") as folder:
            path = Path(folder) / Path(item["name"]).name
            path.write_bytes(bytes(item["content"]))
            plan = cartera.plan(self.result, self.municipio, path=path)
        self._show_plan(plan, f"cargada de {item['name']}")

    def _add(self) -> None:
        self.rows.append(Row(None, cartera.blank_cells(self.first_year), self._drop, self._edited))
        self.grid.children = [r.box for r in self.rows]
        self.message.value = info_html("Proyecto agregado al final: complete nombre, sector, costo y fuentes "
                                       "y pulse «Calcular plan».")

    def _drop(self, row: Row) -> None:
        self.rows = [r for r in self.rows if r is not row]
        self.grid.children = [r.box for r in self.rows]
        self._edited()

    def _edited(self) -> None:
        self.message.value = info_html("La cartera cambió: pulse «Calcular plan» para actualizar el plan.")

    # --- plan -----------------------------------------------------------------------------------------
    def update(self, result: "RunResult", municipio: str) -> None:
        """New settings: a new municipality reloads its portfolio; otherwise the grid's is re-planned."""
        self.result = result
        if municipio != self.municipio or not self.rows:
            self.municipio = municipio
            self.load_start()
        else:
            self.compute()

    def compute(self) -> None:
        """Validate the grid and run the model's plan with it."""
        self.message.value = ""
        projects = cartera.projects_from_rows([(r.original, r.values()) for r in self.rows])
        plan = cartera.plan(self.result, self.municipio, projects=projects)
        self.results.value = plan_html(plan).replace(escape(advisor_words(portfolio_origin(plan.cartera))),
                                                     escape(self.origin_note), 1)
