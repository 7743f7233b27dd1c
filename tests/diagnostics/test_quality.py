"""Data-quality diagnostics on small hand-made histories, and through the CLI on a user file."""

from __future__ import annotations

import pandas as pd

from nexos_model.diagnostics.quality import annual_values, diagnose, flagged_cells
from tests.support import nexos


def lines(rows):
    frame = pd.DataFrame(rows, columns=["municipio", "anio", "rubro", "concepto", "devengado", "percibido"])
    frame["vigente"] = float("nan")
    frame["fila"] = range(2, len(frame) + 2)
    return frame


def test_each_kind_of_doubt_is_found_with_municipality_year_and_line():
    history = lines([
        # tasas: steady, then an isolated jump in 2018: 2,000,000 / median(100k, 110k, 120k) = 18.2
        ("0901", 2016, "11200", "tasas", 100_000, 100_000), ("0901", 2017, "11200", "tasas", 110_000, 110_000),
        ("0901", 2018, "11200", "tasas", 2_000_000, 2_000_000), ("0901", 2019, "11200", "tasas", 120_000, 120_000),
        # a duplicated line and a negative amount
        ("0901", 2019, "11400", "arrendamientos", 5_000, 5_000), ("0901", 2019, "11400", "arrendamientos", 5_000, 5_000),
        ("0901", 2017, "18100", "recursos_propios_capital", -100, -100),
        # accrued ten times what was collected
        ("0901", 2016, "10100", "impuestos_directos", 900_000, 90_000),
        # 1301 has no 2017 at all
        ("1301", 2016, "11200", "tasas", 1_000, 1_000), ("1301", 2018, "11200", "tasas", 1_000, 1_000),
        ("1301", 2019, "11200", "tasas", 1_000, 1_000),
    ])
    found = diagnose(history, [2016, 2017, 2018, 2019])
    kinds = set(zip(found["municipio"], found["anio"], found["tipo"]))
    assert kinds == {
        ("0901", 2018, "valor_implausible"), ("0901", 2019, "linea_duplicada"),
        ("0901", 2017, "monto_negativo"), ("0901", 2016, "devengado_sin_percibir"), ("1301", 2017, "anio_faltante"),
    }
    assert found.loc[found["tipo"] == "linea_duplicada", "fila"].item() == 7
    assert "18.2 veces la mediana de los otros años (Q 110,000.00)" in found.loc[found["tipo"] == "valor_implausible", "mensaje"].item()
    assert flagged_cells(found) == {("0901", 2018, "tasas"), ("0901", 2017, "recursos_propios_capital"),
                                    ("0901", 2016, "impuestos_directos")}
    # The duplicated line counts once.
    annual = annual_values(history)
    assert annual.query("concepto == 'arrendamientos'")["valor"].item() == 5_000


def test_a_level_shift_is_real_not_an_error():
    history = lines([("0901", y, "10100", "impuestos_directos", v, v)
                     for y, v in zip(range(2016, 2020), [100_000, 100_000, 900_000, 950_000])])
    assert diagnose(history).empty


def test_calidad_on_a_user_file_with_a_missing_year_and_a_duplicate(tmp_path):
    data = tmp_path / "export.csv"
    rows = ["ejercicio,cod_municipio,cod_seccion,devengado,percibido"]
    rows += [f"{y},0901,11200,\"1,000,000.00\",\"1,000,000.00\"" for y in (2016, 2018, 2019)]
    rows += ["2019,0901,11200,\"1,000,000.00\",\"1,000,000.00\""]
    data.write_text("\n".join(rows), encoding="utf-8")
    out = nexos("calidad", "--datos", str(data), "--solo-datos")
    assert out.returncode == 0, out.stderr
    assert "0901 2019 linea_duplicada" in out.stdout
    # 2017 is missing for every municipality of the file, so it is not an expected year of the file;
    # over the bundled years (default, file on top) the projection still has 2017 from the bundle.
    out = nexos("calidad", "--datos", str(data), "--municipio", "0901")
    assert out.returncode == 0 and "linea_duplicada" in out.stdout
