"""The catalog of result concepts (what each line of a projection is), read from ``data/conceptos.csv``.

Labels users read live in that file, not in code. Totals are defined by the ``padre`` column:
a concept is the sum of the concepts whose ``padre`` it is, so identities are data too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

_CATALOG = Path(__file__).parent / "data" / "conceptos.csv"
_RESULTS = Path(__file__).parent / "data" / "resultados.csv"


@lru_cache(maxsize=1)
def concepts() -> pd.DataFrame:
    """The catalog, indexed by ``concepto`` (columns grupo, padre, etiqueta, descripcion)."""
    table = pd.read_csv(_CATALOG, dtype=str, keep_default_na=False)
    return table.set_index("concepto")


@lru_cache(maxsize=1)
def result_lines() -> pd.DataFrame:
    """Model lines beyond the MINFIN concepts (streams, transfers by source, spending, debt,
    fiscal space), indexed by ``concepto`` (columns grupo, unidad, etiqueta, descripcion)."""
    return pd.read_csv(_RESULTS, dtype=str, keep_default_na=False).set_index("concepto")


def label(concept: str) -> str:
    """The Spanish label of a concept or model line (the code itself when no catalog has it)."""
    for table in (concepts(), result_lines()):
        if concept in table.index:
            return table.at[concept, "etiqueta"]
    return concept


def base_concepts() -> list[str]:
    """Concepts read from the data (not totals), in catalog order."""
    table = concepts()
    return table.index[table["grupo"] != "total"].tolist()


def children(concept: str) -> list[str]:
    """Concepts that add up to ``concept``."""
    return list(_children(concept))


@lru_cache(maxsize=None)
def _children(concept: str) -> tuple[str, ...]:
    table = concepts()
    return tuple(table.index[table["padre"] == concept])


def totals() -> list[str]:
    """Total concepts ordered so each comes after all the totals it contains."""
    table = concepts()
    names = table.index[table["grupo"] == "total"].tolist()
    ordered: list[str] = []

    def visit(name: str) -> None:
        for child in children(name):
            if child in names and child not in ordered:
                visit(child)
        if name not in ordered:
            ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def group(concept: str) -> str:
    """``propios``, ``transferencias``, ``financiamiento`` or ``total``."""
    return concepts().at[concept, "grupo"]


def add_totals(wide: pd.DataFrame) -> pd.DataFrame:
    """Add every total column to a wide table of base concepts (columns = concepts).

    Totals are sums of their parts by construction, so ``total = Σ parts`` holds on every output.
    """
    out = wide.copy()
    for name in totals():
        parts = [c for c in children(name) if c in out.columns]
        out[name] = out[parts].sum(axis=1) if parts else 0.0
    return out


def long_with_totals(values: pd.DataFrame) -> pd.DataFrame:
    """``municipio, anio, concepto, valor`` of base concepts -> the same with every total added.

    Concepts absent in a municipality-year count as zero.
    """
    wide = values.pivot_table(index=["municipio", "anio"], columns="concepto", values="valor", aggfunc="sum")
    wide = add_totals(wide.reindex(columns=base_concepts()).fillna(0.0))
    return wide.rename_axis(columns="concepto").stack().rename("valor").reset_index()
