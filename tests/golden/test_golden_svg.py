"""Golden SVGs: the chart engine draws each mark type exactly as stored in ``tests/golden/svg/``.

A change in layout, paint or text of any mark fails here with the lines that changed. The
specimens are in ``golden_svg.py``; regenerate ONLY with ``make golden`` when the change is
intended, and look at the new files in a browser before committing them.
"""

from __future__ import annotations

import difflib
import xml.etree.ElementTree as ET

import pytest

from tests.golden import golden_svg
from tests.golden.golden_svg import SPECIMENS

NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("name", sorted(SPECIMENS))
def test_svg_matches_golden(name):
    stored_path = golden_svg.path(name)
    assert stored_path.is_file(), f"{stored_path.name} missing: run `make golden` and commit tests/golden/svg/"
    stored = stored_path.read_text(encoding="utf-8")
    new = golden_svg.readable(SPECIMENS[name]().svg)
    if new != stored:
        diff = list(difflib.unified_diff(stored.splitlines(), new.splitlines(), "stored", "new", lineterm="", n=1))
        shown = "\n".join(diff[:60]) + (f"\n... and {len(diff) - 60} more lines" if len(diff) > 60 else "")
        pytest.fail(f"tests/golden/svg/{name}.svg differs from the engine's output:\n{shown}\n"
                    "If the change is intended: `make golden`, look at the SVG, and say why in the commit.")


@pytest.mark.parametrize("name", sorted(SPECIMENS))
def test_golden_svg_draws_its_mark(name):
    """Each stored specimen is well-formed and shows what it is for: the mark drawn, its legend."""
    root = ET.fromstring(golden_svg.path(name).read_text(encoding="utf-8"))
    chart = SPECIMENS[name]()
    kinds = {m.kind for m in chart.marks}
    expected = {"stack": "rect"}.get(name, name)
    assert expected in kinds, (name, kinds)
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    for label in chart.legend:
        assert label in texts, (name, label)
    drawn = {"rect": "rect", "line": "polyline", "band": "polygon", "rule": "line", "text": "text"}
    if name in drawn:
        assert any(True for _ in root.iter(NS + drawn[name]))


def test_every_mark_type_has_a_specimen():
    """The kinds ``Mark`` documents (rect, line, band, points, rule, text) each have a golden."""
    assert {"rect", "line", "band", "points", "rule", "text"} <= set(SPECIMENS)
