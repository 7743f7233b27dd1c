"""The Voilà app for advisors: live what-if scenarios, save and share, export the report.

``workbooks/app_escenarios.ipynb`` builds it with :func:`nexos_model.app.ui.build_app`;
``nexos app`` serves it (:mod:`.server`). Widgets live in ``ui``, ``controls_ui`` and
``cartera_ui``; everything they show comes from widget-free modules (``session``, ``levers``,
``views``, ``charts``, ``cartera``, ``scenarios``, ``places``, ``feedback``, ``exports``) over
:func:`nexos_model.api.run`.
"""
