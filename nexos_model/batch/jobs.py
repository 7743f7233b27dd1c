"""What one batch job is (a municipality under a scenario) and the hash of everything it reads.

The hash decides whether a rerun can skip a job: it covers the parameter layers (defaults,
the municipality's file, the scenario's file, overrides), the budget year today's date gives
(``calendario.anio_presupuesto`` when left null), the bundled data and the store of imported
data (``nexos datos``), the package (version and source code), the workbook and the report
template. The parameter part hashes
the layer files themselves rather than the resolved values (``Resolved.digest()``): resolving
and validating the 680 parameter sets of 340 municipalities × 2 scenarios takes about 4.5 s
here, hashing their files a few milliseconds; the file hash changes whenever the resolved values
can (and also when only a comment changes, which merely redoes the job). The resolved digest is still recorded per job in the
summary, as on the report's cover.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from nexos_model import __version__
from nexos_model.io.store import STORE_FILE, store_digest
from nexos_model.params.calendar_schema import default_budget_year, reference_date
from nexos_model.params.loader import ParamFolders, layer_files

__all__ = ["Job", "Outcome", "STATUS", "input_hash", "package_fingerprint"]

#: Spanish status of a job, as written to ``resumen.csv``.
STATUS = {"done": "completado", "skipped": "al día", "failed": "falla", "pending": "pendiente"}

PACKAGE_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Job:
    """One municipality under one scenario: the same description for every executor.

    Plain strings and dicts only, so it pickles to a process or a Dask worker unchanged.
    ``params_path`` holds the user's parameter folders the batch resolved, joined like ``PATH``
    (the worker sets ``NEXOS_PARAMETROS`` to it, so a kernel anywhere reads the same files),
    ``data_dir`` the folder of imported data (``NEXOS_DATOS``, absolute);
    ``digest`` is :func:`input_hash`, computed by the runner.
    """

    municipio: str
    escenario: str
    out_dir: str
    formats: tuple[str, ...]
    workbook: str
    params_path: str
    overrides: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    data_dir: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.municipio, self.escenario


@dataclass
class Outcome:
    """What became of a job. ``status`` is a key of :data:`STATUS`; ``step`` and ``reason``
    (Spanish) say where and why it failed; ``headline`` holds the summary outcomes."""

    municipio: str
    escenario: str
    status: str
    seconds: float = 0.0
    step: str = ""
    reason: str = ""
    partial: str = ""  # path of the partial notebook of a failed run
    files: dict[str, str] = field(default_factory=dict)
    headline: dict[str, Any] = field(default_factory=dict)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "ausente"


@lru_cache(maxsize=4096)
def _cached_file_digest(path: Path, mtime_ns: int, size: int) -> str:
    return _file_digest(path)


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (``'ausente'`` when it does not exist), cached while unchanged."""
    path = Path(path)
    if not path.is_file():
        return "ausente"
    stat = path.stat()
    return _cached_file_digest(path, stat.st_mtime_ns, stat.st_size)


def _tree_digest(folder: Path, pattern: str, skip: tuple[str, ...] = ()) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob(pattern)):
        parts = path.relative_to(folder).parts
        if path.is_file() and "__pycache__" not in parts and parts[0] not in skip:
            h.update(str(path.relative_to(folder)).encode())
            h.update(file_digest(path).encode())
    return h.hexdigest()


def package_fingerprint(template_dir: Path | None = None) -> str:
    """Package version, source code, bundled data and report template, as one hash.

    The source is included, not just the version: a changed formula must redo the reports
    even when nobody bumped the version number. The Voilà app (``app/``) is left out: reports
    and batch runs never use widgets.
    """
    h = hashlib.sha256(__version__.encode())
    h.update(_tree_digest(PACKAGE_DIR, "*.py", skip=("app",)).encode())
    h.update(_tree_digest(PACKAGE_DIR / "data", "*").encode())
    if template_dir is not None and template_dir.is_dir():
        h.update(_tree_digest(template_dir, "*").encode())
    return h.hexdigest()


def input_hash(municipio: str, escenario: str, folders: ParamFolders, overrides: Mapping[str, Any],
               workbook: Path, package: str, data_dir: Path | None = None) -> str:
    """The hash of every input of one job (``package`` from :func:`package_fingerprint`): each
    parameter file that layers into it (the packaged ones and the user's), by name and content."""
    parts = {
        "datos": store_digest(data_dir / STORE_FILE) if data_dir is not None else store_digest(),
        "presupuesto": default_budget_year(reference_date()),
        "parametros": [[folders.name(path), file_digest(path)]
                       for path in layer_files(municipio, escenario, folders)],
        "ajustes": json.dumps(overrides, sort_keys=True, default=str),
        "cuaderno": file_digest(workbook),
        "paquete": package,
        "clave": [municipio, escenario],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
