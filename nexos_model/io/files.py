"""Writing files safely: every output goes to a temporary file next to the target and is renamed
onto it only once complete.

A run that fails or is interrupted (an error, Ctrl-C, a killed worker) leaves the previous file
as it was and never a half-written one; the batch runner relies on this to skip outputs that are
up to date. Also here: :func:`frame_for_output`, the table as every writer writes it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


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


def frame_for_output(df: pd.DataFrame) -> pd.DataFrame:
    """The table as written: a named index becomes columns, an unnamed one is dropped.

    Files are written without an index, so a wide view indexed by ``concepto`` (a pivot, a
    ``set_index``) keeps that column, while row numbers, even after filtering, are not written.
    """
    if any(name is not None for name in df.index.names):
        return df.reset_index()
    return df


def write_text(text: str, path: str | os.PathLike[str], encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, as is (no newline translation)."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline="") as f:
            f.write(text)
    return Path(path)


__all__ = ["atomic_path", "frame_for_output", "write_text"]
