"""Investment programming: portfolio, multi-criteria score, optimal multi-year programme
(POM) with its first year (POA), the ranked-fill baseline, strategic-result progress and the
plan that ties them to a run's fiscal space.

Names are imported on first use (PEP 562): the parameter schema imports
``investment.settings``, and an eager import here would import the parameter loader back
while it is still loading.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Comparison": "optimize",
    "Programme": "optimize",
    "compare_methods": "optimize",
    "explain_infeasible": "optimize",
    "fiscal_space_table": "optimize",
    "optimal_programme": "optimize",
    "ranked_fill": "optimize",
    "FUENTES": "portfolio",
    "Project": "portfolio",
    "illustrative_portfolio": "portfolio",
    "load_portfolio": "portfolio",
    "strategic_progress": "progress",
    "DEFAULT_WEIGHTS": "scoring",
    "score_projects": "scoring",
    "InvestmentSettings": "settings",
    "ResultTarget": "settings",
    "plan_violations": "verify",
    "InvestmentPlan": "plan",
    "LoanTerms": "plan",
    "plan_investment": "plan",
    "plan_for_run": "plan",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
