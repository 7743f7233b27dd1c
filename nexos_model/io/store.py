"""The local store of imported SICOIN GL / Portal de Gobiernos Locales exports (``nexos datos``).

An advisor imports a municipality's revenue execution once (``nexos datos importar ARCHIVO...``)
and every face reads it with no flag: :func:`nexos_model.io.history.load_history` puts the
stored years on top of the bundled 2016-2019 data, by municipality and year. The store is one
Parquet file, ``ingresos.parquet``, in the folder named by ``NEXOS_DATOS`` (default ``datos/`` in
the working folder): the rows of every imported export in the shape of the revenue history
(:func:`nexos_model.io.sicoin.read_revenue_export`), each with the file it came from
(``archivo``), when it was imported (``importado``) and the SHA-256 of that file (``huella``).

Why one Parquet file and not DuckDB: the store is small (a municipality-year is a few dozen
sección lines, all 340 over ten years about 100,000 rows) and always read whole; replacing one
file with ``os.replace`` makes an import all or nothing for free, and readers that run at the
same time (``nexos lote`` workers, the app) see the old store or the new one, never half of
each, with no lock to hold (writers, which read the store and write it back, hold one:
:func:`_writing`); pyarrow is already a dependency, DuckDB would be a second database
engine (about 40 MB) whose file format changes between versions; and any tool opens a Parquet
file (pandas, R, DuckDB itself, Excel through Power Query).

An import reads and checks every file before touching the store: a malformed file stops it
with every problem listed (file, row, column) and the store is left byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd
from filelock import FileLock, Timeout

from nexos_model.errors import DataFileError
from nexos_model.io.files import atomic_path
from nexos_model.io.sicoin import read_revenue_export
from nexos_model.wording import anios_texto

#: Environment variable naming the store's folder.
STORE_VARIABLE = "NEXOS_DATOS"
STORE_FILE = "ingresos.parquet"
HISTORY_COLUMNS = ["municipio", "anio", "rubro", "concepto", "devengado", "vigente", "percibido", "fila"]
ORIGIN_COLUMNS = ["archivo", "importado", "huella"]
COLUMNS = HISTORY_COLUMNS + ORIGIN_COLUMNS
_TYPES = {"municipio": "str", "anio": "int64", "rubro": "str", "concepto": "str", "devengado": "float64",
          "vigente": "float64", "percibido": "float64", "fila": "int64", "archivo": "str", "importado": "str",
          "huella": "str"}


def store_dir(environment: Mapping[str, str] | None = None) -> Path:
    """The store's folder: ``$NEXOS_DATOS`` (of ``environment``, by default this process's) or
    ``datos/`` in the working folder."""
    return Path((os.environ if environment is None else environment).get(STORE_VARIABLE) or "datos")


def store_path() -> Path:
    return store_dir() / STORE_FILE


def pin_store_dir() -> Path:
    """Fix ``NEXOS_DATOS`` to the store's absolute folder, for the processes this one starts:
    a notebook kernel runs in ``workbooks/`` and would read a relative ``datos/`` there."""
    folder = store_dir().resolve()
    os.environ[STORE_VARIABLE] = str(folder)
    return folder


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _TYPES.items()})[COLUMNS]


@functools.lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int, size: int) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # any reader failure means the same thing to the user
        raise DataFileError(f"{path}: el almacén de datos importados no se puede leer ({type(exc).__name__}: "
                            f"{exc}); se esperaba el archivo que escribe `nexos datos importar` (bórrelo y "
                            f"vuelva a importar sus archivos)") from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataFileError(f"{path}: al almacén de datos importados le faltan las columnas {missing} "
                            f"(se esperaba el archivo que escribe `nexos datos importar`)")
    return table[COLUMNS].astype(_TYPES)


def read_store(path: Path | None = None) -> pd.DataFrame:
    """Every stored row (``COLUMNS``); empty when nothing was imported. Cached while the file is unchanged."""
    path = Path(path or store_path())
    if not path.is_file():
        return _empty()
    stat = path.stat()
    return _read(path.resolve(), stat.st_mtime_ns, stat.st_size).copy()


def stored_history(path: Path | None = None) -> pd.DataFrame:
    """The stored rows in the shape of the revenue history (``HISTORY_COLUMNS``)."""
    return read_store(path)[HISTORY_COLUMNS].reset_index(drop=True)


def store_digest(path: Path | None = None) -> str:
    """SHA-256 (12 characters) of the store's bytes, ``''`` when nothing was imported: it enters
    the batch's resume hash and the report's data fingerprint."""
    path = Path(path or store_path())
    if not path.is_file():
        return ""
    stat = path.stat()
    return _digest(path.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@dataclass(frozen=True)
class Imported:
    """What an import did: per file, the (municipio, years) it brought and which replaced stored years."""

    archivo: str
    huella: str
    municipios: dict[str, list[int]]
    replaced: dict[str, list[int]]


def import_exports(paths: Iterable[str | os.PathLike[str]], store: Path | None = None,
                   now: dt.datetime | None = None) -> list[Imported]:
    """Read every export in ``paths`` and add them to the store, all or nothing.

    Every file is read and checked first (:func:`read_revenue_export`); any problem in any file
    raises one ``DataFileError`` listing all of them, and the store is not touched. Two files of
    one import may not bring the same municipality and year (which should win is not clear). An
    imported (municipio, año) replaces the one already stored, and on top of the bundled data it
    replaces that year too. The new store replaces the old in one step (:func:`atomic_path`).
    """
    store = Path(store or store_path())
    paths = [Path(p) for p in paths]
    if not paths:
        raise DataFileError("nexos datos importar: falta el archivo (se esperaba uno o más archivos CSV o XLSX "
                            "exportados de SICOIN GL o del Portal de Gobiernos Locales)")
    problems: list[str] = []
    frames: list[tuple[Path, str, pd.DataFrame]] = []
    for path in paths:
        if not path.is_file():
            problems.append(f"{path}: el archivo no existe")
            continue
        try:
            table = read_revenue_export(path)
        except DataFileError as exc:
            problems.extend(exc.messages)
            continue
        frames.append((path, hashlib.sha256(path.read_bytes()).hexdigest()[:12], table))
    owner: dict[tuple[str, int], Path] = {}
    for path, _, table in frames:
        for key in sorted(set(zip(table["municipio"], table["anio"].astype(int)))):
            if key in owner and owner[key] != path:
                problems.append(f"{path}: el municipio {key[0]}, año {key[1]} también viene en {owner[key]} "
                                f"(se esperaba: cada municipio y año en un solo archivo de la importación)")
            owner.setdefault(key, path)
    if problems:
        raise DataFileError(problems)

    with _writing(store):
        return _add(frames, store, (now or dt.datetime.now()).isoformat(timespec="seconds"))


def _add(frames: list[tuple[Path, str, pd.DataFrame]], store: Path, stamp: str) -> list[Imported]:
    """Add the checked exports ``frames`` (path, digest, table) to the store (its lock held)."""
    current = read_store(store)
    stored_keys = set(zip(current["municipio"], current["anio"].astype(int)))
    new_rows, report = [], []
    for path, digest, table in frames:
        new_rows.append(table[HISTORY_COLUMNS].assign(archivo=path.name, importado=stamp, huella=digest))
        keys = sorted(set(zip(table["municipio"], table["anio"].astype(int))))
        report.append(Imported(path.name, digest, _by_municipality(keys),
                               _by_municipality([k for k in keys if k in stored_keys])))
    incoming = pd.concat(new_rows, ignore_index=True)
    replaced = pd.MultiIndex.from_frame(incoming[["municipio", "anio"]].drop_duplicates())
    keep = ~pd.MultiIndex.from_frame(current[["municipio", "anio"]]).isin(replaced)
    _write(pd.concat([current.loc[keep], incoming], ignore_index=True), store)
    return report


def remove(municipio: str, anio: int | None = None, store: Path | None = None) -> pd.DataFrame:
    """Remove a municipality's imported years (all, or ``anio``) from the store; returns the
    removed rows. Nothing to remove is a Spanish error and leaves the store as it was."""
    store = Path(store or store_path())
    with _writing(store) if store.is_file() else nullcontext():  # no store: nothing to lock, an error below
        current = read_store(store)
        hit = current["municipio"] == municipio
        if anio is not None:
            hit &= current["anio"] == int(anio)
        if not hit.any():
            which = f"{municipio} en {anio}" if anio is not None else municipio
            held = sorted(set(current["municipio"]))
            raise DataFileError(f"no hay datos importados de {which} (municipios con datos importados: "
                                f"{', '.join(held) or 'ninguno'}; ver `nexos datos`)")
        _write(current.loc[~hit], store)
    return current.loc[hit]


#: Seconds an import or a removal waits for another one writing the same store.
LOCK_WAIT = 120.0


def lock_path(store: Path) -> Path:
    """The lock file beside the store (``.ingresos.parquet.lock``): it stays there, empty."""
    return store.with_name(f".{store.name}.lock")


@contextmanager
def _writing(store: Path) -> Iterator[None]:
    """Hold the store's write lock while reading it and writing it back: two imports at once
    (two advisors, two terminals) would otherwise each write the store they read, and the later
    would drop the earlier's rows. Readers need no lock (the store is replaced in one step)."""
    lock = FileLock(lock_path(store))
    try:
        lock.acquire(timeout=LOCK_WAIT)
    except Timeout:
        raise DataFileError(f"{store}: otro `nexos datos importar` o `nexos datos quitar` lo está escribiendo y "
                            f"no terminó en {LOCK_WAIT:g} s; espere a que termine y vuelva a intentarlo") from None
    try:
        yield
    finally:
        lock.release()


def _write(table: pd.DataFrame, store: Path) -> None:
    table = table.sort_values(["municipio", "anio", "fila"], kind="stable").reset_index(drop=True)
    with atomic_path(store) as tmp:
        table[COLUMNS].astype(_TYPES).to_parquet(tmp, index=False)


def listing(store: Path | None = None) -> pd.DataFrame:
    """What is stored, one row per municipality and imported file: ``municipio, anios, archivo,
    importado, huella, filas`` (``anios`` as ``2020-2021`` or ``2018, 2020``)."""
    table = read_store(store)
    if table.empty:
        return pd.DataFrame(columns=["municipio", "anios", "archivo", "importado", "huella", "filas"])
    rows = []
    for (code, archivo, importado, huella), group in table.groupby(["municipio", "archivo", "importado", "huella"],
                                                                   sort=True):
        rows.append({"municipio": code, "anios": anios_texto(group["anio"].astype(int)),
                     "archivo": archivo, "importado": importado, "huella": huella, "filas": len(group)})
    return pd.DataFrame(rows)


def _by_municipality(keys: list[tuple[str, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for code, year in keys:
        out.setdefault(code, []).append(int(year))
    return out


__all__ = ["COLUMNS", "Imported", "STORE_FILE", "STORE_VARIABLE", "import_exports", "listing", "pin_store_dir",
           "read_store", "remove", "store_digest", "store_dir", "store_path", "stored_history"]
