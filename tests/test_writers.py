"""Atomic writers and the Excel export."""

from __future__ import annotations

import os
import re
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl import Workbook

from nexos_model.errors import NexosError
from nexos_model.io import files, writers
from nexos_model.io.files import atomic_path, write_text
from nexos_model.io.writers import write_table, write_tables
from nexos_model.io.excel import MONEY_FORMAT, PERCENT_FORMAT, sheet_title, write_excel


@pytest.fixture
def resultados() -> pd.DataFrame:
    """A small long-form result table, as the projection returns."""
    return pd.DataFrame(
        {
            "escenario": ["base", "base", "base", "optimista"],
            "municipio": ["0901", "0901", "1301", "0101"],
            "anio": [2026, 2027, 2026, 2026],
            "concepto": ["iusi", "iusi", "aporte_constitucional", "ornato"],
            "valor": [1234567.891, -2500.5, np.nan, 0.0],
            "cobertura": [0.123, 0.5, 1.0, np.nan],
        }
    )


def _listing(directory) -> set[str]:
    return {p.name for p in directory.iterdir()}


# --- atomic_path -------------------------------------------------------------------------------


def test_atomic_path_replaces_target_on_success(tmp_path):
    target = tmp_path / "resumen.csv"
    target.write_text("viejo")
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent
        assert re.fullmatch(r"\.resumen\.csv\.[0-9a-f]+\.tmp", tmp.name)
        assert target.read_text() == "viejo"  # untouched until the end
        tmp.write_text("nuevo")
    assert target.read_text() == "nuevo"
    assert _listing(tmp_path) == {"resumen.csv"}


@pytest.mark.parametrize("error", [RuntimeError("falla"), KeyboardInterrupt()])
def test_atomic_path_failure_keeps_target_and_removes_temp(tmp_path, error):
    target = tmp_path / "resumen.csv"
    target.write_text("viejo")
    with pytest.raises(type(error)):
        with atomic_path(target) as tmp:
            tmp.write_text("a medias")
            raise error
    assert target.read_text() == "viejo"
    assert _listing(tmp_path) == {"resumen.csv"}


def test_atomic_path_failure_before_temp_exists(tmp_path):
    target = tmp_path / "nuevo.txt"
    with pytest.raises(RuntimeError):
        with atomic_path(target):
            raise RuntimeError("antes de escribir")
    assert _listing(tmp_path) == set()


def test_atomic_path_creates_parent_directory(tmp_path):
    target = tmp_path / "0901" / "base" / "proyeccion.csv"
    with atomic_path(target) as tmp:
        tmp.write_text("x")
    assert target.read_text() == "x"


def test_atomic_path_new_file_has_usual_permissions(tmp_path):
    target = tmp_path / "a.txt"
    write_text("x", target)
    reference = tmp_path / "b.txt"
    reference.write_text("x")
    assert target.stat().st_mode == reference.stat().st_mode


# --- write_table -------------------------------------------------------------------------------


def test_csv_round_trip(tmp_path, resultados):
    path = write_table(resultados, tmp_path / "proyeccion.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"escenario,municipio,anio")  # UTF-8, no BOM, no index column
    back = pd.read_csv(path, dtype={"municipio": str})
    pd.testing.assert_frame_equal(back, resultados, check_dtype=False)


def test_csv_is_utf8(tmp_path):
    df = pd.DataFrame({"municipio": ["Sololá", "Santa Cruz del Quiché"], "valor": [1.0, 2.0]})
    path = write_table(df, tmp_path / "m.csv")
    assert "Sololá" in path.read_text(encoding="utf-8")


def test_parquet_round_trip(tmp_path, resultados):
    path = write_table(resultados, tmp_path / "proyeccion.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), resultados)
    assert _listing(tmp_path) == {"proyeccion.parquet"}


def test_named_index_is_written_as_a_column(tmp_path):
    wide = pd.DataFrame(
        {2026: [1.0, 2.0], 2027: [3.0, 4.0]}, index=pd.Index(["iusi", "ornato"], name="concepto")
    )
    back = pd.read_csv(write_table(wide, tmp_path / "ancho.csv"))
    assert list(back.columns) == ["concepto", "2026", "2027"]
    filtered = pd.DataFrame({"valor": [1.0, 2.0, 3.0]}).iloc[[0, 2]]
    back = pd.read_csv(write_table(filtered, tmp_path / "filtrado.csv"))
    assert list(back.columns) == ["valor"]


@pytest.mark.parametrize("name", ["proyeccion.json", "proyeccion", "proyeccion.xls", "a.csv.bak"])
def test_unsupported_extension_is_a_spanish_error_naming_the_path(tmp_path, resultados, name):
    path = tmp_path / name
    ext = path.suffix.lower()
    with pytest.raises(NexosError) as info:
        write_table(resultados, path)
    assert info.value.messages == [
        f"{path}: extensión no admitida '{ext}' (se esperaba .csv, .xlsx o .parquet)"
    ]
    assert _listing(tmp_path) == set()


def test_extension_check_ignores_case(tmp_path, resultados):
    path = write_table(resultados, tmp_path / "PROYECCION.CSV")
    assert len(pd.read_csv(path)) == 4


@pytest.mark.parametrize("ext", [".csv", ".parquet"])
def test_failure_mid_write_keeps_previous_file(tmp_path, monkeypatch, resultados, ext):
    target = tmp_path / f"proyeccion{ext}"
    write_table(resultados, target)
    before = target.read_bytes()

    method = "to_csv" if ext == ".csv" else "to_parquet"

    def half_write(self, path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"escenario,municipio\nbase,09")  # a truncated file
        raise OSError("disco lleno")

    monkeypatch.setattr(pd.DataFrame, method, half_write)
    with pytest.raises(OSError, match="disco lleno"):
        write_table(resultados.head(1), target)
    assert target.read_bytes() == before
    assert _listing(tmp_path) == {target.name}


def test_interrupted_xlsx_write_keeps_previous_file(tmp_path, monkeypatch, resultados):
    target = tmp_path / "proyeccion.xlsx"
    write_table(resultados, target)
    before = target.read_bytes()

    def interrupted_save(self, filename):
        with open(filename, "wb") as f:
            f.write(b"PK\x03\x04 a medias")
        raise KeyboardInterrupt

    monkeypatch.setattr(Workbook, "save", interrupted_save)
    with pytest.raises(KeyboardInterrupt):
        write_table(resultados, target)
    assert target.read_bytes() == before
    assert _listing(tmp_path) == {"proyeccion.xlsx"}


def test_xlsx_goes_through_write_excel(tmp_path, monkeypatch, resultados):
    calls = []
    monkeypatch.setattr(writers, "write_excel", lambda sheets, path: calls.append((sheets, path)))
    write_table(resultados, tmp_path / "proyeccion.xlsx", sheet_name="Resultados")
    [(sheets, path)] = calls
    assert list(sheets) == ["Resultados"] and sheets["Resultados"] is resultados


def test_xlsx_default_sheet_name_is_the_file_name(tmp_path, resultados):
    path = write_table(resultados, tmp_path / "proyeccion.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["proyeccion"]


# --- write_tables / write_text -----------------------------------------------------------------


def test_write_tables_xlsx_one_sheet_per_table(tmp_path, resultados):
    historia = pd.DataFrame(
        {"municipio": ["0901"], "anio": [2019], "rubro": ["iusi"], "devengado": [1500.25]}
    )
    path = write_tables({"Proyección": resultados, "Historia": historia}, tmp_path / "r.xlsx")
    back = pd.read_excel(path, sheet_name=None, dtype={"municipio": str})
    assert list(back) == ["Proyección", "Historia"]
    pd.testing.assert_frame_equal(back["Proyección"], resultados, check_dtype=False)
    pd.testing.assert_frame_equal(back["Historia"], historia, check_dtype=False)


@pytest.mark.parametrize("ext", [".csv", ".parquet"])
def test_write_tables_several_to_csv_or_parquet_is_an_error(tmp_path, resultados, ext):
    path = tmp_path / f"r{ext}"
    with pytest.raises(NexosError, match=r"una sola tabla.*use \.xlsx"):
        write_tables({"a": resultados, "b": resultados}, path)
    assert _listing(tmp_path) == set()


def test_write_tables_single_table_to_csv(tmp_path, resultados):
    path = write_tables({"proyeccion": resultados}, tmp_path / "r.csv")
    assert len(pd.read_csv(path)) == len(resultados)


def test_write_tables_unsupported_extension(tmp_path, resultados):
    with pytest.raises(NexosError, match="extensión no admitida '.ods'"):
        write_tables({"a": resultados}, tmp_path / "r.ods")


def test_write_text_is_atomic_and_verbatim(tmp_path, monkeypatch):
    target = tmp_path / "reporte.html"
    text = "<p>Año 2026: Q 1,234.56</p>\r\n<p>fin</p>\n"
    write_text(text, target)
    assert target.read_bytes() == text.encode("utf-8")

    monkeypatch.setattr(files, "_fsync", lambda path: (_ for _ in ()).throw(OSError("E/S")))
    with pytest.raises(OSError):
        write_text("otro", target)
    assert target.read_bytes() == text.encode("utf-8")
    assert _listing(tmp_path) == {"reporte.html"}


# --- Excel formatting --------------------------------------------------------------------------


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
    assert _listing(tmp_path) == {"t.xlsx"}
    assert not any(name.endswith(".tmp") for name in os.listdir(tmp_path))


def test_atomic_path_can_keep_the_extension_for_writers_that_read_it(tmp_path):
    target = tmp_path / "grafico.png"
    with atomic_path(target, keep_suffix=True) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".grafico.") and tmp.name.endswith(".tmp.png")
        tmp.write_bytes(b"png")
    assert target.read_bytes() == b"png" and [p.name for p in tmp_path.iterdir()] == ["grafico.png"]
