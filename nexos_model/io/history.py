"""The revenue history a run projects, in layers by municipality and year: the bundled 2016-2019
data, under the exports imported into the local store (:mod:`nexos_model.io.store`, ``nexos datos
importar``), under a file given for one run (``--datos``); or that file alone (``--solo-datos``).

All are read by :func:`nexos_model.io.sicoin.read_revenue_export`, so they have the same shape
(``municipio, anio, rubro, concepto, devengado, vigente, percibido, fila``); a (municipio, año) of
an upper layer replaces the whole year below it. ``run()`` reads them through :func:`load_history`.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pandas as pd

from nexos_model.errors import NexosError
from nexos_model.io.bundled import REVENUE_FILE, data_path
from nexos_model.io.sicoin import read_revenue_export
from nexos_model.io.store import store_digest, stored_history


@functools.lru_cache(maxsize=None)
def _bundled_history() -> pd.DataFrame:
    return read_revenue_export(data_path(REVENUE_FILE))


def load_bundled_history() -> pd.DataFrame:
    """Revenue history 2016-2019 of all 340 municipalities, by sección (cached; a copy each call).

    Read through :func:`nexos_model.io.sicoin.read_revenue_export`, so it has exactly the
    shape of a user's export. Known quirk: Guatemala (0101) 2017 has devengado far above
    percibido in most secciones (a source error, left as is for the diagnostics).
    """
    return _bundled_history().copy()


def combine_history(bundled: pd.DataFrame, user: pd.DataFrame) -> pd.DataFrame:
    """``user`` on top of ``bundled``, by year: a (municipio, year) in ``user`` replaces it."""
    if user.empty:
        return bundled
    replaced = pd.MultiIndex.from_frame(user[["municipio", "anio"]].drop_duplicates())
    keep = ~pd.MultiIndex.from_frame(bundled[["municipio", "anio"]]).isin(replaced)
    return pd.concat([bundled.loc[keep], user], ignore_index=True)


def load_history(datos: str | Path | None = None, solo_datos: bool = False) -> pd.DataFrame:
    """The history to project: the bundled data under the store's imported years, under the
    export ``datos`` if given; with ``solo_datos``, that export alone."""
    if solo_datos and datos is None:
        raise NexosError("--solo-datos: falta --datos ARCHIVO (el archivo que se usará en lugar de los "
                         "datos incluidos)")
    if datos is not None and solo_datos:
        return read_revenue_export(Path(datos))
    history = combine_history(load_bundled_history(), stored_history())
    return history if datos is None else combine_history(history, read_revenue_export(Path(datos)))


def with_other_municipalities(user: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """A user's own history (``--solo-datos``) completed with the history of the municipalities it
    does not have (the bundled data under the store's years), and how many those are.

    The art. 119 formula shares the national pools (aporte constitucional, IVA-PAZ) among all
    340 municipalities, and the trends lean on national medians: a file of one municipality must
    not make it the whole country. Its own municipalities keep only the file's years.
    """
    history = combine_history(load_bundled_history(), stored_history())
    others = history.loc[~history["municipio"].isin(set(user["municipio"]))]
    return pd.concat([others, user], ignore_index=True), int(others["municipio"].nunique())


def loaded_years(datos: str | Path | None = None, solo_datos: bool = False) -> dict[str, list[int]]:
    """The years each municipality takes from the store or the ``datos`` file (not the bundled data)."""
    frames = [] if (datos is not None and solo_datos) else [stored_history()]
    if datos is not None:
        frames.append(read_revenue_export(Path(datos)))
    out: dict[str, set[int]] = {}
    for frame in frames:
        for code, year in set(zip(frame["municipio"], frame["anio"].astype(int))):
            out.setdefault(code, set()).add(int(year))
    return {code: sorted(years) for code, years in out.items()}


def history_digest(datos: str | Path | None = None, solo_datos: bool = False) -> str:
    """A short fingerprint of the history a run reads beyond the package's own data (the store
    and the ``datos`` file): ``''`` for the bundled data alone. The package data are covered by
    the package version and fingerprint."""
    parts = [] if (datos is not None and solo_datos) else [store_digest()]
    if datos is not None:
        parts.append(hashlib.sha256(Path(datos).read_bytes()).hexdigest()[:12])
    parts = [p for p in parts if p]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12] if parts else ""


__all__ = ["combine_history", "history_digest", "load_bundled_history", "load_history", "loaded_years",
           "with_other_municipalities"]
