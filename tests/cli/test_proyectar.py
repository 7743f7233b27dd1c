"""``nexos proyectar`` run as a user runs it: outputs, formats, a user's export, bad input."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pandas as pd
import pytest

from nexos_model import catalog
from nexos_model.cli.main import main
from nexos_model.io import writers
from tests.support import BUDGET_YEAR, ROOT, nexos


def spans(table: pd.DataFrame) -> dict[str, list[int]]:
    """``{tipo: [first year, last year]}`` of a table with ``anio`` and ``tipo``."""
    return {k: [int(a), int(b)] for k, (a, b) in table.groupby("tipo")["anio"].agg(["min", "max"]).iterrows()}


def test_proyectar_marks_observed_estimated_and_projected_years(tmp_path):
    """As of 5 December 2026 with no setting: data 2016-2019, estimates 2020-2026 (years that
    happened without data), the 2027 budget and nine more years projected."""
    target = tmp_path / "p.csv"
    out = nexos("proyectar", "--municipio", "1301", "--salida", str(target))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(target, dtype={"municipio": str})
    assert list(table.columns) == ["escenario", "municipio", "anio", "tipo", "concepto", "valor"]
    assert spans(table) == {"observado": [2016, 2019], "estimado": [2020, 2026], "proyectado": [2027, 2036]}
    assert table["municipio"].unique().tolist() == ["1301"]
    model = table.loc[table["tipo"] != "observado"]
    lines = len(set(catalog.concepts().index) | set(catalog.result_lines().index))
    assert model.groupby("anio")["concepto"].nunique().eq(lines).all()
    observed = table.loc[table["tipo"] == "observado"]
    assert observed.groupby("anio")["concepto"].nunique().eq(len(catalog.concepts())).all()
    for name in ("brechas", "calibracion", "espacio_fiscal", "reglas", "aporte", "endeudamiento", "indicadores"):
        assert (tmp_path / f"p_{name}.csv").exists(), name
    for name in ("brechas", "espacio_fiscal", "reglas", "aporte", "endeudamiento", "indicadores"):
        sheet = pd.read_csv(tmp_path / f"p_{name}.csv")
        assert list(sheet.columns)[list(sheet.columns).index("anio") + 1] == "tipo", name
        assert spans(sheet)["proyectado"] == [2027, 2036] and spans(sheet)["estimado"][0] == 2020, name
    assert "observado 2016-2019; estimado 2020-2026; proyectado 2027-2036; presupuesto que se prepara: 2027" \
        in out.stdout
    assert "Espacio fiscal propio para inversión 2027" in out.stdout and "CODEDE" in out.stdout
    # the plan is part of the projection, as in the report and the app: the same numbers as run(planificar=True)
    from nexos_model import run

    planned = run("1301", "base", planificar=True).tidy().set_index(["anio", "concepto"])["valor"]
    written = table.set_index(["anio", "concepto"])["valor"]
    for concept in ("espacio_fiscal", "operacion_mantenimiento", "servicio_deuda", "gasto_funcionamiento"):
        assert written.xs(concept, level="concepto").round(2).tolist() == \
            planned.xs(concept, level="concepto").round(2).tolist(), concept
    assert planned.xs("operacion_mantenimiento", level="concepto").sum() > 0
    assert "plan de inversión" in out.stdout


def test_proyectar_sin_plan_leaves_the_plan_out(tmp_path):
    target = tmp_path / "x.csv"
    out = nexos("proyectar", "--municipio", "1301", "--sin-plan", "--salida", str(target))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(target, dtype={"municipio": str})
    assert table.loc[table["concepto"] == "operacion_mantenimiento", "valor"].abs().sum() == 0


def test_proyectar_with_the_system_date(tmp_path):
    """Without NEXOS_HOY the budget being prepared is the year after the system's date."""
    env = {k: v for k, v in os.environ.items() if k != "NEXOS_HOY"}
    target = tmp_path / "p.csv"
    out = nexos("proyectar", "--municipio", "1301", "--salida", str(target), env=env)
    assert out.returncode == 0, out.stderr
    first = spans(pd.read_csv(target))["proyectado"][0]
    assert first in {dt.date.today().year + 1, dt.date.fromtimestamp(target.stat().st_mtime).year + 1}


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_proyectar_other_formats(tmp_path, suffix):
    target = tmp_path / f"x{suffix}"
    out = nexos("proyectar", "--municipio", "1301,0901", "--salida", str(target))
    assert out.returncode == 0, out.stderr
    table = pd.read_excel(target) if suffix == ".xlsx" else pd.read_parquet(target)
    model = table.loc[table["tipo"] != "observado"]
    assert len(model) == 2 * (BUDGET_YEAR + 10 - 2020) * len(set(catalog.concepts().index) |
                                                             set(catalog.result_lines().index))
    assert set(table["tipo"]) == {"observado", "estimado", "proyectado"}


@pytest.mark.parametrize("args, expected", [
    (["--municipio", "9999"], "municipio '9999' desconocido"),
    (["--municipio", "0901", "--escenario", "inventado"], "escenario 'inventado' desconocido"),
    (["--municipio", "0901", "--set", "tendencia.contraccion=2"], "ajustes: tendencia.contraccion: fuera de rango (valor dado: 2; se esperaba: entre 0 y 1 fracción)"),
    (["--municipio", "0901", "--set", "tendencia.contracion=0.2"], "¿quiso decir 'contraccion'?"),
    (["--municipio", "0901", "--set", "calendario.horizonte=diez"], "calendario.horizonte: debe ser un número entero"),
    (["--municipio", "0901", "--set", "proyeccion.horizonte=12"],
     "proyeccion.horizonte: clave reemplazada (se esperaba: calendario.horizonte"),
    (["--municipio", "0901", "--set", "calendario.anio_presupuesto=2018"],
     "calendario.anio_presupuesto: el municipio 0901 ya tiene datos observados hasta 2019"),
    (["--municipio", "0901", "--datos", "no_existe.csv"], "no_existe.csv"),
])
def test_bad_input_exits_1_with_spanish_message_and_leaves_output_untouched(tmp_path, args, expected):
    target = tmp_path / "x.csv"
    target.write_text("contenido previo\n", encoding="utf-8")
    out = nexos("proyectar", *args, "--salida", str(target))
    assert out.returncode == 1
    assert expected in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert target.read_text(encoding="utf-8") == "contenido previo\n"
    assert list(tmp_path.iterdir()) == [target]


def test_unsupported_output_extension(tmp_path):
    out = nexos("proyectar", "--municipio", "0901", "--salida", str(tmp_path / "x.doc"))
    assert out.returncode == 1 and "extensión no admitida" in out.stderr
    assert not (tmp_path / "x.doc").exists()


def test_datos_replaces_bundled_years(tmp_path):
    # A user's export for 2019 only, Latin-1 with quoted 1,234.56 amounts: it replaces 2019.
    data = tmp_path / "sicoin.csv"
    rows = ["Portal de Gobiernos Locales - Ejecución de ingresos", "",
            "Año;Código Municipio;Sección;Devengado"]
    rows += [f'2019;901;{code};"{amount}"' for code, amount in
             [("10100", "30,000,000.00"), ("11200", "2,500,000.00"), ("14200", "200,000,000.00")]]
    data.write_bytes("\n".join(rows).encode("cp1252"))
    target = tmp_path / "x.csv"
    out = nexos("proyectar", "--municipio", "0901", "--datos", str(data), "--salida", str(target))
    assert out.returncode == 0, out.stderr
    base = tmp_path / "b.csv"
    nexos("proyectar", "--municipio", "0901", "--salida", str(base))
    new, old = pd.read_csv(target), pd.read_csv(base)
    pick = lambda t: t.query("anio == 2020 and concepto == 'impuestos_directos'")["valor"].item()
    assert pick(new) != pytest.approx(pick(old))


# --- the files of a projection are one set ----------------------------------------------------


def _set_bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def previous_set(tmp_path):
    """A first run's set of tables (x.csv and its ten siblings), as a user has it on disk."""
    target = tmp_path / "x.csv"
    assert main(["proyectar", "--municipio", "0901", "--salida", str(target)]) == 0
    return target, _set_bytes(tmp_path)


def _failing_on_fifth_table(monkeypatch, error):
    """Make the writer fail (or be interrupted) on the fifth file of the set."""
    real = writers.write_table
    written = []

    def write_table(df, path, sheet_name=None):
        written.append(path)
        if len(written) == 5:
            raise error
        return real(df, path, sheet_name)

    monkeypatch.setattr(writers, "write_table", write_table)
    return written


@pytest.mark.parametrize("error, status", [(OSError(28, "No space left on device"), 1), (KeyboardInterrupt(), 130)])
def test_a_failed_or_interrupted_projection_leaves_the_previous_set_byte_identical(
        previous_set, monkeypatch, capsys, error, status):
    target, before = previous_set
    written = _failing_on_fifth_table(monkeypatch, error)
    # another scenario: every table would change
    assert main(["proyectar", "--municipio", "0901", "--escenario", "optimista", "--salida", str(target)]) == status
    assert len(written) == 5
    assert _set_bytes(target.parent) == before, "old and new tables must not mix"
    err = capsys.readouterr().err
    assert ("no queda espacio en el disco" if status == 1 else "interrumpido") in err and "Traceback" not in err


def test_a_new_set_replaces_the_old_one_whole_and_drops_tables_it_no_longer_has(tmp_path):
    target = tmp_path / "x.csv"
    assert main(["proyectar", "--municipio", "0901", "--simulaciones", "20", "--salida", str(target)]) == 0
    assert (tmp_path / "x_percentiles.csv").exists() and (tmp_path / "x_probabilidades.csv").exists()
    assert main(["proyectar", "--municipio", "0901", "--salida", str(target)]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert "x_percentiles.csv" not in names and "x_probabilidades.csv" not in names, "no table of an older run"
    assert len(names) == 10 and not [n for n in names if n.startswith(".")]


def test_a_killed_projection_leaves_the_old_set_and_the_next_run_cleans_up(previous_set):
    """kill -9 while the new tables are being written: the old set stays whole; the staging folder
    left behind is removed by the next run (its process is gone)."""
    target, before = previous_set
    script = ("import os, signal, sys\n"
              "from nexos_model.io import writers\n"
              "real, n = writers.write_table, []\n"
              "def write_table(df, path, sheet_name=None):\n"
              "    n.append(path)\n"
              "    if len(n) == 5: os.kill(os.getpid(), signal.SIGKILL)\n"
              "    return real(df, path, sheet_name)\n"
              "writers.write_table = write_table\n"
              "from nexos_model.cli.main import main\n"
              f"sys.exit(main(['proyectar', '--municipio', '0901', '--escenario', 'optimista', '--salida', {str(target)!r}]))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL
    left = [p.name for p in target.parent.iterdir() if p.name.startswith(".")]
    assert left and all(name.startswith(".nexos-conjunto.") for name in left), left
    assert {k: v for k, v in _set_bytes(target.parent).items() if not k.startswith(".")} == before
    assert main(["proyectar", "--municipio", "1301", "--salida", str(target.parent / "otro.csv")]) == 0
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")], "the next run removed them"


def test_solo_datos_with_one_municipality_does_not_give_it_the_national_pools(tmp_path, capsys):
    """A file of one municipality with --solo-datos: the art. 119 formula still shares the pools among
    all 340 (the others from the bundled data), so the result equals the bundled run's."""
    bundled = ROOT / "nexos_model" / "data" / "ingresos_municipales_2016_2019_por_seccion.csv"
    lines = bundled.read_text(encoding="utf-8").splitlines()
    own = tmp_path / "propio.csv"
    own.write_text("\n".join([lines[0]] + [line for line in lines[1:] if line.startswith("1301,")]) + "\n",
                   encoding="utf-8")
    assert main(["proyectar", "--municipio", "1301", "--salida", str(tmp_path / "base.csv")]) == 0
    assert main(["proyectar", "--municipio", "1301", "--datos", str(own), "--solo-datos",
                 "--salida", str(tmp_path / "solo.csv")]) == 0
    out = capsys.readouterr().out
    assert "incluyen a los 339 municipios que el archivo no trae" in out
    base, solo = (pd.read_csv(tmp_path / f"{n}_espacio_fiscal.csv") for n in ("base", "solo"))
    pd.testing.assert_frame_equal(base, solo)  # not Q 5,560 million for one municipality
    assert main(["proyectar", "--municipio", "0901", "--datos", str(own), "--solo-datos",
                 "--salida", str(tmp_path / "otro.csv")]) == 1
    assert "0901 no está(n) en" in capsys.readouterr().err


def test_set_of_a_sampled_assumption_is_taken_as_the_app_takes_it(tmp_path):
    """``--set deuda.nuevo_prestamo.tasa=0.07`` moves the rate's triangular distribution with it
    (one implementation, the loader's), so the CLI gives what the app's control gives, not a refusal."""
    from nexos_model.api import run
    from nexos_model.app.session import Session

    target = tmp_path / "p.csv"
    out = nexos("proyectar", "--municipio", "1301", "--set", "deuda.nuevo_prestamo.tasa=0.07",
                "--set", "deuda.nuevo_prestamo.monto=5000000", "--salida", str(target))
    assert out.returncode == 0, out.stderr
    cli = pd.read_csv(target, dtype={"municipio": str}).set_index(["anio", "concepto"])["valor"]
    app = Session("1301", "base", {"deuda.nuevo_prestamo.tasa": 0.07, "deuda.nuevo_prestamo.monto": 5e6}).result()
    assert app.parameters["1301"].params.debt.new_loan.rate == 0.07
    base = run("1301", "base", overrides={"deuda.nuevo_prestamo.monto": 5e6}).projection.set_index(["anio", "concepto"])["valor"]
    mine = app.projection.set_index(["anio", "concepto"])["valor"]
    pd.testing.assert_series_equal(cli.loc[mine.index], mine, check_names=False, rtol=1e-9)
    assert not mine.equals(base.loc[mine.index]), "the rate changed the debt service"
