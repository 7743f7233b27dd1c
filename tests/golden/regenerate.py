"""Rewrite every golden file: the run tables and the SVG specimens (``make golden``).

Run it only when a change of output is intended, and say in the commit why the numbers moved:
``git diff tests/golden`` shows each changed row.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import golden_runs  # noqa: E402
import golden_svg  # noqa: E402


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    written = golden_runs.regenerate() + golden_svg.regenerate()
    for path in written:
        print(path.relative_to(root))


if __name__ == "__main__":
    main()
