"""Result tables to files, in the format the target's extension names, atomically.

``.csv`` (UTF-8), ``.parquet`` (pyarrow) and ``.xlsx`` (:func:`nexos_model.io.excel.write_excel`,
one sheet per table). Several tables go to one file only as ``.xlsx``: CSV and Parquet hold one
table each, so a command's tables become a set of sibling files, written as one
(:func:`nexos_model.io.files.atomic_files`). Every file goes through
:func:`nexos_model.io.files.atomic_path`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from nexos_model.errors import NexosError
from nexos_model.io.excel import write_excel
from nexos_model.io.files import atomic_files, atomic_path, check_output, frame_for_output


__all__ = ["SUPPORTED_EXTENSIONS", "check_result_path", "result_paths", "write_result_tables", "write_table",
           "write_tables"]


#: Extensions :func:`write_table` accepts (lower case; the check ignores case).
SUPPORTED_EXTENSIONS = (".csv", ".xlsx", ".parquet")


def _extension(path: str | os.PathLike[str]) -> str:
    """The lower-case extension, after checking it is one we write."""
    ext = Path(path).suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise NexosError(
            f"{path}: extensión no admitida '{ext}' (se esperaba .csv, .xlsx o .parquet)"
        )
    return ext


def write_table(
    df: pd.DataFrame, path: str | os.PathLike[str], sheet_name: str | None = None
) -> Path:
    """Write one table to ``path`` atomically, in the format its extension names.

    ``.csv``: UTF-8, comma separated, no index. ``.parquet``: pyarrow, no index. ``.xlsx``: one
    sheet named ``sheet_name`` (default: the file name without extension), formatted by
    :func:`nexos_model.io.excel.write_excel`. ``sheet_name`` is ignored for CSV and
    Parquet. Any other extension raises :class:`NexosError`. Returns the path written.
    """
    ext = _extension(path)
    if ext == ".xlsx":
        write_excel({sheet_name or Path(path).stem: df}, path)
        return Path(path)
    out = frame_for_output(df)
    with atomic_path(path) as tmp:
        if ext == ".csv":
            out.to_csv(tmp, index=False, encoding="utf-8")
        else:
            out.to_parquet(tmp, engine="pyarrow", index=False)
    return Path(path)


def write_tables(
    sheets: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    money_columns: set[str] | frozenset[str] | list[str] | None = None,
) -> Path:
    """Write several tables to one ``.xlsx``, one sheet per table, atomically.

    CSV and Parquet hold a single table: one table is written as :func:`write_table` would;
    several raise :class:`NexosError` (write them to an ``.xlsx``, or one file each) rather than
    silently keep one or glue together tables whose columns differ.
    """
    ext = _extension(path)
    if not sheets:
        raise ValueError(f"{path}: no hay tablas que escribir")
    if ext == ".xlsx":
        write_excel(sheets, path, money_columns=money_columns)
        return Path(path)
    if len(sheets) > 1:
        raise NexosError(
            f"{path}: un archivo {ext} guarda una sola tabla y se recibieron {len(sheets)} "
            f"({', '.join(map(str, sheets))}); use .xlsx (una hoja por tabla) "
            "o un archivo por tabla"
        )
    (df,) = sheets.values()
    return write_table(df, path)


def result_paths(path: str | os.PathLike[str], names: Iterable[str]) -> dict[str, Path]:
    """Where :func:`write_result_tables` puts each named table: all in ``path`` (``.xlsx``), or
    the first in ``path`` and each other one in ``<name>_<tabla><ext>`` beside it."""
    path = Path(path)
    names = list(dict.fromkeys(names))
    if _extension(path) == ".xlsx":
        return {name: path for name in names}
    return {name: path if i == 0 else path.with_name(f"{path.stem}_{name}{path.suffix}")
            for i, name in enumerate(names)}


def check_result_path(path: str | os.PathLike[str], names: Iterable[str]) -> list[Path]:
    """Before any work: the extension is one we write and every file of the set can be written
    (:func:`~nexos_model.io.files.check_output`; a sibling table's name taken by a folder is an
    error now, not after the run). Returns the paths."""
    paths = list(dict.fromkeys(result_paths(path, names).values()))
    for target in paths:
        check_output(target)
    return paths


def write_result_tables(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str],
                        family: Iterable[str] = ()) -> list[Path]:
    """A command's named tables: one ``.xlsx`` with a sheet each, or (``.csv``, ``.parquet``)
    the first table in ``path`` and each other one in ``<name>_<tabla><ext>`` beside it.

    The files are written as one set (:func:`~nexos_model.io.files.atomic_files`): all or
    none, the previous set left byte-identical on failure or Ctrl-C. ``family`` names every
    table the command may write: a sibling file of an earlier run named after a table of the
    family that this run does not write (``x_percentiles.csv`` of a Monte Carlo run, when this
    one has none) is removed with the set, so no file of an older run sits among the new ones.
    Returns the paths written.
    """
    path = Path(path)
    if _extension(path) == ".xlsx":
        write_tables(tables, path)
        return [path]
    targets = result_paths(path, tables)
    stale = [p for name, p in result_paths(path, [*tables, *family]).items() if name not in tables]
    with atomic_files(targets.values(), obsolete=stale) as staged:
        for name, table in tables.items():
            write_table(table, staged[targets[name]])
    return list(targets.values())
