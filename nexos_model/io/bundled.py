"""Where the package's own files are, and loaders for the data bundled with it (``nexos_model/data``):
municipalities, spending by función, the SEGEPLAN ranking, the national situado figures, and the
national figures known by year that a run uses instead of a parameter (published aporte totals,
observed inflation: :func:`national_figures`). (The bundled revenue history is read like a
user's export: :mod:`nexos_model.io.history`.)

Everything is read through ``importlib.resources``, so a wheel installed anywhere finds the same
files as a source checkout: the data, the workbooks and the report and app templates (in
``nexos_model/resources/``; the checkout's top-level ``workbooks/`` and ``templates/`` are links
to them). The packaged parameters are located by :mod:`nexos_model.params.loader`.

Every loader is cached (the files are read once per process) and returns a *copy*
of the cached frame, so callers may modify what they get without corrupting the
cache. With pandas copy-on-write the copy is cheap.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from nexos_model.errors import DataFileError
from nexos_model.fiscal.space import NationalFigures

_PACKAGE = resources.files("nexos_model")
DATA_DIR = Path(str(_PACKAGE.joinpath("data")))
#: The thin parameterized notebooks (``nexos init`` copies them into a working folder).
WORKBOOKS_DIR = Path(str(_PACKAGE.joinpath("resources", "workbooks")))
#: nbconvert's council report template (``nexos_reporte``) and Voilà's app template (``nexos_app``).
TEMPLATES_DIR = Path(str(_PACKAGE.joinpath("resources", "templates")))

MUNICIPALITIES_FILE = "municipios_censo2018.csv"
REVENUE_FILE = "ingresos_municipales_2016_2019_por_seccion.csv"
SPENDING_FILE = "gasto_municipal_por_funcion_2016_2019.csv"
RANKING_FILE = "ranking_gestion_municipal_segeplan_2013_2016_2018.csv"
SITUADO_FILE = "situado_constitucional_parametros_nacionales.csv"
APORTE_TOTALS_FILE = "aporte_constitucional_totales_nacionales_2018_2026.csv"
INFLATION_FILE = "inflacion_guatemala_2016_2027.csv"

#: Rows of the aporte file that give a year's national total, the final amount first (2024: after
#: the August ampliación). Not used: a figure whose year is uncertain, the 2024 initial amount.
APORTE_TOTAL_ROWS = ("situado_constitucional_total_incl_ampliacion", "situado_constitucional_total",
                     "situado_constitucional_total_derived", "situado_constitucional_total_techo_2025")
#: Where a year's aporte total comes from, in Spanish (``origen`` of :func:`load_aporte_totals`).
PUBLISHED, DERIVED, INTERPOLATED = "publicado", "derivado de cifras publicadas", "interpolado (estimación)"


def data_path(name: str) -> Path:
    """Path of a bundled data file, e.g. ``data_path("conceptos.csv")``."""
    path = DATA_DIR / name
    if not path.is_file():
        disponibles = ", ".join(sorted(p.name for p in DATA_DIR.glob("*.csv")))
        raise DataFileError(
            f"{name}: no es un archivo de datos incluido en el paquete "
            f"(archivos disponibles: {disponibles})"
        )
    return path


def _read_bundled_csv(name: str, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a bundled CSV keeping code columns as text (leading zeros)."""
    return pd.read_csv(data_path(name), dtype={c: str for c in text_columns}, encoding="utf-8")


@functools.lru_cache(maxsize=None)
def _municipalities() -> pd.DataFrame:
    raw = _read_bundled_csv(MUNICIPALITIES_FILE, ("cod_municipio", "cod_departamento"))
    out = pd.DataFrame(
        {
            "municipio": raw["cod_municipio"].str.zfill(4),
            "nombre": raw["municipio"],
            "departamento_codigo": raw["cod_departamento"].str.zfill(2),
            "departamento": raw["departamento"],
            "poblacion": raw["poblacion_total"].astype("int64"),
            "poblacion_urbana": raw["urbana"].astype("int64"),
            "poblacion_rural": raw["rural"].astype("int64"),
        }
    )
    return out.sort_values("municipio", ignore_index=True)


def load_municipalities() -> pd.DataFrame:
    """The 340 municipalities with INE codes and 2018 census population, sorted by code.

    Columns: ``municipio`` (code "0901"), ``nombre``, ``departamento_codigo`` ("09"),
    ``departamento``, ``poblacion``, ``poblacion_urbana``, ``poblacion_rural``.
    """
    return _municipalities().copy()


@functools.lru_cache(maxsize=None)
def _spending_history() -> pd.DataFrame:
    raw = _read_bundled_csv(SPENDING_FILE, ("cod_municipio",))
    return pd.DataFrame(
        {
            "municipio": raw["cod_municipio"].str.zfill(4),
            "anio": raw["ejercicio"].astype("int64"),
            "funcion": raw["funcion"],
            "devengado": raw["devengado"].astype("float64"),
            "vigente": raw["vigente"].astype("float64"),
        }
    )


def load_spending_history() -> pd.DataFrame:
    """Spending by función 2016-2019 (``municipio, anio, funcion, devengado, vigente``).

    Coverage shrinks after 2016 (340, 331, 288, 202 municipalities) and some rows have no
    ``funcion`` (NaN, kept so that totals stay complete; ``groupby`` drops them by default).
    """
    return _spending_history().copy()


@functools.lru_cache(maxsize=None)
def _ranking() -> pd.DataFrame:
    raw = _read_bundled_csv(RANKING_FILE, ("cod_municipio",))
    out = raw[["cod_municipio", "rgm_2013", "rgm_2016", "rgm_2018"]].rename(
        columns={"cod_municipio": "municipio"}
    )
    out["municipio"] = out["municipio"].str.zfill(4)
    return out.sort_values("municipio", ignore_index=True)


def load_ranking() -> pd.DataFrame:
    """SEGEPLAN municipal management ranking (0-1): ``municipio, rgm_2013, rgm_2016, rgm_2018``.

    ``rgm_2013`` is NaN for the six municipalities created after 2013.
    """
    return _ranking().copy()


@functools.lru_cache(maxsize=None)
def _situado_national() -> pd.DataFrame:
    return _read_bundled_csv(SITUADO_FILE)


def load_situado_national() -> pd.DataFrame:
    """National situado constitucional figures, as in the CSV
    (``anio, variable, valor, unidad, fuente_url, nota``)."""
    return _situado_national().copy()


@functools.lru_cache(maxsize=None)
def _aporte_totals() -> pd.DataFrame:
    raw = _read_bundled_csv(APORTE_TOTALS_FILE)
    rows = raw.loc[raw["variable"].isin(APORTE_TOTAL_ROWS) & raw["anio"].notna()].copy()
    rows["anio"] = rows["anio"].astype(int)
    rows["rank"] = rows["variable"].map({v: i for i, v in enumerate(APORTE_TOTAL_ROWS)})
    rows = rows.sort_values(["anio", "rank"]).drop_duplicates("anio")
    known = dict(zip(rows["anio"], rows["valor"].astype(float)))
    certainty = dict(zip(rows["anio"], rows["certeza"]))
    years = np.arange(min(known), max(known) + 1)
    given = np.array(sorted(known))
    # Geometric interpolation between the two published totals around a missing year.
    amounts = np.exp(np.interp(years, given, np.log([known[y] for y in given])))
    return pd.DataFrame({
        "anio": years,
        "monto": [known.get(int(y), round(float(a), 2)) for y, a in zip(years, amounts)],
        "origen": [(PUBLISHED if certainty[y] == "C" else DERIVED) if y in known else INTERPOLATED
                   for y in years.tolist()],
        "certeza": [certainty.get(y, "NC-estimado") for y in years.tolist()],
    })


def load_aporte_totals() -> pd.DataFrame:
    """The aporte constitucional's national total by year, from the first to the last published
    one: ``anio, monto, origen, certeza``. ``origen`` says whether the year's total is published,
    derived from published figures or interpolated between two of them (an estimate)."""
    return _aporte_totals().copy()


@functools.lru_cache(maxsize=None)
def _inflation() -> pd.DataFrame:
    raw = _read_bundled_csv(INFLATION_FILE)
    rows = raw.loc[raw["variable"] == "inflacion_promedio_anual"].sort_values("anio")
    return pd.DataFrame({"anio": rows["anio"].astype(int).to_numpy(),
                         "inflacion": np.round(rows["valor"].astype(float).to_numpy() / 100.0, 6),
                         "certeza": rows["certeza"].to_numpy()})


def load_inflation() -> pd.DataFrame:
    """Observed consumer-price inflation (INE, change of the annual average index) by year:
    ``anio, inflacion`` (fraction), ``certeza`` (2025 is an estimate: ``NC-estimado``)."""
    return _inflation().copy()


@functools.lru_cache(maxsize=1)
def national_figures() -> NationalFigures:
    """The national figures a run uses instead of a parameter in the years they cover."""
    totals, inflation = _aporte_totals(), _inflation()
    return NationalFigures(aporte_totals=dict(zip(totals["anio"].tolist(), totals["monto"].tolist())),
                           inflation=dict(zip(inflation["anio"].tolist(), inflation["inflacion"].tolist())))
