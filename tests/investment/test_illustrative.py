"""The ILLUSTRATIVE portfolio: valid, labelled, deterministic."""

from __future__ import annotations

import pytest

from nexos_model.investment.illustrative import ILLUSTRATIVE_PREFIX
from nexos_model.investment.inputs import fiscal_space_table
from nexos_model.investment.optimize import optimal_programme
from nexos_model.investment.project import FUENTES
from nexos_model.io.portfolio import illustrative_portfolio_for, load_portfolio, portfolio_to_yaml
from tests.investment.support import assert_valid


@pytest.mark.parametrize("code", ["0901", "1301"])
def test_illustrative_portfolio_is_valid_and_labelled(code, tmp_path):
    years = [2026, 2027, 2028, 2029]
    projects = illustrative_portfolio_for(code, years)
    assert 12 <= len(projects) <= 20
    assert all(p.illustrative and p.name.startswith(ILLUSTRATIVE_PREFIX) for p in projects)
    assert sum(p.mandatory for p in projects) == 1
    assert any(p.depends_on for p in projects)
    assert sum(p.exclusive_group is not None for p in projects) == 2
    assert all(0.02 <= p.annual_om_cost / p.total_cost <= 0.05 + 1e-3 for p in projects)
    assert projects == illustrative_portfolio_for(code, years)  # deterministic
    path = tmp_path / f"{code}.yaml"
    path.write_text(portfolio_to_yaml(projects), encoding="utf-8")
    assert [p.name for p in load_portfolio(path)] == [p.name for p in projects]
    total = sum(p.total_cost for p in projects)
    space = {k: [total * 0.08] * len(years) for k in FUENTES}
    prog = optimal_programme(projects, space, years)
    assert_valid(prog, projects, fiscal_space_table(space, years), years)
    assert len(prog.starts) + len(prog.no_financiados) == len(projects)
