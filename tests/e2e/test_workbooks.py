"""Workbooks: thin (no logic in any cell), and each one runs with Papermill for two
municipalities, without error cells, printing the same key numbers as ``run()``.

Each workbook runs once per municipality (a fresh kernel: several seconds each); the executed
notebook is shared by every assertion on it, and between pytest-xdist workers through a
folder of the session's temporary root guarded by a file lock.
"""

from __future__ import annotations

import ast
import fcntl
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nexos_model import run
from nexos_model.errors import NexosError
from nexos_model.io.bundled import load_municipalities
from nexos_model.report import render
from nexos_model.wording import quetzales
from tests.support import ROOT

ALL = sorted((ROOT / "workbooks").glob("*.ipynb"))
PAPERMILL = Path(sys.executable).parent / "papermill"
# The app notebook only builds the Voilà app and waits for a visit (tests/e2e/test_app.py runs it).
REPORTS = [p for p in ALL if not p.stem.startswith("app_")]
# One scenario per municipality: levers (1401) and a broken legal rule (0901) get shown too.
CASES = {"0901": "pesimista", "1401": "actualizacion_catastral"}
NAMES = dict(zip(load_municipalities()["municipio"], load_municipalities()["nombre"]))
# The 05 workbook's own defaults (its parameters cell): the test recomputes with the same.
SCENARIOS = ["base", "optimista", "pesimista", "actualizacion_catastral", "mejora_cobranza"]
SIMULATIONS, SEED = 500, 2024


# --- workbooks hold no logic ----------------------------------------------------------------

#: Syntax a thin cell may not use: definitions, loops, branches, comprehensions, arithmetic,
#: comparisons and indexing (``df[...]``, ``.loc[...]``) all mean logic or data wrangling.
BANNED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For, ast.AsyncFor, ast.While,
          ast.If, ast.IfExp, ast.Try, ast.With, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp,
          ast.BinOp, ast.BoolOp, ast.Compare, ast.UnaryOp, ast.Subscript, ast.AugAssign, ast.Global)
#: Text that means DataFrame work in a cell, whatever the syntax around it.
WRANGLING = re.compile(r"\.loc\[|\.iloc\[|\.groupby\(|\.merge\(|\.pivot|\.query\(|\.apply\(|\bpd\.|\bnp\.|"
                       r"import pandas|import numpy")


def _literal(node: ast.AST) -> bool:
    """A constant, or a list/dict/tuple of constants (what Papermill injects)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _literal(k) and _literal(v) for k, v in zip(node.keys, node.values))
    return False


def _call_root(node: ast.AST) -> str | None:
    """``nb`` for ``nb.show_table(...)``, ``run`` for ``run(...)``."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else None


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_workbook_holds_no_logic(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    params, cells = code[0], code[1:]
    assert "parameters" in params.metadata.get("tags", []), "the first code cell must be tagged parameters"
    for stmt in ast.parse(params.source).body:
        assert isinstance(stmt, ast.Assign) and _literal(stmt.value), \
            f"{path.name}: the parameters cell holds only literal assignments:\n{ast.unparse(stmt)}"
    known = {t.id for s in ast.parse(params.source).body for t in s.targets}
    for cell in cells:
        # At most four statements (one call laid out over several lines is one statement).
        lines = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        tree = ast.parse(cell.source)
        assert len(tree.body) <= 4 and len(lines) <= 8, f"{path.name}: cell of {len(lines)} lines:\n{cell.source}"
        assert not WRANGLING.search(cell.source), f"{path.name}: data wrangling in a cell:\n{cell.source}"
        found = sorted({type(n).__name__ for n in ast.walk(tree) if isinstance(n, BANNED)})
        assert not found, f"{path.name}: logic in a cell ({found}):\n{cell.source}"
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom):
                assert stmt.module.startswith("nexos_model"), f"{path.name}: imports only nexos_model"
                known |= {a.asname or a.name for a in stmt.names}
                continue
            value = stmt.value if isinstance(stmt, (ast.Assign, ast.Expr)) else None
            assert value is not None, f"{path.name}: only imports, calls and results of calls:\n{cell.source}"
            if isinstance(value, ast.Name):  # a bare name displays an object built above
                assert value.id in known, f"{path.name}: unknown name {value.id}"
                continue
            assert isinstance(value, ast.Call), f"{path.name}: only calls into nexos_model:\n{cell.source}"
            roots = {_call_root(n) for n in ast.walk(value) if isinstance(n, ast.Call)}
            assert roots <= known, f"{path.name}: calls outside nexos_model ({roots - known}):\n{cell.source}"
            if isinstance(stmt, ast.Assign):
                known |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_first_cell_after_parameters_loads_the_run(path):
    """Unknown municipality or scenario: the cell right after the parameters stops the notebook
    (``notebook.load_run`` turns the model's error into a Spanish message)."""
    nb = nbformat.read(path, as_version=4)
    first = [c for c in nb.cells if c.cell_type == "code"][1]
    assert re.search(r"\bnb\.load_run\(municipio, escenario\b", first.source), first.source


# --- every workbook runs for two municipalities ---------------------------------------------

def _shared_folder(tmp_path_factory) -> Path:
    """The session's temporary root: the same folder for every xdist worker of this run."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "workbooks-ejecutados"
    folder.mkdir(exist_ok=True)
    return folder


def _execute(path: Path, municipio: str, escenario: str, folder: Path) -> nbformat.NotebookNode:
    """Run the workbook once per session (whichever worker comes first; the others wait) with the
    ``papermill`` command as analysts type it: ``-p municipio 901`` reaches the notebook as the
    number 901 (Papermill parses it), which must mean 0901."""
    out = folder / f"{path.stem}-{municipio}.ipynb"
    with open(folder / f"{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.exists():
            done = subprocess.run([str(PAPERMILL), str(path), str(out), "-p", "municipio", str(int(municipio)),
                                   "-p", "escenario", escenario, "--log-level", "WARNING"],
                                  capture_output=True, text=True, cwd=ROOT, timeout=600)
            assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(out, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f"municipio = {int(municipio)}\n" in injected.source, "Papermill injected the code as a number"
    return nb


def _case(request, tmp_path_factory) -> tuple[str, str, str, nbformat.NotebookNode]:
    path, municipio = request.param
    nb = _execute(path, municipio, CASES[municipio], _shared_folder(tmp_path_factory))
    return path.stem, municipio, CASES[municipio], nb


@pytest.fixture(scope="module", params=[(p, m) for p in REPORTS for m in CASES],
                ids=lambda c: f"{c[0].stem}-{c[1]}")
def executed(request, tmp_path_factory):
    """(workbook, municipality, scenario, executed notebook) for every workbook."""
    return _case(request, tmp_path_factory)


@pytest.fixture(scope="module", params=[(p, m) for p in REPORTS if p.stem in ("03_finanzas", "reporte_concejo")
                                        for m in CASES], ids=lambda c: f"{c[0].stem}-{c[1]}")
def executed_with_rules(request, tmp_path_factory):
    """The same for the workbooks that show the legal rules (the executions are shared)."""
    return _case(request, tmp_path_factory)


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells for o in c.get("outputs", [])]


def _text(nb) -> str:
    """Everything the executed notebook displays as plain text."""
    parts = []
    for out in _outputs(nb):
        parts.append(out.get("text", ""))
        parts.append(str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def _html(nb) -> str:
    return "\n".join(str(o.get("data", {}).get("text/html", "")) for o in _outputs(nb))


def _key_numbers(stem: str, municipio: str, escenario: str) -> list[str]:
    """Numbers each workbook must print, computed here from ``run()`` (and the plan, the
    comparison, the Monte Carlo run and the tornado it calls) independently of the notebook."""
    r = run(municipio, escenario)
    wide = r.wide(municipio)
    last, end = int(r.annual["anio"].max()), int(r.projection["anio"].max())
    first = r.budget_year()  # what looks ahead starts with the budget being prepared
    space = r.fiscal_space.groupby("anio")["monto"].sum().loc[first:]
    lines = r.projection.pivot(index="anio", columns="concepto", values="valor")
    if stem == "01_diagnostico":
        return [quetzales(wide.at[last, "ingresos_propios"])]
    if stem == "02_ingresos_propios":
        gaps = r.gaps.set_index(["anio", "flujo", "componente"])["valor"]
        base = run(municipio, "base").projection.pivot(index="anio", columns="concepto", values="valor")
        return [quetzales(wide.at[end, "ingresos_propios"]), quetzales(lines.at[end, "iusi"]),
                quetzales(gaps[(first, "iusi", "potencial")]), quetzales(gaps[(end, "agua", "brecha_total")]),
                quetzales(lines.at[end, "iusi"] - base.at[end, "iusi"])]
    if stem == "03_finanzas":
        aporte = r.aporte.set_index(["anio", "criterio"])["monto"]
        return [quetzales(space.at[end]), quetzales(lines.at[end, "aporte_constitucional"]),
                quetzales(aporte[(end, "ingresos_propios_per_capita")]), quetzales(lines.at[first, "gasto_personal"]),
                quetzales(r.borrowing.set_index("anio").at[first, "monto"]), quetzales(space.sum())]
    if stem in ("04_inversion", "reporte_concejo"):
        from nexos_model.api import plan_for_run

        plan = plan_for_run(r, municipio)
        numbers = [quetzales(plan.comparacion["inversion"].iloc[0])]
        if stem == "04_inversion":
            return numbers + [quetzales(v) for v in plan.cronograma["costo_total"]]
        return numbers + [quetzales(wide.at[end, "ingresos_propios"]), quetzales(space.sum())]
    if stem == "05_escenarios":
        from nexos_model.analyses.comparison import compare
        from nexos_model.analyses.sensitivity import tornado_for

        outcomes = compare(municipio, SCENARIOS).outcomes.set_index(["escenario", "anio", "resultado"])["valor"]
        mc = run(municipio, escenario, simulaciones=SIMULATIONS, semilla=SEED).percentiles
        median = mc.set_index(["anio", "concepto"]).at[(end, "ingresos_propios"), "p50"]
        swing = tornado_for(municipio, escenario, "ingresos_propios")
        return [quetzales(outcomes[(s, end, "ingresos_propios")]) for s in SCENARIOS] + [
            quetzales(median), quetzales(swing["resultado_alto"].iloc[0])]
    raise AssertionError(f"add the key numbers of {stem}")


@pytest.mark.slow
def test_workbook_runs_without_errors(executed):
    stem, municipio, escenario, nb = executed
    errors = [o for o in _outputs(nb) if o.get("output_type") == "error"]
    assert not errors, f"{stem} {municipio}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    warnings = [o["text"] for o in _outputs(nb) if o.get("name") == "stderr" and "Warning" in o.get("text", "")]
    assert not warnings, f"{stem} {municipio}: {warnings}"
    assert "Traceback" not in _text(nb)


@pytest.mark.slow
def test_workbook_prints_the_models_numbers(executed):
    stem, municipio, escenario, nb = executed
    text = _text(nb)
    assert NAMES[municipio] in text
    missing = [n for n in _key_numbers(stem, municipio, escenario) if n not in text]
    assert not missing, f"{stem} {municipio} ({escenario}): not shown: {missing}"


@pytest.mark.slow
def test_rule_marks_match_the_model(executed_with_rules):
    """Every broken rule-year is a red ✗ cell, every rule that holds a green ✓."""
    stem, municipio, escenario, nb = executed_with_rules
    rules = run(municipio, escenario).rules
    html = _html(nb)
    assert html.count("class='nexos-falla'>✗</td>") == int((~rules["cumple"]).sum())
    assert html.count("class='nexos-cumple'>✓</td>") == int(rules["cumple"].sum())


@pytest.mark.slow
def test_unknown_scenario_stops_in_the_first_cell(tmp_path):
    with pytest.raises(NexosError, match="escenario 'inventado' desconocido"):
        render.execute_workbook(ROOT / "workbooks" / "03_finanzas.ipynb",
                                {"municipio": "1401", "escenario": "inventado", "overrides": {}},
                                tmp_path / "workbook.ipynb")
    nb = nbformat.read(tmp_path / "workbook.fallido.ipynb", as_version=4)
    ran = [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]
    (error,) = [o for o in _outputs(nb) if o.get("output_type") == "error"]
    assert error in ran[0].outputs and "nb.load_run" in ran[0].source
    assert "Traceback" not in "\n".join(error["traceback"])
