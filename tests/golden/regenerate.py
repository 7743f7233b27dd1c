"""Rewrite every golden file: the run tables and the SVG specimens (``make golden``:
``python -m tests.golden.regenerate``).

Run it only when a change of output is intended, and say in the commit why the numbers moved:
``git diff tests/golden`` shows each changed row.
"""

from __future__ import annotations

from pathlib import Path

from tests.golden import golden_runs, golden_svg


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    written = golden_runs.regenerate() + golden_svg.regenerate()
    for path in written:
        print(path.relative_to(root))


if __name__ == "__main__":
    main()
