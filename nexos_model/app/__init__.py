"""The Voilà app for advisors: live what-if scenarios, save and share, export the report.

``workbooks/app_escenarios.ipynb`` builds it with :func:`build_app`; ``nexos app`` serves it.
Widgets live in ``ui``, ``controls_ui`` and ``cartera_ui``; everything they show comes from
widget-free modules (``session``, ``levers``, ``views``, ``charts``, ``cartera``,
``scenarios``, ``exports``) over :func:`nexos_model.api.run`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nexos_model.app.ui import App

__all__ = ["build_app"]


def build_app(municipio: str = "0901", escenario: str = "base", overrides: dict[str, Any] | None = None) -> "App":
    """The app opened on a municipality and scenario (imports the widgets only when called)."""
    from nexos_model.app.ui import build_app as build

    return build(municipio, escenario, overrides)
