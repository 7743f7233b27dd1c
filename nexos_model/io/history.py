"""The revenue history a run projects: the bundled one, a user's SICOIN GL export, or the export on
top of the bundled data by year.

Both are read by :func:`nexos_model.io.sicoin.read_revenue_export`, so they have the same shape
(``municipio, anio, rubro, concepto, devengado, vigente, percibido, fila``). This is the room for
a local store of imported exports: a source of history is added here, and ``run()`` reads it
through :func:`load_history`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from nexos_model.errors import NexosError
from nexos_model.io.bundled import REVENUE_FILE, data_path
from nexos_model.io.sicoin import read_revenue_export


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
    """The user's file on top of the bundled data, by year: a (municipio, year) in the file replaces it."""
    replaced = pd.MultiIndex.from_frame(user[["municipio", "anio"]].drop_duplicates())
    keep = ~pd.MultiIndex.from_frame(bundled[["municipio", "anio"]]).isin(replaced)
    return pd.concat([bundled.loc[keep], user], ignore_index=True)


def load_history(datos: str | Path | None = None, solo_datos: bool = False) -> pd.DataFrame:
    """The history to project: bundled, a user's export, or the export on top of the bundled data."""
    if datos is None:
        if solo_datos:
            raise NexosError("--solo-datos: falta --datos ARCHIVO (el archivo que se usará en lugar de los "
                             "datos incluidos)")
        return load_bundled_history()
    user = read_revenue_export(Path(datos))
    return user if solo_datos else combine_history(load_bundled_history(), user)


def with_other_municipalities(user: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """A user's own history (``--solo-datos``) completed with the bundled history of the
    municipalities it does not have, and how many those are.

    The art. 119 formula shares the national pools (aporte constitucional, IVA-PAZ) among all
    340 municipalities, and the trends lean on national medians: a file of one municipality must
    not make it the whole country. Its own municipalities keep only the file's years.
    """
    bundled = load_bundled_history()
    others = bundled.loc[~bundled["municipio"].isin(set(user["municipio"]))]
    return pd.concat([others, user], ignore_index=True), int(others["municipio"].nunique())


__all__ = ["combine_history", "load_bundled_history", "load_history", "with_other_municipalities"]
