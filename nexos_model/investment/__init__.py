"""Investment programming: portfolio, multi-criteria score, optimal multi-year programme
(POM) with its first year (POA), the ranked-fill baseline and strategic-result progress."""

from nexos_model.investment.optimize import (
    Comparison,
    Programme,
    compare_methods,
    fiscal_space_table,
    optimal_programme,
    ranked_fill,
)
from nexos_model.investment.portfolio import (
    FUENTES,
    Project,
    illustrative_portfolio,
    load_portfolio,
)
from nexos_model.investment.progress import ResultTarget, strategic_progress
from nexos_model.investment.scoring import DEFAULT_WEIGHTS, score_projects

__all__ = [
    "Comparison",
    "DEFAULT_WEIGHTS",
    "FUENTES",
    "Programme",
    "Project",
    "ResultTarget",
    "compare_methods",
    "fiscal_space_table",
    "illustrative_portfolio",
    "load_portfolio",
    "optimal_programme",
    "ranked_fill",
    "score_projects",
    "strategic_progress",
]
