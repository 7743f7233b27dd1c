"""Nexos: municipal strategic and financial programming for Guatemala."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # ``nexos_model.run`` is imported lazily so ``import nexos_model`` stays fast for the app.
    if name == "run":
        from nexos_model.api import run

        return run
    raise AttributeError(f"module 'nexos_model' has no attribute {name!r}")
