"""Writers for result tables and text, all atomic.

Every output goes to a temporary file next to the target and is renamed onto it only once it is
complete, so a run that fails or is interrupted (an error, Ctrl-C, a killed worker) leaves the
previous file as it was and never a half-written one. The batch runner relies on this to skip
outputs that are up to date.

Formats are chosen by the target's extension: ``.csv`` (UTF-8), ``.parquet`` (pyarrow) and
``.xlsx`` (:func:`nexos_model.report.excel.write_excel`, one sheet per table). Several tables go
to one file only as ``.xlsx``: CSV and Parquet hold one table each.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from nexos_model.errors import NexosError

__all__ = ["SUPPORTED_EXTENSIONS", "atomic_path", "write_table", "write_tables", "write_text"]

#: Extensions :func:`write_table` accepts (lower case; the check ignores case).
SUPPORTED_EXTENSIONS = (".csv", ".xlsx", ".parquet")


@contextmanager
def atomic_path(path: str | os.PathLike[str], keep_suffix: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` in one step.

    The temporary file sits in the target's directory (so the rename never crosses file
    systems) and is named ``.<name>.<random>.tmp``, or ``.<stem>.<random>.tmp<suffix>`` with
    ``keep_suffix`` (for writers that pick the format by extension: Papermill, Chromium's
    screenshots). It is not created in advance: the writer
    creates it, with the usual permissions. On success it is flushed to disk and
    ``os.replace``d onto ``path``; on any exception, including ``KeyboardInterrupt``, it is
    removed and ``path`` is left untouched. The parent directory is created if missing.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    name = f"{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}" if keep_suffix else \
        f"{target.name}.{secrets.token_hex(6)}.tmp"
    tmp = target.with_name(f".{name}")
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    """Flush a finished file to disk, so a crash after the rename cannot leave it empty."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _extension(path: str | os.PathLike[str]) -> str:
    """The lower-case extension, after checking it is one we write."""
    ext = Path(path).suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise NexosError(
            f"{path}: extensión no admitida '{ext}' (se esperaba .csv, .xlsx o .parquet)"
        )
    return ext


def frame_for_output(df: pd.DataFrame) -> pd.DataFrame:
    """The table as written: a named index becomes columns, an unnamed one is dropped.

    Files are written without an index, so a wide view indexed by ``concepto`` (a pivot, a
    ``set_index``) keeps that column, while row numbers, even after filtering, are not written.
    """
    if any(name is not None for name in df.index.names):
        return df.reset_index()
    return df


def write_table(
    df: pd.DataFrame, path: str | os.PathLike[str], sheet_name: str | None = None
) -> Path:
    """Write one table to ``path`` atomically, in the format its extension names.

    ``.csv``: UTF-8, comma separated, no index. ``.parquet``: pyarrow, no index. ``.xlsx``: one
    sheet named ``sheet_name`` (default: the file name without extension), formatted by
    :func:`nexos_model.report.excel.write_excel`. ``sheet_name`` is ignored for CSV and
    Parquet. Any other extension raises :class:`NexosError`. Returns the path written.
    """
    ext = _extension(path)
    if ext == ".xlsx":
        from nexos_model.io import excel  # lazy: openpyxl only when writing Excel

        excel.write_excel({sheet_name or Path(path).stem: df}, path)
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
        from nexos_model.io import excel

        excel.write_excel(sheets, path, money_columns=money_columns)
        return Path(path)
    if len(sheets) > 1:
        raise NexosError(
            f"{path}: un archivo {ext} guarda una sola tabla y se recibieron {len(sheets)} "
            f"({', '.join(map(str, sheets))}); use .xlsx (una hoja por tabla) "
            "o un archivo por tabla"
        )
    (df,) = sheets.values()
    return write_table(df, path)


def write_text(text: str, path: str | os.PathLike[str], encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, as is (no newline translation)."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline="") as f:
            f.write(text)
    return Path(path)


def write_result_tables(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> list[Path]:
    """A command's named tables: one ``.xlsx`` with a sheet each, or (``.csv``, ``.parquet``)
    the first table in ``path`` and each other one in ``<name>_<tabla><ext>`` beside it.
    Every file is written atomically. Returns the paths written."""
    path = Path(path)
    if _extension(path) == ".xlsx":
        write_tables(tables, path)
        return [path]
    written = []
    for i, (name, table) in enumerate(tables.items()):
        target = path if i == 0 else path.with_name(f"{path.stem}_{name}{path.suffix}")
        write_table(table, target)
        written.append(target)
    return written
