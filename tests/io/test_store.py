"""The local store of imported exports: all or nothing, listed, removed, read by every run."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

from nexos_model import run
from nexos_model.errors import DataFileError
from nexos_model.io import store
from nexos_model.io.history import load_history
from tests.support import BUDGET_YEAR, synthetic_export, write_lines

NOW = dt.datetime(2026, 12, 5, 9, 30)


def test_an_import_is_stored_with_its_origin_and_listed(tmp_path, data_store):
    export = synthetic_export(tmp_path / "huehue_2020_2021.csv")
    (report,) = store.import_exports([export], now=NOW)
    assert report.municipios == {"1301": [2020, 2021]} and report.replaced == {}
    table = store.read_store()
    assert set(table["anio"]) == {2020, 2021} and set(table["municipio"]) == {"1301"}
    assert set(table["archivo"]) == {"huehue_2020_2021.csv"} and set(table["importado"]) == {"2026-12-05T09:30:00"}
    assert table["huella"].nunique() == 1 and len(table["huella"].iloc[0]) == 12
    listing = store.listing()
    assert listing[["municipio", "anios", "archivo", "filas"]].values.tolist() == [
        ["1301", "2020-2021", "huehue_2020_2021.csv", len(table)]]
    assert store.store_path() == data_store / "ingresos.parquet"


def test_a_malformed_file_changes_nothing_byte_for_byte(tmp_path, data_store):
    store.import_exports([synthetic_export(tmp_path / "bueno.csv")], now=NOW)
    before = store.store_path().read_bytes()
    bad = write_lines(tmp_path / "malo.csv", ["Ejercicio,Código Municipio,Sección,Devengado",
                                              "2022,1301,10100,mucho", "2022,9999,10100,100"])
    good = synthetic_export(tmp_path / "otro.csv", code="0901")
    with pytest.raises(DataFileError) as info:
        store.import_exports([good, bad])
    text = "\n".join(info.value.messages)
    assert "malo.csv: fila 2, columna 'Devengado'" in text and "malo.csv: fila 3, columna 'Código Municipio'" in text
    assert store.store_path().read_bytes() == before  # the good file was not imported either
    assert sorted(p.name for p in data_store.iterdir()) == [".ingresos.parquet.lock", "ingresos.parquet"]  # no temporary file


def test_without_a_store_a_failed_import_creates_nothing(tmp_path, data_store):
    with pytest.raises(DataFileError, match="no_existe.csv: el archivo no existe"):
        store.import_exports([tmp_path / "no_existe.csv"])
    assert not data_store.exists() or not any(data_store.iterdir())


def test_two_files_may_not_bring_the_same_year(tmp_path, data_store):
    a, b = synthetic_export(tmp_path / "a.csv"), synthetic_export(tmp_path / "b.csv")
    with pytest.raises(DataFileError, match="municipio 1301, año 2020 también viene en"):
        store.import_exports([a, b])


def test_a_later_import_replaces_the_years_it_brings(tmp_path, data_store):
    store.import_exports([synthetic_export(tmp_path / "primero.csv")], now=NOW)
    (report,) = store.import_exports([synthetic_export(tmp_path / "segundo.csv", years=(2019,), shift=2)])
    assert report.replaced == {"1301": [2021]}
    table = store.read_store()
    assert table.groupby("anio")["archivo"].unique().map(list).to_dict() == {2020: ["primero.csv"],
                                                                            2021: ["segundo.csv"]}


def test_remove_a_year_or_all_and_nothing_is_an_error(tmp_path, data_store):
    store.import_exports([synthetic_export(tmp_path / "e.csv")], now=NOW)
    removed = store.remove("1301", 2021)
    assert set(removed["anio"]) == {2021} and set(store.read_store()["anio"]) == {2020}
    with pytest.raises(DataFileError, match="no hay datos importados de 0901"):
        store.remove("0901")
    store.remove("1301")
    assert store.read_store().empty and store.listing().empty


def test_the_store_sits_on_the_bundled_data_and_every_run_reads_it(tmp_path, data_store):
    export = synthetic_export(tmp_path / "e.csv")
    before = run("1301", "base")
    digest = store.store_digest()
    store.import_exports([export], now=NOW)
    assert store.store_digest() != digest
    history = load_history()
    assert set(history.loc[history["municipio"] == "1301", "anio"]) == {2016, 2017, 2018, 2019, 2020, 2021}
    assert set(history.loc[history["municipio"] == "0901", "anio"]) == {2016, 2017, 2018, 2019}
    after = run("1301", "base")
    spans = after.tidy().groupby("tipo")["anio"].agg(["min", "max"])
    assert spans.loc["observado"].tolist() == [2016, 2021]
    assert spans.loc["estimado"].tolist() == [2022, BUDGET_YEAR - 1]
    # The observed years carry the file's amounts.
    file = pd.read_csv(export, skiprows=1)
    own = after.tidy().query("tipo == 'observado' and concepto == 'ingresos_totales'").set_index("anio")["valor"]
    source = file.loc[~file["Sección"].astype(str).str.startswith(("23", "24"))].groupby("Ejercicio")["Devengado"].sum()
    assert own[2020] == pytest.approx(source[2020]) and own[2021] == pytest.approx(source[2021])
    assert after.loaded == {"1301": [2020, 2021]} and after.data_digest and not before.data_digest
    # Another municipality is still estimated from 2020, and nothing counts its 2020-2021 as missing.
    other = run("0901", "base")
    assert other.tidy().query("tipo == 'estimado'")["anio"].min() == 2020
    assert other.quality.query("tipo == 'anio_faltante'").empty


def test_imports_wait_for_each_other_and_lose_no_rows(tmp_path, data_store):
    """Two imports at once: the second waits for the first's write lock, then adds its rows to the
    store the first wrote (without the lock it would write back the store it read before)."""
    import threading

    from filelock import FileLock

    store.import_exports([synthetic_export(tmp_path / "primero.csv")], now=NOW)
    held = FileLock(store.lock_path(store.store_path()))
    held.acquire()  # another import is writing
    done = threading.Event()
    worker = threading.Thread(target=lambda: (store.import_exports([synthetic_export(tmp_path / "xela.csv",
                                                                                    code="0901")]), done.set()))
    worker.start()
    assert not done.wait(0.5)  # it waits instead of reading the store being written
    assert set(store.read_store()["municipio"]) == {"1301"}
    held.release()
    worker.join(30)
    assert done.is_set()
    assert set(store.read_store()["municipio"]) == {"1301", "0901"}
    assert sorted(p.name for p in data_store.iterdir()) == [".ingresos.parquet.lock", "ingresos.parquet"]


def test_an_import_that_cannot_get_the_lock_says_so_in_spanish_and_changes_nothing(tmp_path, data_store,
                                                                                 monkeypatch):
    from filelock import FileLock

    store.import_exports([synthetic_export(tmp_path / "primero.csv")], now=NOW)
    before = store.store_path().read_bytes()
    monkeypatch.setattr(store, "LOCK_WAIT", 0.2)
    with FileLock(store.lock_path(store.store_path())):
        with pytest.raises(DataFileError, match="otro `nexos datos importar` o `nexos datos quitar` lo está "
                                                "escribiendo y no terminó en 0.2 s"):
            store.import_exports([synthetic_export(tmp_path / "xela.csv", code="0901")])
        with pytest.raises(DataFileError, match="ingresos.parquet: otro `nexos datos importar`"):
            store.remove("1301")
    assert store.store_path().read_bytes() == before


def test_concurrent_imports_from_separate_processes_keep_every_municipality(tmp_path, data_store):
    """Four `nexos datos importar` processes at once, one municipality each: all four are stored."""
    import subprocess
    import sys

    codes = ["0101", "0901", "1301", "1401"]
    exports = [synthetic_export(tmp_path / f"{code}.csv", code=code) for code in codes]
    procs = [subprocess.Popen([sys.executable, "-m", "nexos_model.cli", "datos", "importar", str(path)],
                              env={**os.environ, "NEXOS_DATOS": str(data_store)}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for path in exports]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert set(store.read_store()["municipio"]) == set(codes)
