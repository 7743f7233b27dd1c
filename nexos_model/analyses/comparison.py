"""Scenario comparison of one municipality: outcomes side by side, differences from the first
scenario (base), each scenario's changes from the defaults and the legal rules each one breaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from nexos_model import catalog
from nexos_model.api import run, single_municipio
from nexos_model.errors import NexosError
from nexos_model.params.changes import changes_table

#: Outcomes compared across scenarios (concepts of the projection), in report order.
COMPARED = ("ingresos_propios", "iusi", "transferencias", "gasto_funcionamiento", "servicio_deuda",
            "ahorro_corriente", "espacio_fiscal", "deficit")


@dataclass
class Comparison:
    outcomes: pd.DataFrame  # escenario, anio, resultado, etiqueta, valor, diferencia_base
    changes: pd.DataFrame  # escenario, clave, parametro, valor, unidad, capa, fuente
    breaches: pd.DataFrame  # escenario, regla, etiqueta, anios_incumplidos


def compare(municipio: str | int, escenarios: list[str], overrides: Mapping[str, Any] | None = None) -> Comparison:
    """Run ``municipio`` under each scenario; the first one is the reference for differences."""
    codes = [single_municipio(municipio, "la comparación")]
    if not escenarios:
        raise NexosError("--escenarios: se esperaba al menos un escenario (p. ej. base,optimista)")
    code = codes[0]
    frames, changes, breaches = [], [], []
    for name in escenarios:
        result = run(code, name, overrides)
        proj = result.projection.loc[result.projection["concepto"].isin(COMPARED)]
        frames.append(proj.rename(columns={"concepto": "resultado"})[["escenario", "anio", "resultado", "valor"]])
        changes.append(changes_table(result.params).assign(escenario=name))
        broken = result.rules.loc[~result.rules["cumple"]].groupby(["regla", "etiqueta"])["anio"].apply(
            lambda years: ", ".join(str(y) for y in sorted(years))).rename("anios_incumplidos").reset_index()
        breaches.append(broken.assign(escenario=name))
    outcomes = pd.concat(frames, ignore_index=True)
    reference = outcomes.loc[outcomes["escenario"] == escenarios[0]].set_index(["anio", "resultado"])["valor"]
    outcomes["diferencia_base"] = outcomes["valor"].to_numpy() - reference.reindex(
        pd.MultiIndex.from_frame(outcomes[["anio", "resultado"]])).to_numpy()
    outcomes.insert(3, "etiqueta", outcomes["resultado"].map(catalog.label))
    change_table = pd.concat(changes, ignore_index=True)
    return Comparison(outcomes, change_table[["escenario", *[c for c in change_table.columns if c != "escenario"]]],
                      pd.concat(breaches, ignore_index=True)[["escenario", "regla", "etiqueta", "anios_incumplidos"]])
