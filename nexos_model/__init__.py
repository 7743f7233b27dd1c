"""Nexos: municipal strategic and financial programming for Guatemala.

``nexos_model.run`` is :func:`nexos_model.api.run`, the one entry point (see ``ARCHITECTURE.md``).
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # PEP 562: every ``import nexos_model.<anything>`` runs this file first, and importing the
    # model here would cost every command its start-up (``nexos --help``: 0.03 s lazy, 1.1 s eager).
    if name == "run":
        from nexos_model.api import run  # lazy: ``nexos_model.run`` without loading the model at import

        return run
    raise AttributeError(f"module 'nexos_model' has no attribute {name!r}")
