"""Revenue indicators and peer medians (department and country).

Pure: a wide table of observed values (municipio × anio × concepto) and populations in,
indicator tables out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INDICATORS = {
    "ingresos_propios_per_capita": "Ingresos propios por habitante (Q)",
    "iusi_per_capita": "Impuestos directos (IUSI) por habitante (Q)",
    "autonomia": "Autonomía: ingresos propios / ingresos totales",
    "dependencia_transferencias": "Dependencia: transferencias / ingresos totales",
    "crecimiento_ingresos_propios": "Crecimiento anual de los ingresos propios",
}


def indicators(values: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Indicators per municipality and year.

    ``values``: columns municipio, anio, concepto, valor (totals included);
    ``population``: indexed by municipio (Censo 2018; per-cápita values use it for every year,
    since no official projection after 2018 is available).
    Returns municipio, anio, indicador, valor.
    """
    wide = values.pivot_table(index=["municipio", "anio"], columns="concepto", values="valor", aggfunc="sum")
    pop = population.reindex(wide.index.get_level_values("municipio")).to_numpy(dtype=float)
    total = wide["ingresos_totales"].to_numpy()
    own = wide["ingresos_propios"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame({
            "ingresos_propios_per_capita": own / pop,
            "iusi_per_capita": wide["impuestos_directos"].to_numpy() / pop,
            "autonomia": np.where(total > 0, own / total, np.nan),
            "dependencia_transferencias": np.where(total > 0, wide["transferencias"].to_numpy() / total, np.nan),
        }, index=wide.index)
    previous = wide["ingresos_propios"].groupby(level="municipio").shift(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["crecimiento_ingresos_propios"] = np.where(previous > 0, own / previous - 1.0, np.nan)
    return table.rename_axis(columns="indicador").stack().rename("valor").reset_index()


def peer_medians(table: pd.DataFrame, department_of: pd.Series) -> pd.DataFrame:
    """Median of each indicator by department and nationally: anio, indicador, ambito, mediana.

    ``ambito`` is a two-digit department code or ``"nacional"``.
    """
    frame = table.assign(departamento=department_of.reindex(table["municipio"]).to_numpy())
    by_dept = (frame.groupby(["departamento", "anio", "indicador"])["valor"].median()
               .rename("mediana").reset_index().rename(columns={"departamento": "ambito"}))
    national = frame.groupby(["anio", "indicador"])["valor"].median().rename("mediana").reset_index()
    national["ambito"] = "nacional"
    return pd.concat([by_dept, national], ignore_index=True)[["anio", "indicador", "ambito", "mediana"]]


def compare_with_peers(table: pd.DataFrame, medians: pd.DataFrame, municipio: str, department: str) -> pd.DataFrame:
    """One municipality's indicators beside its department's and the national median."""
    own = table.loc[table["municipio"] == municipio]
    dept = medians.loc[medians["ambito"] == department].rename(columns={"mediana": "mediana_departamento"})
    nat = medians.loc[medians["ambito"] == "nacional"].rename(columns={"mediana": "mediana_nacional"})
    out = own.merge(dept[["anio", "indicador", "mediana_departamento"]], on=["anio", "indicador"], how="left")
    out = out.merge(nat[["anio", "indicador", "mediana_nacional"]], on=["anio", "indicador"], how="left")
    out["etiqueta"] = out["indicador"].map(INDICATORS)
    return out[["municipio", "anio", "indicador", "etiqueta", "valor", "mediana_departamento", "mediana_nacional"]]
