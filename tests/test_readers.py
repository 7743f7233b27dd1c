"""Tests for the file readers and bundled-data loaders.

The key tests rewrite part of the bundled revenue data the way real exports look
(Latin-1, ``;``, title lines, accented headers, ``1,234.56`` amounts; or XLSX) and check
that reading them gives back the bundled figures to the centavo.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nexos_model.errors import DataFileError
from nexos_model.io import bundled
from nexos_model.io.history import load_bundled_history
from nexos_model.io.sicoin import concept_for_code, read_revenue_export
from nexos_model.io.tables import normalize_name, parse_amount, read_table

SAMPLE = ["0101", "0501", "0901", "1406"]  # 0501 has a negative devengado (2017, 18100)
KEY = ["municipio", "anio", "rubro", "concepto", "devengado"]


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return load_bundled_history()


@pytest.fixture(scope="module")
def sample(history) -> pd.DataFrame:
    return history[history["municipio"].isin(SAMPLE)].reset_index(drop=True)


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def messages(excinfo) -> list[str]:
    return excinfo.value.messages


# --------------------------------------------------------------------------- round trips


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
    path = write_csv(tmp_path / "export.csv", lines, encoding="cp1252")
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
    got = read_revenue_export(write_csv(tmp_path / "e.txt", lines, encoding="utf-8-sig"))
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
    got = read_revenue_export(write_csv(tmp_path / "e.csv", lines))
    assert got["rubro"].tolist() == ["10100"]


def test_bundled_file_is_read_like_an_export(history):
    raw = pd.read_csv(
        bundled.data_path(bundled.REVENUE_FILE), dtype={"cod_municipio": str, "cod_seccion": str}
    )
    assert len(history) == len(raw)
    assert (history["devengado"].to_numpy() == raw["devengado"].to_numpy()).all()
    assert (history["rubro"].to_numpy() == raw["cod_seccion"].to_numpy()).all()


# --------------------------------------------------------------------------- errors


HEADER = "año;código municipio;sección;devengado;vigente"


def read_errors(tmp_path, rows: list[str], name: str = "malo.csv") -> list[str]:
    path = write_csv(tmp_path / name, [HEADER, *rows])
    with pytest.raises(DataFileError) as excinfo:
        read_revenue_export(path)
    msgs = messages(excinfo)
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
    path = write_csv(tmp_path / "sin_anio.csv", ["Título", "municipio_id;rubro;total", "901;10100;5"])
    with pytest.raises(DataFileError) as excinfo:
        read_revenue_export(path)
    msgs = messages(excinfo)
    assert any(m.startswith(f"{path}: falta la columna 'anio' (columnas encontradas: ") for m in msgs)
    assert any("falta la columna 'devengado'" in m for m in msgs)
    assert "municipio_id, rubro, total" in msgs[0]


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("vacio.csv", b"", "el archivo está vacío"),
        ("blancos.csv", b"\n \n", "el archivo está vacío"),
        ("solo_encabezado.csv", "año,cod_municipio,rubro,devengado\n".encode(), "no contiene filas"),
        ("basura.csv", b"hola\nmundo\n", "no se encontró la fila de encabezados"),
        ("viejo.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        ("roto.xlsx", b"PK\x03\x04 no es un zip", "Excel"),
        ("texto.xlsx", b"a,b\n1,2\n", "no es un libro de Excel"),
        ("informe.pdf", b"%PDF-1.4", "no compatible"),
    ],
)
def test_unreadable_files(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataFileError) as excinfo:
        read_revenue_export(path)
    (msg,) = messages(excinfo)
    assert msg.startswith(f"{path}: ") and fragment in msg


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataFileError, match="no existe"):
        read_revenue_export(tmp_path / "no_hay.csv")
    with pytest.raises(DataFileError, match="carpeta"):
        read_revenue_export(tmp_path)


# --------------------------------------------------------------------------- parts


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.56", 1234.56), ("Q 1,234.56", 1234.56), ("Q1234.56", 1234.56),
        ("(1,234.56)", -1234.56), ("-1,234.56", -1234.56), ("Q -5", -5.0), ("-Q5", -5.0),
        ("GTQ 10", 10.0), ("1234", 1234.0), (" 7.5 ", 7.5), ("1.234,56", 1234.56),
        ("1,234,567", 1234567.0), ("1e3", 1000.0), ("\xa01,000.00", 1000.0),
    ],
)
def test_parse_amount(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["abc", "1,23,4", "nan", "inf", "1.2.3", "Q", "12-3"])
def test_parse_amount_rejects(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_parse_amount_empty():
    assert parse_amount("", empty=0.0) == 0.0
    with pytest.raises(ValueError, match="falta el monto"):
        parse_amount("")


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-10**12, max_value=10**12, places=2))
def test_parse_amount_round_trips_formatted_centavos(x):
    value = float(x)
    assert parse_amount(f"{value:,.2f}") == value
    assert parse_amount(f"Q {abs(value):,.2f}") == abs(value)


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


def test_normalize_name():
    assert normalize_name("  Código de Municipio ") == "codigo_municipio"
    assert normalize_name("AÑO") == "ano"
    assert normalize_name("Cod. Municipio") == "cod_municipio"
    assert normalize_name("Clase-Sección") == "clase_seccion"


def test_read_table_generic(tmp_path):
    lines = ["Cartera de proyectos", "", "Nombre;Monto Total;Año de inicio", "Escuela;1,000;2024", "", "Puente;2,500;2025", ";;"]
    table = read_table(write_csv(tmp_path / "cartera.csv", lines, encoding="cp1252"))
    assert list(table.columns) == ["nombre", "monto_total", "ano_inicio", "fila"]
    assert table["nombre"].tolist() == ["Escuela", "Puente"]
    assert table["fila"].tolist() == [4, 6]
    assert table.attrs["columnas"]["ano_inicio"] == "Año de inicio"
    assert table.attrs["fila_encabezado"] == 3


# --------------------------------------------------------------------------- bundled


def test_load_municipalities():
    m = bundled.load_municipalities()
    assert len(m) == 340 and m["municipio"].is_unique
    assert m["poblacion"].sum() == 14_901_286
    assert (m["poblacion_urbana"] + m["poblacion_rural"] == m["poblacion"]).all()
    assert m["municipio"].tolist() == sorted(m["municipio"])
    row = m.set_index("municipio").loc["0901"]
    assert row["departamento_codigo"] == "09" and row["nombre"] == "Quetzaltenango"
    m.loc[0, "poblacion"] = -1  # callers get a copy
    assert bundled.load_municipalities()["poblacion"].iloc[0] > 0


def test_bundled_history_coverage(history):
    assert history["municipio"].nunique() == 340
    counts = history.groupby("anio")["municipio"].nunique()
    assert counts.to_dict() == {2016: 340, 2017: 340, 2018: 340, 2019: 340}
    assert history["concepto"].notna().all() and (history["concepto"] != "").all()
    assert set(history["municipio"]) == set(bundled.load_municipalities()["municipio"])
    assert history["rubro"].str.fullmatch(r"\d{3}00").all()


def test_other_bundled_tables():
    spending = bundled.load_spending_history()
    assert list(spending.columns) == ["municipio", "anio", "funcion", "devengado", "vigente"]
    assert spending.groupby("anio")["municipio"].nunique().to_dict() == {
        2016: 340, 2017: 331, 2018: 288, 2019: 202
    }
    ranking = bundled.load_ranking()
    assert list(ranking.columns) == ["municipio", "rgm_2013", "rgm_2016", "rgm_2018"]
    assert len(ranking) == 340 and ranking["rgm_2018"].between(0, 1).all()
    situado = bundled.load_situado_national()
    assert list(situado.columns) == ["anio", "variable", "valor", "unidad", "fuente_url", "nota"]
    total_2010 = situado.query("anio == 2010 and variable == 'monto_total_asignado'")["valor"]
    assert math.isclose(total_2010.item(), 2_336_939_001.00)
    assert bundled.data_path("conceptos.csv").is_file()
    with pytest.raises(DataFileError, match="no_hay.csv"):
        bundled.data_path("no_hay.csv")
    assert np.issubdtype(spending["anio"].dtype, np.integer)
