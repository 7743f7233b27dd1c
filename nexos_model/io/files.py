"""Writing files safely: every output goes to a temporary file next to the target and is renamed
onto it only once complete; a command that writes several files writes them as one set.

A run that fails or is interrupted (an error, Ctrl-C, a killed worker) leaves the previous file
as it was and never a half-written one; the batch runner relies on this to skip outputs that are
up to date. :func:`atomic_files` extends this to a set (a projection and its sibling tables, a
plan and its chart, a report's files): all of them are written to a staging folder beside the
targets and renamed onto them together, so a failure or Ctrl-C leaves the previous set
byte-identical. Temporaries of a process that was killed (``kill -9``, a power cut) are removed
by the next write to the same folder; a set killed while being renamed is completed then.

Also here: :func:`frame_for_output`, the table as every writer writes it, and
:func:`check_output`, which says before any work whether an output path can be written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from nexos_model.errors import NexosError, os_problem

#: Temporaries whose owner cannot be checked (another machine, an older Nexos) are removed
#: once they are this old (seconds).
STALE_AFTER = 24 * 3600
_SET_PREFIX = ".nexos-conjunto."
_JOURNAL = "conjunto.json"  # written inside a staging folder when its renames start
_TOKEN = re.compile(r"\.(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-[0-9a-f]{8}\.tmp")
_MAX_NAME_BYTES = 255


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def _token() -> str:
    """``<host>-<pid>-<random>``: the owner of a temporary, so a later run knows if it is alive."""
    return f"{_host()}-{os.getpid()}-{secrets.token_hex(4)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _is_stale(entry: os.DirEntry) -> bool:
    """A temporary of a process that is gone (this machine), or an old one (any owner)."""
    match = _TOKEN.search(entry.name)
    if match and match["host"] == _host():
        return not _alive(int(match["pid"]))
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
    except OSError:
        return False


def clean_stale(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries a killed write left in ``folder``; returns what was removed.

    ``.<name>.<owner>.tmp`` files of :func:`atomic_path` are deleted; a staging folder of
    :func:`atomic_files` is deleted, after completing its renames if they had started (its
    journal lists them), so a set is never left half old, half new.
    """
    removed: list[Path] = []
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(".") and ".tmp" in e.name]
    except OSError:
        return removed
    for entry in entries:
        if not _is_stale(entry):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False) and entry.name.startswith(_SET_PREFIX):
                _roll_forward(path)
                shutil.rmtree(path, ignore_errors=True)
            elif entry.is_file(follow_symlinks=False):
                path.unlink(missing_ok=True)
            else:
                continue
        except OSError:
            continue
        removed.append(path)
    return removed


def _roll_forward(staging: Path) -> None:
    """Finish the renames of a set whose process died while making them (its journal exists)."""
    journal = staging / _JOURNAL
    if not journal.is_file():
        return  # the renames never started: the previous set is whole
    plan = json.loads(journal.read_text(encoding="utf-8"))
    for staged, target in plan["archivos"]:
        if Path(staged).exists():
            os.replace(staged, target)
    for path in plan["obsoletos"]:
        Path(path).unlink(missing_ok=True)


def _write_error(target: Path, exc: OSError) -> NexosError:
    return NexosError(f"{target}: no se pudo escribir ({os_problem(exc)}); elija otra ubicación o "
                      "libere espacio, y vuelva a ejecutar")


def _make_parent(target: Path) -> list[Path]:
    """Create the target's folder (and those above it) if missing; returns those created."""
    missing = []
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NexosError(f"{target}: no se pudo crear la carpeta {target.parent} ({os_problem(exc)}); "
                         "elija otra ubicación") from None
    return missing


@contextmanager
def atomic_path(path: str | os.PathLike[str], keep_suffix: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` in one step.

    The temporary file sits in the target's directory (so the rename never crosses file
    systems) and is named ``.<name>.<owner>.tmp``, or ``.<stem>.<owner>.tmp<suffix>`` with
    ``keep_suffix`` (for writers that pick the format by extension: Papermill, Chromium's
    screenshots); ``<owner>`` names the machine and process, so the next write to the folder
    removes it if that process was killed. It is not created in advance: the writer
    creates it, with the usual permissions. On success it is flushed to disk and
    ``os.replace``d onto ``path``; on any exception, including ``KeyboardInterrupt``, it is
    removed and ``path`` is left untouched. The parent directory is created if missing. An
    operating-system error (no permission, disk full...) is a NexosError naming the path.
    """
    target = Path(path)
    _make_parent(target)
    clean_stale(target.parent)
    name = f"{target.stem}.{_token()}.tmp{target.suffix}" if keep_suffix else f"{target.name}.{_token()}.tmp"
    tmp = target.with_name(f".{name}")
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(target, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_files(targets: Iterable[str | os.PathLike[str]],
                 obsolete: Iterable[str | os.PathLike[str]] = ()) -> Iterator[dict[Path, Path]]:
    """Write several files as one: all of them, or none.

    Yields ``{target: staged path}``: write each target's content to its staged path (with
    any writer, e.g. :func:`~nexos_model.io.writers.write_table`). The staged paths sit in a
    staging folder beside each target's directory. When the block ends without error, every
    staged file replaces its target and the ``obsolete`` files (an earlier run's sibling
    tables that this run does not write) are removed, together: the renames are journaled,
    and if one fails (or Ctrl-C arrives) those done are undone. On any error in the block the
    targets are not touched. Either way the staging folders are removed.
    """
    paths = [Path(t) for t in targets]
    if len(set(paths)) != len(paths):
        raise ValueError("atomic_files: un mismo archivo figura dos veces")
    gone = [Path(p) for p in obsolete if Path(p) not in paths and Path(p).is_file()]
    created: list[Path] = []
    for target in paths:
        check_output(target)
        created += _make_parent(target)
    folders = {t.parent for t in paths} | {p.parent for p in gone}
    staging: dict[Path, Path] = {}
    committed = False
    try:
        for folder in folders:
            clean_stale(folder)
            staging[folder] = folder / f"{_SET_PREFIX}{_token()}.tmp"
            staging[folder].mkdir()
        staged = {t: staging[t.parent] / t.name for t in paths}
        yield staged
        _commit(staged, gone, staging)
        committed = True
    except OSError as exc:
        raise _write_error(Path(exc.filename) if exc.filename else paths[0], exc) from None
    finally:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
        if not committed:  # leave no empty folder behind either
            for folder in sorted(set(created), key=lambda p: len(p.parts), reverse=True):
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _commit(staged: dict[Path, Path], obsolete: list[Path], staging: dict[Path, Path]) -> None:
    """Rename every staged file onto its target (the old one kept aside until all are in)."""
    missing = [str(t) for t, s in staged.items() if not s.is_file()]
    if missing:
        raise ValueError(f"atomic_files: no se escribió {', '.join(missing)}")
    for path in staged.values():
        _fsync(path)
    plan = {"archivos": [[str(s.resolve()), str(t.resolve())] for t, s in staged.items()],
            "obsoletos": [str(p.resolve()) for p in obsolete]}
    for folder in staging.values():
        journal = folder / f".{_JOURNAL}.tmp"
        journal.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        _fsync(journal)
        os.replace(journal, folder / _JOURNAL)
    done: list[tuple[Path, Path | None, Path | None]] = []  # (target, its old copy, staged file)
    try:
        for target, source in staged.items():
            backup = None
            if target.exists():
                backup = staging[target.parent] / f"anterior.{target.name}"
                os.replace(target, backup)
            done.append((target, backup, None))
            os.replace(source, target)
            done[-1] = (target, backup, source)
        for path in obsolete:
            backup = staging[path.parent] / f"anterior.{path.name}"
            os.replace(path, backup)
            done.append((path, backup, None))
    except BaseException:
        for target, backup, source in reversed(done):
            if source is not None:
                os.replace(target, source)
            if backup is not None:
                os.replace(backup, target)
        for folder in staging.values():
            (folder / _JOURNAL).unlink(missing_ok=True)
        raise
    for folder in staging.values():
        (folder / _JOURNAL).unlink(missing_ok=True)


def check_output(path: str | os.PathLike[str], folder: bool = False) -> Path:
    """Say now, before any work, whether ``path`` (a file, or with ``folder`` a folder) can be
    written: NexosError in Spanish naming the path and what to do, or the path.

    Checks the name's length, that a file is not a folder (and a folder not a file), that no
    part of the way is a file, and that the nearest existing folder accepts a new file (tried
    with an empty probe file, removed at once: the only way to know on every file system).
    """
    if not str(path).strip():  # Path("") would be the current folder
        raise NexosError("ruta de salida vacía (se esperaba un nombre de archivo o carpeta)")
    path = Path(path)
    long_parts = [p for p in path.parts if len(os.fsencode(p)) > _MAX_NAME_BYTES]
    if long_parts:
        raise NexosError(f"{str(path)[:80]}…: un nombre de la ruta es demasiado largo (más de "
                         f"{_MAX_NAME_BYTES} bytes); use un nombre más corto")
    if path.is_dir() and not folder:
        raise NexosError(f"{path}: es una carpeta; se esperaba un nombre de archivo")
    if path.exists() and folder and not path.is_dir():
        raise NexosError(f"{path}: es un archivo; se esperaba una carpeta")
    existing = path if folder and path.is_dir() else path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NexosError(f"{path}: {existing} es un archivo, no una carpeta; elija otra ubicación")
    probe = existing / f".nexos-prueba.{_token()}.tmp"
    try:
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as exc:
        raise NexosError(f"{path}: no se puede escribir en {existing} ({os_problem(exc)}); "
                         "elija otra ubicación") from None
    return path


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


__all__ = ["atomic_files", "atomic_path", "check_output", "clean_stale", "frame_for_output", "write_text"]
