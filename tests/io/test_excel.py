"""Excel workbooks a finance office can read: formats, widths, safe text, sheet names."""

from __future__ import annotations

import os
from datetime import date

import openpyxl
import pandas as pd
import pytest

from nexos_model.io.excel import MONEY_FORMAT, PERCENT_FORMAT, sheet_title, write_excel
from tests.support import file_names


def test_excel_round_trip_and_formats(tmp_path, resultados):
    path = write_excel(
        {"Proyección": resultados}, tmp_path / "p.xlsx", percent_columns=["cobertura"]
    )
    back = pd.read_excel(path, sheet_name="Proyección", dtype={"municipio": str})
    pd.testing.assert_frame_equal(back, resultados, check_dtype=False)

    ws = openpyxl.load_workbook(path)["Proyección"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == list(resultados.columns)
    assert all(c.font.bold for c in ws[1])
    assert ws.auto_filter.ref == "A1:F5"
    header = {c.value: c.column_letter for c in ws[1]}
    money = [ws[f"{header['valor']}{r}"] for r in (2, 3, 5)]
    assert [c.number_format for c in money] == [MONEY_FORMAT] * 3
    assert ws[f"{header['valor']}2"].value == pytest.approx(1234567.891)  # a number, not text
    assert ws[f"{header['valor']}4"].value is None  # NaN is an empty cell
    assert ws[f"{header['cobertura']}2"].number_format == PERCENT_FORMAT
    assert ws[f"{header['anio']}2"].number_format == "General"  # years are not 2,026
    assert ws[f"{header['municipio']}2"].value == "0901"  # the code keeps its leading zero


def test_excel_money_columns_argument(tmp_path):
    df = pd.DataFrame({"concepto": ["iusi"], "monto": [10.0], "costo_total": [5.5], "otro": [1.5]})
    path = write_excel({"t": df}, tmp_path / "t.xlsx", money_columns={"costo_total"})
    ws = openpyxl.load_workbook(path)["t"]
    assert [c.number_format for c in ws[2]] == ["General", MONEY_FORMAT, MONEY_FORMAT, "General"]


def test_excel_column_widths_fit_contents(tmp_path):
    df = pd.DataFrame(
        {"a": [1], "descripcion": ["x" * 40], "valor": [123456789.0], "z": ["y" * 500]}
    )
    ws = openpyxl.load_workbook(write_excel({"t": df}, tmp_path / "t.xlsx"))["t"]
    widths = {col: ws.column_dimensions[col].width for col in "ABCD"}
    assert widths["A"] == 8  # minimum
    assert widths["B"] == 42
    assert widths["C"] >= len("Q 123,456,789.00")
    assert widths["D"] == 60  # maximum


def test_excel_text_is_never_a_formula(tmp_path):
    df = pd.DataFrame({"nota": ["=HYPERLINK(\"http://x\")", "a\x07b", None]})
    path = write_excel({"t": df}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["t"]
    assert ws["A2"].data_type == "s" and ws["A2"].value == '=HYPERLINK("http://x")'
    assert ws["A3"].value == "ab"  # control characters Excel rejects are dropped
    assert ws["A4"].value is None


def test_excel_dates_and_nullable_types(tmp_path):
    df = pd.DataFrame(
        {
            "fecha": pd.to_datetime(["2026-11-25", None]),
            "dia": [date(2026, 1, 1), None],
            "n": pd.array([1, None], dtype="Int64"),
            "ok": [True, False],
        }
    )
    ws = openpyxl.load_workbook(write_excel({"t": df}, tmp_path / "t.xlsx"))["t"]
    assert ws["A2"].value == pd.Timestamp("2026-11-25").to_pydatetime()
    assert ws["A3"].value is None and ws["C3"].value is None
    assert ws["C2"].value == 1 and ws["D2"].value is True


def test_excel_empty_table_keeps_headers(tmp_path):
    df = pd.DataFrame({"municipio": pd.Series([], dtype=str), "valor": pd.Series([], dtype=float)})
    ws = openpyxl.load_workbook(write_excel({"vacía": df}, tmp_path / "t.xlsx"))["vacía"]
    assert [c.value for c in ws[1]] == ["municipio", "valor"]
    assert ws.max_row == 1


def test_excel_no_tables_is_an_error(tmp_path):
    with pytest.raises(ValueError):
        write_excel({}, tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize(
    "name, taken, expected",
    [
        ("Proyección", [], "Proyección"),
        ("Indicadores de espacio fiscal por municipio", [], "Indicadores de espacio fiscal p"),
        ("ingresos/gastos [2026]: ¿total?", [], "ingresos-gastos -2026-- ¿total-"),
        ("'citado'", [], "citado"),
        ("", [], "Hoja"),
        ("History", [], "History_"),
        ("resumen", ["Resumen"], "resumen (2)"),
        ("resumen", ["Resumen", "resumen (2)"], "resumen (3)"),
        ("x" * 40, ["x" * 31], "x" * 27 + " (2)"),
        (2026, [], "2026"),
    ],
)
def test_sheet_title(name, taken, expected):
    title = sheet_title(name, taken)
    assert title == expected
    assert len(title) <= 31


def test_excel_sanitises_and_dedupes_sheet_names(tmp_path):
    df = pd.DataFrame({"a": [1]})
    long = "Indicadores de espacio fiscal por municipio y año"
    sheets = {long: df, long + " (bis)": df, "a/b": df}
    path = write_excel(sheets, tmp_path / "t.xlsx")
    names = openpyxl.load_workbook(path).sheetnames
    assert names == ["Indicadores de espacio fiscal p", "Indicadores de espacio fisc (2)", "a-b"]
    assert file_names(tmp_path) == {"t.xlsx"}
    assert not any(name.endswith(".tmp") for name in os.listdir(tmp_path))
