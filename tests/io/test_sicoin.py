"""The SICOIN GL revenue export: real-world formats, every bad cell named, the bundled file read like an export."""

from __future__ import annotations


import openpyxl
import pandas as pd
import pytest

from nexos_model.errors import DataFileError
from nexos_model.io import bundled
from nexos_model.io.history import load_bundled_history
from nexos_model.io.sicoin import concept_for_code, read_revenue_export
from tests.support import write_lines


SAMPLE = ["0101", "0501", "0901", "1406"]  # 0501 has a negative devengado (2017, 18100)


KEY = ["municipio", "anio", "rubro", "concepto", "devengado"]


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return load_bundled_history()


@pytest.fixture(scope="module")
def sample(history) -> pd.DataFrame:
    return history[history["municipio"].isin(SAMPLE)].reset_index(drop=True)


def test_latin1_semicolon_export_matches_bundled(tmp_path, sample):
    lines = [
        "Municipalidades de Guatemala - Ejecución de ingresos por sección",
        "Fuente: SICOIN GL; cifras en quetzales",
        "",
        "AÑO;Código Municipio;Sección;Nombre de la sección;Devengado",
    ]
    for i, row in enumerate(sample.itertuples()):
        amount = f"{abs(row.devengado):,.2f}"
        if row.devengado < 0:
            amount = f"({amount})"
        elif i == 7:
            amount = f"Q {amount}"
        lines.append(f'{row.anio};{int(row.municipio)};{row.rubro};Sección año;"{amount}"')
        if i == 10:
            lines.append("")  # blank line inside the data
    lines += ['Total;;;;"999,999.00"', "Nota: cifras preliminares"]
    path = write_lines(tmp_path / "export.csv", lines, encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really Latin-1

    got = read_revenue_export(path)

    pd.testing.assert_frame_equal(got[KEY], sample[KEY], check_exact=True)
    assert (sample["devengado"] < 0).any()
    assert got["vigente"].isna().all() and got["percibido"].isna().all()
    assert got["fila"].iloc[0] == 5  # two titles, a blank line, the header
    assert got["fila"].iloc[-1] == len(sample) + 5  # one blank line in between
    assert list(got.columns) == [
        "municipio", "anio", "rubro", "concepto", "devengado", "vigente", "percibido", "fila"
    ]


def test_xlsx_export_matches_bundled(tmp_path, sample):
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notas"
    notes.append(["Este libro contiene la ejecución de ingresos"])
    sheet = book.create_sheet("Ingresos")
    sheet.append(["Ejecución presupuestaria de ingresos 2016-2019"])
    sheet.append([])
    sheet.append(["Ejercicio", "Cod. Municipio", "Clase-Sección", "Ejecutado", "Vigente", "Percibido"])
    for row in sample.itertuples():
        sheet.append([row.anio, int(row.municipio), int(row.rubro), row.devengado, row.vigente, row.percibido])
    sheet.append(["TOTAL", None, None, float(sample["devengado"].sum())])
    path = tmp_path / "export.xlsx"
    book.save(path)

    got = read_revenue_export(path)

    cols = KEY + ["vigente", "percibido"]
    pd.testing.assert_frame_equal(got[cols], sample[cols], check_exact=True)
    assert got["fila"].iloc[0] == 4


def test_utf8_bom_tab_only_percibido_and_rubro_level_codes(tmp_path):
    lines = [
        "periodo\tid municipio\tcódigo rubro\tpercibido\tvigente",
        "2018\t901.0\t101100\t1234.5\t",
        "2018\t901.0\t101100\t1234.5\t",  # duplicated line: kept
        "2018\t0901\t10110\tQ1,000\t2,000",
        "2018\t901\t11900\t-1,234.56\t0",
    ]
    got = read_revenue_export(write_lines(tmp_path / "e.txt", lines, encoding="utf-8-sig"))
    assert got["municipio"].tolist() == ["0901"] * 4
    assert got["rubro"].tolist() == ["10100", "10100", "10100", "11900"]
    assert got["concepto"].tolist() == ["impuestos_directos"] * 3 + ["otros_no_tributarios"]
    assert got["devengado"].tolist() == got["percibido"].tolist() == [1234.5, 1234.5, 1000.0, -1234.56]
    assert got["vigente"].tolist() == [0.0, 0.0, 2000.0, 0.0]
    assert got["fila"].tolist() == [2, 3, 4, 5]


def test_prefers_code_column_over_name_column(tmp_path):
    lines = [
        "ano,cod_municipio,seccion,codigo,devengado",
        "2019,101,IMPUESTOS DIRECTOS,10100,5",
    ]
    got = read_revenue_export(write_lines(tmp_path / "e.csv", lines))
    assert got["rubro"].tolist() == ["10100"]


def test_bundled_file_is_read_like_an_export(history):
    raw = pd.read_csv(
        bundled.data_path(bundled.REVENUE_FILE), dtype={"cod_municipio": str, "cod_seccion": str}
    )
    assert len(history) == len(raw)
    assert (history["devengado"].to_numpy() == raw["devengado"].to_numpy()).all()
    assert (history["rubro"].to_numpy() == raw["cod_seccion"].to_numpy()).all()


HEADER = "año;código municipio;sección;devengado;vigente"


def read_errors(tmp_path, rows: list[str], name: str = "malo.csv") -> list[str]:
    path = write_lines(tmp_path / name, [HEADER, *rows])
    with pytest.raises(DataFileError) as excinfo:
        read_revenue_export(path)
    msgs = excinfo.value.messages
    assert all(str(path) in m for m in msgs)
    return msgs


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ('2019;901;10100;"1,2x3.00";0', "devengado", "el monto no es un número"),
        ("2019;901;10100;;0", "devengado", "falta el monto"),
        ("2019;901;10100;5;abc", "vigente", "el monto no es un número"),
        ("19;901;10100;5;0", "año", "entre 2000 y 2100"),
        ("1999;901;10100;5;0", "año", "entre 2000 y 2100"),
        ("2019.5;901;10100;5;0", "año", "el año no es válido"),
        ("2019;9999;10100;5;0", "código municipio", "no existe"),
        ("2019;09011;10100;5;0", "código municipio", "1 a 4 dígitos"),
        ("2019;901;99100;5;0", "sección", "no está en el catálogo"),
        ("2019;901;101;5;0", "sección", "5 o más dígitos"),
    ],
)
def test_bad_cell_names_file_row_column_and_value(tmp_path, row, column, fragment):
    (msg,) = read_errors(tmp_path, ["2019;901;10100;1;0", row])
    assert msg.startswith(f"{tmp_path / 'malo.csv'}: fila 3, columna '{column}': ")
    assert fragment in msg
    assert "valor dado: " in msg and "se esperaba: " in msg


def test_all_problems_reported_at_once(tmp_path):
    msgs = read_errors(
        tmp_path,
        ["2019;901;10100;abc;0", "2019;901;10100;1;0", "1900;9999;10100;1;0", "2019;901;99999;1;0"],
    )
    assert len(msgs) == 4
    assert [m.split(": ")[1].split(",")[0] for m in msgs] == ["fila 2", "fila 4", "fila 4", "fila 5"]
    assert "valor dado: 'abc'" in msgs[0]


def test_missing_columns(tmp_path):
    path = write_lines(tmp_path / "sin_anio.csv", ["Título", "municipio_id;rubro;total", "901;10100;5"])
    with pytest.raises(DataFileError) as excinfo:
        read_revenue_export(path)
    msgs = excinfo.value.messages
    assert any(m.startswith(f"{path}: falta la columna 'anio' (columnas encontradas: ") for m in msgs)
    assert any("falta la columna 'devengado'" in m for m in msgs)
    assert "'municipio_id', 'rubro', 'total'" in msgs[0]  # the names as written, quoted


def test_concept_for_code():
    assert concept_for_code("10100") == "impuestos_directos"
    assert concept_for_code("11700") == "multas"
    assert concept_for_code("11900") == "otros_no_tributarios"  # clase fallback
    assert concept_for_code("101100") == "impuestos_directos"  # rubro level
    assert concept_for_code("17200") == "transferencias_capital_publicas"
    assert concept_for_code("17300") == "donaciones_otras_transferencias"
    assert concept_for_code("10000") is None
    assert concept_for_code("99100") is None
    assert concept_for_code("abc") is None


def test_catalog_concepts_are_in_concept_catalog():
    catalog = pd.read_csv(bundled.data_path("clasificacion_ingresos.csv"), dtype=str)
    concepts = set(pd.read_csv(bundled.data_path("conceptos.csv"))["concepto"])
    assert set(catalog["concepto"]) <= concepts


def test_bundled_history_coverage(history):
    assert history["municipio"].nunique() == 340
    counts = history.groupby("anio")["municipio"].nunique()
    assert counts.to_dict() == {2016: 340, 2017: 340, 2018: 340, 2019: 340}
    assert history["concepto"].notna().all() and (history["concepto"] != "").all()
    assert set(history["municipio"]) == set(bundled.load_municipalities()["municipio"])
    assert history["rubro"].str.fullmatch(r"\d{3}00").all()
