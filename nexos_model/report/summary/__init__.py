"""What the reports say: Spanish sentences and formatted tables built from a ``RunResult``.

Each function takes the result of :func:`nexos_model.run` (and optionally a municipality code,
by default the first one run) and returns either a list of Spanish sentences or a table whose
cells are already text (``Q 1,234.56``, ``12.3 %``), ready to show in a notebook or the HTML
report. The investment-plan functions take an ``InvestmentPlan``
(:func:`nexos_model.api.plan_for_run`), the scenario ones a scenario comparison or a
tornado table. :func:`excel_tables` returns the same content as numbers for the Excel file.

A new section adds one function to its section's module and one cell in a workbook. Rule
results are written ``✓ cumple`` / ``✗ no cumple`` so they read in grey print; the notebook
helpers colour them green and red on screen.

The functions live in one module per report section; they are all importable from here.
"""

from nexos_model.report.summary.common import (  # noqa: F401
    BREACH,
    CRITERIA_LABELS,
    DRIVER_LABELS,
    FUENTE_LABELS,
    GAP_LABELS,
    GAP_PARTS,
    GAP_SHORT,
    OK,
    SECTOR_LABELS,
    SOURCE_NAMES,
    SUBJECTS,
    SUMMARY_CONCEPTS,
    TRANSFER_SOURCES,
    _autonomy,
    _code,
    _finding_label,
    _growth,
    _name,
    _path_sentence,
    _path_table,
    _place,
    _projected,
    _rows,
    _share,
    _year_table,
    _years,
    cover,
    data_age_sentences,
    scenario_name,
)
from nexos_model.report.summary.excel import (  # noqa: F401
    LINE_HEADERS,
    PLAN_HEADERS,
    SHARE_RULES,
    _indicator_sheet,
    _lines_sheet,
    _plan_sheet,
    _plan_sheets,
    _projection_sheet,
    _rules_sheet,
    _space_sheet,
    _with_formats,
    assumptions_annex,
    excel_tables,
    scenario_sheet,
)
from nexos_model.report.summary.finance import (  # noqa: F401
    SOURCES,
    USES,
    _identity,
    _rules,
    aporte_criteria_table,
    debt_table,
    finance_sentences,
    fiscal_space_sentences,
    fiscal_space_table,
    rules_basis_table,
    rules_matrix,
    rules_sentences,
    sources_uses_sentences,
    sources_uses_table,
    space_by_source,
    spending_table,
    transfer_table,
)
from nexos_model.report.summary.overview import (  # noqa: F401
    INDICATOR_SHORT,
    _indicator_text,
    concept_table,
    executive_summary,
    headline_lines,
    history_table,
    indicator_path_table,
    indicators_table,
    projection_notes,
    quality_sentences,
    quality_table,
    revenue_table,
)
from nexos_model.report.summary.plan import (  # noqa: F401
    _portfolio_origin,
    _sources_text,
    plan_comparison_table,
    plan_effect_table,
    plan_funding_table,
    plan_poa_table,
    plan_poa_title,
    plan_portfolio_table,
    plan_schedule_table,
    plan_scores_table,
    plan_sentences,
    plan_unfunded_table,
    plan_warnings,
)
from nexos_model.report.summary.revenue import (  # noqa: F401
    EFFECT_LINES,
    _effect,
    _gap_sentences,
    _in_sentence,
    _lever_value,
    calibration_table,
    gap_table,
    lever_effect_table,
    lever_sentences,
    lever_table,
    own_revenue_sentences,
    stream_names,
    stream_table,
)
from nexos_model.report.summary.scenarios import (  # noqa: F401
    _by_scenario,
    _event_name,
    _outcomes_in,
    _value_of,
    breaches_table,
    changes_table,
    comparison_difference_table,
    comparison_sentences,
    comparison_table,
    parameter_value,
    probability_sentences,
    tornado_table,
    uncertainty_sentences,
    uncertainty_table,
    unit_of,
)

__all__ = ['cover', 'scenario_name', 'scenario_sheet', 'data_age_sentences', 'executive_summary', 'headline_lines', 'quality_sentences', 'projection_notes', 'concept_table', 'history_table', 'indicators_table', 'quality_table', 'revenue_table', 'calibration_table', 'gap_table', 'indicator_path_table', 'lever_effect_table', 'lever_sentences', 'lever_table', 'own_revenue_sentences', 'stream_table', 'SOURCE_NAMES', 'parameter_value', 'space_by_source', 'stream_names', 'unit_of', 'aporte_criteria_table', 'debt_table', 'finance_sentences', 'fiscal_space_sentences', 'fiscal_space_table', 'rules_basis_table', 'rules_matrix', 'rules_sentences', 'sources_uses_sentences', 'sources_uses_table', 'spending_table', 'transfer_table', 'plan_comparison_table', 'plan_effect_table', 'plan_funding_table', 'plan_poa_table', 'plan_poa_title', 'plan_portfolio_table', 'plan_schedule_table', 'plan_scores_table', 'plan_sentences', 'plan_unfunded_table', 'plan_warnings', 'breaches_table', 'changes_table', 'comparison_difference_table', 'comparison_sentences', 'comparison_table', 'probability_sentences', 'tornado_table', 'uncertainty_sentences', 'uncertainty_table', 'assumptions_annex', 'excel_tables']
