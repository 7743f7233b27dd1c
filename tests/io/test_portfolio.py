"""Portfolio files: YAML and CSV with lists, every error of every project at once; the bundled portfolios."""

from __future__ import annotations

import pytest

from nexos_model.errors import ParameterError
from nexos_model.investment.illustrative import ILLUSTRATIVE_PREFIX
from nexos_model.io.portfolio import load_portfolio
from tests.support import ROOT


def test_yaml_portfolio_reports_every_error_at_once(tmp_path):
    path = tmp_path / "0901.yaml"
    path.write_text(
        "proyectos:\n"
        "  - nombre: Agua\n"
        "    sector: agua\n"
        "    costo_total: -5\n"
        "    duracion: 2\n"
        "    perfil_costo: [0.5, 0.6]\n"
        "    fuentes: [propios, petroleo]\n"
        "  - nombre: Drenaje\n"
        "    sector: saneamiento\n"
        "    costo_total: 100\n"
        "    duracion: 1\n"
        "    inicio_minimo: 2029\n"
        "    inicio_maximo: 2027\n"
        "    depende_de: [Planta]\n"
        "    fuentes: [codede]\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError) as err:
        load_portfolio(path)
    messages = err.value.messages
    text = "\n".join(messages)
    assert f"{path}: proyecto 'Agua' (fila 2): costo_total: fuera de rango (valor dado: -5;" in text
    assert "perfil_costo: las proporciones suman 1.1" in text
    assert "fuentes.1: fuente de financiamiento desconocida (valor dado: 'petroleo'" in text
    assert "proyecto 'Drenaje' (fila 8): inicio_minimo: es posterior a inicio_maximo" in text
    assert "depende_de: proyecto desconocido (valor dado: ['Planta']" in text
    assert len(messages) == 5


def test_csv_portfolio_with_lists(tmp_path):
    path = tmp_path / "cartera.csv"
    path.write_text(
        "Cartera de inversión 2026\n\n"
        "nombre,sector,costo_total,duracion,perfil_costo,fuentes,depende_de,obligatorio,resultados\n"
        'Planta,agua,"Q 1,200,000.00",2,0.4;0.6,codede;propios,,no,cobertura_agua:1200\n'
        "Red,agua,500000,1,,aporte_constitucional,Planta,sí,\n",
        encoding="utf-8",
    )
    planta, red = load_portfolio(path)
    assert planta.total_cost == 1_200_000 and planta.cost_profile == (0.4, 0.6)
    assert planta.sources == ("codede", "propios") and planta.results == {"cobertura_agua": 1200}
    assert red.depends_on == ("Planta",) and red.mandatory and red.cost_profile == (1.0,)
    bad = tmp_path / "mala.csv"
    bad.write_text("nombre,sector,costo_total,duracion,fuentes\nX,agua,abc,0,propios\n", encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_portfolio(bad)
    assert len(err.value.messages) == 2 and "(fila 2)" in err.value.messages[0]


@pytest.mark.parametrize("code", ["0901", "1301"])
def test_bundled_portfolios_are_valid_and_clearly_illustrative(code):
    path = ROOT / "params" / "carteras" / f"{code}.yaml"
    projects = load_portfolio(path)
    assert len(projects) == 16 and all(p.illustrative and p.name.startswith(ILLUSTRATIVE_PREFIX) for p in projects)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith("# yaml-language-server:")]  # the editor's schema line comes first
    assert "NO es un plan municipal real" in lines[0]
