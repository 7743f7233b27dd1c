"""Reading any table users bring: unreadable files, amounts as exports write them, column names."""

from __future__ import annotations


import zipfile

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from nexos_model.errors import DataFileError
from nexos_model.io import tables
from nexos_model.io.sicoin import read_revenue_export
from nexos_model.io.tables import normalize_name, parse_amount, read_table
from tests.support import write_lines


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
    (msg,) = excinfo.value.messages
    assert msg.startswith(f"{path}: ") and fragment in msg


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataFileError, match="no existe"):
        read_revenue_export(tmp_path / "no_hay.csv")
    with pytest.raises(DataFileError, match="carpeta"):
        read_revenue_export(tmp_path)


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
@given(st.decimals(min_value=-10**11, max_value=10**11, places=2))
def test_parse_amount_round_trips_formatted_centavos(x):
    value = float(x)
    assert parse_amount(f"{value:,.2f}") == value
    assert parse_amount(f"Q {abs(value):,.2f}") == abs(value)


@pytest.mark.parametrize("text", ["1e400", "-1e400", "100,000,000,000.01", "Q 1e12", "(2e11)"])
def test_parse_amount_refuses_what_no_municipality_can_mean(text):
    with pytest.raises(ValueError, match="no es plausible"):
        parse_amount(text)


def test_normalize_name():
    assert normalize_name("  Código de Municipio ") == "codigo_municipio"
    assert normalize_name("AÑO") == "ano"
    assert normalize_name("Cod. Municipio") == "cod_municipio"
    assert normalize_name("Clase-Sección") == "clase_seccion"


def test_read_table_generic(tmp_path):
    lines = ["Cartera de proyectos", "", "Nombre;Monto Total;Año de inicio", "Escuela;1,000;2024", "", "Puente;2,500;2025", ";;"]
    table = read_table(write_lines(tmp_path / "cartera.csv", lines, encoding="cp1252"))
    assert list(table.columns) == ["nombre", "monto_total", "ano_inicio", "fila"]
    assert table["nombre"].tolist() == ["Escuela", "Puente"]
    assert table["fila"].tolist() == [4, 6]
    assert table.attrs["columnas"]["ano_inicio"] == "Año de inicio"
    assert table.attrs["fila_encabezado"] == 3


# --- what cannot be read is a row/column problem, never an exception ---------------------------


def test_utf16_cut_at_an_odd_byte_names_the_row(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes("ejercicio,cod_municipio\n2018,0901\n".encode("utf-16") + b"\x00")
    with pytest.raises(DataFileError, match=r"utf16.csv: fila 3, carácter 1: bytes que no forman texto UTF-16"):
        read_table(path)


def test_a_csv_field_beyond_the_csv_limit_names_the_row(tmp_path):
    path = tmp_path / "largo.csv"
    path.write_text('a,b\n1,2\n3,"' + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"largo.csv: fila 3: un campo tiene más de 131,072 caracteres"):
        read_table(path)


def test_a_damaged_workbook_or_sheet_is_a_spanish_error(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["ejercicio", "cod_municipio"])
    for i in range(2000):
        book.active.append([2018, f"fila {i}"])
    good = tmp_path / "bueno.xlsx"
    book.save(good)
    data = good.read_bytes()
    cut = tmp_path / "cortado.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFileError, match="no se pudo abrir como libro de Excel"):
        read_table(cut)
    # the sheet's XML damaged inside an intact zip: openpyxl reads it lazily, while iterating
    damaged = tmp_path / "hoja_danada.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2] + b"<\x01>" + content[len(content) // 2:]
            target.writestr(item, content)
    with pytest.raises(DataFileError, match="la hoja 'Sheet' del libro está dañada"):
        read_table(damaged)


def test_a_zip_bomb_is_refused_before_it_is_unzipped(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_UNZIPPED_BYTES", 1000)
    book = openpyxl.Workbook()
    book.active.append(["x" * 2000])
    path = tmp_path / "bomba.xlsx"
    book.save(path)
    with pytest.raises(DataFileError, match="descomprimido ocuparía más de"):
        read_table(path)


def test_an_amount_of_thousands_of_digits_is_refused_at_once():
    with pytest.raises(ValueError, match="no es un número"):
        parse_amount("9" * 200_000 + "x")
