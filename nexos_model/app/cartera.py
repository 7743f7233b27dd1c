"""The *Cartera* tab's logic, without widgets: the portfolio as grid rows, and its plan.

The plan is the model's: :func:`nexos_model.api.plan_for_run` on the current run
(its fiscal space, borrowing capacity, ``inversion`` and ``deuda`` parameters). The starting
portfolio is the one that plan uses (the municipality's file, or the ILLUSTRATIVE one); an
edited or uploaded portfolio is handed to the same function as a portfolio file, so the app
never programmes investment any other way. Projects are edited as rows of text cells
(Spanish keys, as in a portfolio CSV) and validated by the portfolio module, every error at once.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import unicodedata

from nexos_model.api import plan_for_run
from nexos_model.app.views import optional
from nexos_model.report.summary import SECTOR_LABELS, SOURCE_NAMES
from nexos_model.investment.project import validate_projects
from nexos_model.io.portfolio import cell_value, portfolio_to_yaml
from nexos_model.wording import numero

if TYPE_CHECKING:
    from nexos_model.api import RunResult
    from nexos_model.investment.plan import InvestmentPlan
    from nexos_model.investment.project import Project

#: Columns of the editable grid: (Spanish key, header). Other fields of a project (cost profile,
#: dependencies, exclusive group, results) are kept as they are when a row is edited.
GRID_FIELDS: tuple[tuple[str, str], ...] = (
    ("nombre", "Proyecto"),
    ("sector", "Sector"),
    ("costo_total", "Costo total (Q)"),
    ("duracion", "Años"),
    ("inicio_minimo", "Inicio desde"),
    ("inicio_maximo", "Inicio hasta"),
    ("costo_operacion_anual", "Operación anual (Q)"),
    ("beneficiarios", "Beneficiarios"),
    ("alineacion", "Alineación (0-5)"),
    ("fuentes", "Fuentes (separadas por ;)"),
    ("obligatorio", "Obligatorio"),
)


def plan(result: "RunResult", municipio: str, projects: Sequence["Project"] | None = None,
         path: str | Path | None = None) -> "InvestmentPlan":
    """The model's plan for this run: with its own portfolio, a given one, or a portfolio file."""
    if projects is None and path is None:
        plans = optional(result, "plans")
        ready = plans.get(municipio) if plans else None
        return ready if ready is not None else plan_for_run(result, municipio)
    if path is not None:
        return plan_for_run(result, municipio, cartera=path)
    with tempfile.TemporaryDirectory(prefix="nexos-cartera-") as folder:
        edited = Path(folder) / "cartera_editada.yaml"
        edited.write_text(portfolio_to_yaml(projects), encoding="utf-8")
        return plan_for_run(result, municipio, cartera=edited)


# --- grid rows ----------------------------------------------------------------------------------

#: Words the grid shows for the portfolio's keys (sectors, funding sources), and back.
WORDS = {"sector": SECTOR_LABELS, "fuentes": SOURCE_NAMES}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


def to_words(field: str, key: str) -> str:
    """A sector or source key as the grid shows it (``educacion`` -> ``Educación``)."""
    return WORDS.get(field, {}).get(key, key)


def from_words(field: str, text: str) -> str:
    """What the advisor typed in a sector or source cell, as the portfolio's key (any case, with or
    without accents: ``educación``, ``Aporte constitucional``); other text is kept for validation."""
    table = WORDS.get(field, {})
    folded = _fold(text)
    for key, label in table.items():
        if folded in (_fold(label), _fold(key), _fold(key.replace("_", " "))):
            return key
    return text.strip()

def project_cells(project: "Project") -> dict[str, Any]:
    """A project as the grid shows it: text cells (amounts with thousands separators), a flag."""
    raw = project.model_dump(by_alias=True)
    cells: dict[str, Any] = {}
    for key, _ in GRID_FIELDS:
        value = raw.get(key)
        if key == "obligatorio":
            cells[key] = bool(value)
        elif key == "fuentes":
            cells[key] = "; ".join(to_words(key, v) for v in value or ())
        elif key == "sector":
            cells[key] = to_words(key, str(value))
        elif key in ("costo_total", "costo_operacion_anual"):
            cells[key] = numero(value, 2)
        elif value is None:
            cells[key] = ""
        else:
            cells[key] = str(value)
    return cells


def blank_cells(first_year: int | None) -> dict[str, Any]:
    """A new row: the user fills in name, sector and cost."""
    return {"nombre": "", "sector": "", "costo_total": "", "duracion": "1",
            "inicio_minimo": "" if first_year is None else str(first_year), "inicio_maximo": "",
            "costo_operacion_anual": "0", "beneficiarios": "0", "alineacion": "3",
            "fuentes": "; ".join(to_words("fuentes", k) for k in ("aporte_constitucional", "propios")),
            "obligatorio": False}


def projects_from_rows(rows: Sequence[tuple["Project | None", Mapping[str, Any]]]) -> list["Project"]:
    """Validate the grid: each row is (original project or None, cells). ParameterError lists all errors.

    Fields not in the grid are kept from the original; a changed duration drops a cost profile
    that no longer fits it (the default, an even split, takes over).
    """
    records = []
    for position, (original, cells) in enumerate(rows, start=1):
        raw: dict[str, Any] = original.model_dump(by_alias=True, exclude_defaults=True) if original else {}
        for key, _ in GRID_FIELDS:
            value = cells.get(key)
            if isinstance(value, bool):
                raw[key] = value
            elif value is None or str(value).strip() == "":
                raw.pop(key, None)
            elif key == "fuentes":
                raw[key] = cell_value(key, ";".join(from_words(key, part) for part in str(value).split(";")
                                                    if part.strip()))
            elif key == "sector":
                raw[key] = cell_value(key, from_words(key, str(value)))
            else:
                raw[key] = cell_value(key, str(value).strip())
        profile = raw.get("perfil_costo")
        if profile is not None and str(len(profile)) != str(raw.get("duracion")):
            raw.pop("perfil_costo")
        records.append((f"fila {position}", raw))
    return validate_projects(records, "cartera")
