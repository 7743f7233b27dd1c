"""Result tables to CSV, Parquet and XLSX by extension, atomically."""

from __future__ import annotations

import errno

import openpyxl
import pandas as pd
import pytest
from openpyxl import Workbook

from nexos_model.errors import NexosError
from nexos_model.io import writers
from nexos_model.io.writers import write_table, write_tables
from tests.support import file_names


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
    assert file_names(tmp_path) == {"proyeccion.parquet"}


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
    assert file_names(tmp_path) == set()


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
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, method, half_write)
    with pytest.raises(NexosError, match="no se pudo escribir .no queda espacio en el disco"):
        write_table(resultados.head(1), target)
    assert target.read_bytes() == before
    assert file_names(tmp_path) == {target.name}


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
    assert file_names(tmp_path) == {"proyeccion.xlsx"}


def test_xlsx_goes_through_write_excel(tmp_path, monkeypatch, resultados):
    calls = []
    monkeypatch.setattr(writers, "write_excel", lambda sheets, path: calls.append((sheets, path)))
    write_table(resultados, tmp_path / "proyeccion.xlsx", sheet_name="Resultados")
    [(sheets, path)] = calls
    assert list(sheets) == ["Resultados"] and sheets["Resultados"] is resultados


def test_xlsx_default_sheet_name_is_the_file_name(tmp_path, resultados):
    path = write_table(resultados, tmp_path / "proyeccion.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["proyeccion"]


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
    assert file_names(tmp_path) == set()


def test_write_tables_single_table_to_csv(tmp_path, resultados):
    path = write_tables({"proyeccion": resultados}, tmp_path / "r.csv")
    assert len(pd.read_csv(path)) == len(resultados)


def test_write_tables_unsupported_extension(tmp_path, resultados):
    with pytest.raises(NexosError, match="extensión no admitida '.ods'"):
        write_tables({"a": resultados}, tmp_path / "r.ods")


def test_result_tables_are_one_set_and_drop_siblings_of_an_earlier_run(tmp_path, resultados):
    target = tmp_path / "x.csv"
    family = ["proyeccion", "reglas", "percentiles"]
    writers.write_result_tables({"proyeccion": resultados, "reglas": resultados, "percentiles": resultados},
                                target, family=family)
    assert file_names(tmp_path) == {"x.csv", "x_reglas.csv", "x_percentiles.csv"}
    written = writers.write_result_tables({"proyeccion": resultados.head(1), "reglas": resultados}, target,
                                          family=family)
    assert written == [target, tmp_path / "x_reglas.csv"]
    assert file_names(tmp_path) == {"x.csv", "x_reglas.csv"}, "x_percentiles.csv was an older run's"


def test_check_result_path_finds_a_sibling_taken_by_a_folder_before_any_work(tmp_path):
    (tmp_path / "x_reglas.csv").mkdir()
    with pytest.raises(NexosError, match="x_reglas.csv: es una carpeta"):
        writers.check_result_path(tmp_path / "x.csv", ["proyeccion", "reglas"])
    with pytest.raises(NexosError, match="extensión no admitida"):
        writers.check_result_path(tmp_path / "x.doc", ["proyeccion"])
    assert writers.check_result_path(tmp_path / "x.xlsx", ["proyeccion", "reglas"]) == [tmp_path / "x.xlsx"]
