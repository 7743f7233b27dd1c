"""Helpers the tests share: the repository root, the CLI run as a user runs it, small tables and
files, and the scipy.stats truth of the distribution specs."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
from scipy import stats

from nexos_model.params.distributions import Beta, LogNormal, Normal, Triangular, Uniform
from nexos_model.wording import millones

ROOT = Path(__file__).resolve().parents[1]
#: The date every test runs as of (``NEXOS_HOY``, set in conftest.py) and the budget year it gives.
TODAY = "2026-12-05"
BUDGET_YEAR = 2027


def nexos(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the ``nexos`` CLI in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "nexos_model.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env, timeout=300)


def projected_wide(result, code: str) -> pd.DataFrame:
    """The projected years of one municipality of a run, years × concepts."""
    proj = result.projection.loc[result.projection["municipio"] == code]
    return proj.pivot_table(index="anio", columns="concepto", values="valor")


def headline_value(result, concept: str = "ingresos_propios") -> str:
    """A concept's value in the budget year as the app's cards show it (``Q 31.84 millones``)."""
    code = result.municipios[0]
    return millones(result.wide(code).at[result.budget_year(code), concept], 2)


def synthetic_export(path: Path, code: str = "1301", years: tuple[int, ...] = (2018, 2019), shift: int = 2) -> Path:
    """A SICOIN GL-style export (CSV, Spanish headers, a title line) for ``code``, built from its
    real bundled rows of ``years`` moved ``shift`` years later: SYNTHETIC data, labelled as such
    in the file, for the tests of ``nexos datos importar`` (no public data after 2019 exists)."""
    source = pd.read_csv(ROOT / "nexos_model" / "data" / "ingresos_municipales_2016_2019_por_seccion.csv",
                         dtype={"cod_municipio": str, "cod_seccion": str})
    rows = source.loc[(source["cod_municipio"].str.zfill(4) == code) & source["ejercicio"].isin(years)]
    table = pd.DataFrame({"Ejercicio": rows["ejercicio"] + shift, "Código Municipio": rows["cod_municipio"],
                          "Sección": rows["cod_seccion"], "Vigente": rows["vigente"],
                          "Devengado": rows["devengado"], "Percibido": rows["percibido"]})
    moved = ", ".join(f"{y}->{y + shift}" for y in years)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(f"DATOS SINTÉTICOS para pruebas: filas reales de {code} con los años movidos ({moved})\n")
        table.to_csv(f, index=False)
    return path


def write_lines(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    """A text file of ``lines`` (a CSV as a user's export would be)."""
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def file_names(directory: Path) -> set[str]:
    """The names in a folder (to check that nothing half-written was left behind)."""
    return {p.name for p in directory.iterdir()}


#: One spec of each family, as users write them in YAML.
SPECS = {
    "inflacion": {"distribucion": "normal", "media": 0.04, "desviacion": 0.01, "minimo": 0.0},
    "ingreso_nacional": {"distribucion": "lognormal", "media": 1.0, "desviacion": 0.15},
    "cobertura": {"distribucion": "triangular", "minimo": 0.3, "moda": 0.5, "maximo": 0.6},
    "recaudo": {"distribucion": "beta", "alfa": 4, "beta": 2, "minimo": 0.5, "maximo": 1.0},
    "tasa": {"distribucion": "uniforme", "minimo": 0.02, "maximo": 0.05},
}


def frozen(spec):
    """The scipy.stats distribution a spec stands for: the independent truth of these tests."""
    if isinstance(spec, Normal):
        if spec.truncated:
            lo = -math.inf if spec.minimum is None else (spec.minimum - spec.mean) / spec.std
            hi = math.inf if spec.maximum is None else (spec.maximum - spec.mean) / spec.std
            return stats.truncnorm(lo, hi, loc=spec.mean, scale=spec.std)
        return stats.norm(loc=spec.mean, scale=spec.std)
    if isinstance(spec, LogNormal):
        mu, sigma = spec.log_params
        return stats.lognorm(s=sigma, scale=math.exp(mu))
    if isinstance(spec, Triangular):
        width = spec.maximum - spec.minimum
        return stats.triang((spec.mode - spec.minimum) / width, loc=spec.minimum, scale=width)
    if isinstance(spec, Beta):
        return stats.beta(spec.alpha, spec.beta, loc=spec.minimum, scale=spec.maximum - spec.minimum)
    assert isinstance(spec, Uniform)
    return stats.uniform(loc=spec.minimum, scale=spec.maximum - spec.minimum)
