"""The chart engine's own tests (``nexos_model/report/svg.py``).

Properties of the tick algorithm (hypothesis): the ticks cover the data, are round numbers
(1, 2 or 5 × 10ⁿ apart), evenly spaced, no more of them than needed, and each label states its
tick exactly. Well-formedness: any plot of any data (missing values, negatives, text with XML
characters) is an SVG an XML parser reads, with finite coordinates and a hover title per item.
The golden SVG of each mark type is compared in ``tests/golden/test_golden_svg.py``.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from hypothesis import example, given, settings, strategies as st

from nexos_model.report import svg
from nexos_model.report.svg import Axis, Plot, nice_ticks, value_labels

NS = "{http://www.w3.org/2000/svg}"
LIMIT = 1e12  # Q 1 billón: far above any municipal amount (the national aporte is Q 6.1e9)
finite = st.floats(-LIMIT, LIMIT, allow_nan=False, allow_infinity=False)


def _step(ticks: list[float]) -> float:
    return ticks[1] - ticks[0]


# ------------------------------------------------------------------------------------ ticks


@settings(max_examples=400, deadline=None)
@given(finite, finite, st.integers(1, 12))
@example(0.0, 0.0, 6)  # one value: the axis spans around it
@example(0.0, 1e-13, 6)  # float noise around zero
@example(1234567.89, 1234567.8900000002, 6)  # a flat series with float noise
@example(0.1 + 0.2, 0.3, 6)
@example(-3.7e6, 12.25e6, 6)
def test_ticks_cover_the_data_with_round_evenly_spaced_values(a, b, count):
    low, high = min(a, b), max(a, b)
    ticks = nice_ticks(low, high, count)
    step = _step(ticks)
    assert step > 0 and len(ticks) >= 2, ticks
    # cover the data
    assert ticks[0] <= low + 1e-9 * step and ticks[-1] >= high - 1e-9 * step, (low, high, ticks)
    # evenly spaced
    for left, right in zip(ticks, ticks[1:]):
        assert math.isclose(right - left, step, rel_tol=1e-6), ticks
    # round: the step is 1, 2 or 5 × 10ⁿ (never 2.5), and every tick a whole number of steps
    exponent = math.floor(math.log10(step) + 1e-9)
    mantissa = step / 10**exponent
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5)), (step, ticks)
    for t in ticks:
        assert abs(t / step - round(t / step)) < 1e-6, (t, step)
    # as many intervals as asked, give or take the rounding of the ends (step < 2.5 × span/count)
    intervals = len(ticks) - 1
    assert count / 2.5 < intervals <= count + 1, (count, ticks)


@settings(max_examples=300, deadline=None)
@given(finite, st.floats(1e-6, 1.0), st.integers(1, 12))
def test_ticks_are_tight_around_data_that_vary(low, relative_span, count):
    """No tick beyond the first one below the data and the first one above it."""
    high = low + relative_span * max(abs(low), 1.0)
    ticks = nice_ticks(low, high, count)
    step = _step(ticks)
    assert ticks[1] > low - 1e-9 * step and ticks[-2] < high + 1e-9 * step, (low, high, ticks)


def _read_label(label: str, unit: str) -> float:
    """The number a person reads in a tick label: ``-Q 1,234.5`` (millions), ``12.5 %``, ``1,250``."""
    match = re.fullmatch(r"(-?)(?:Q )?([\d,]+(?:\.\d+)?)(?: %)?", label)
    assert match, f"label {label!r} is not a number in the unit's words"
    value = float(match.group(2).replace(",", "")) * (-1 if match.group(1) else 1)
    return value * {"quetzales": 1e6, "porcentaje": 0.01}.get(unit, 1.0)


@settings(max_examples=400, deadline=None)
@given(finite, finite, st.sampled_from(["quetzales", "porcentaje", "personas"]))
@example(0.0, 0.35, "porcentaje")
@example(0.0, 2.5e6, "quetzales")
@example(-150.0, 1300.0, "personas")
def test_labels_state_their_tick(a, b, unit):
    if unit == "porcentaje":  # fractions: shares of 0 to a few hundred per cent
        a, b = a / LIMIT * 5, b / LIMIT * 5
    ticks = nice_ticks(min(a, b), max(a, b))
    labels = value_labels(ticks, unit)
    assert len(set(labels)) == len(labels), labels
    step = _step(ticks)
    for tick, label in zip(ticks, labels):
        assert abs(_read_label(label, unit) - tick) <= 1e-6 * step, (tick, label, step)
        if unit == "quetzales":
            assert label.replace("-", "").startswith("Q ")
        if unit == "porcentaje":
            assert label.endswith(" %")


def test_ticks_of_typical_axes():
    """Hand-checked: what a council sees on three common axes."""
    assert nice_ticks(0, 23.4e6) == [0, 5e6, 10e6, 15e6, 20e6, 25e6]
    assert value_labels(nice_ticks(0, 23.4e6), "quetzales") == ["Q 0", "Q 5", "Q 10", "Q 15", "Q 20", "Q 25"]
    assert value_labels(nice_ticks(0, 0.35), "porcentaje") == ["0 %", "10 %", "20 %", "30 %", "40 %"]
    assert value_labels(nice_ticks(-1.2e6, 2.9e6), "quetzales") == ["-Q 2", "-Q 1", "Q 0", "Q 1", "Q 2", "Q 3"]
    assert value_labels(nice_ticks(0, 0.9e6), "quetzales") == ["Q 0.0", "Q 0.2", "Q 0.4", "Q 0.6", "Q 0.8", "Q 1.0"]


# ------------------------------------------------------------------------------ well-formedness

# Text as people type it, including the characters XML escapes; not the C0 control characters,
# which XML 1.0 cannot hold at all (see test_control_characters_do_not_break_the_svg).
words = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30) | st.sampled_from(
    ['Agua & saneamiento <rural>', 'Mercado "La Terminal"', "Q 1,234.56\nmillones", ""])
maybe = st.floats(-1e9, 1e9) | st.just(math.nan)


@st.composite
def plots(draw) -> Plot:
    years = list(range(2016, 2016 + draw(st.integers(1, 14))))
    rows = draw(st.booleans())
    labels = tuple(draw(st.lists(words, min_size=1, max_size=6)))
    y = Axis("rows", labels=labels) if rows else Axis("value", draw(words), draw(
        st.sampled_from(["quetzales", "porcentaje", "personas"])), zero=draw(st.booleans()))
    x = Axis("value", draw(words), "quetzales") if rows else Axis("years", draw(words))
    plot = Plot(draw(words), x, y, note=draw(words))
    positions = list(range(len(labels))) if rows else years
    series = st.lists(maybe, min_size=len(positions), max_size=len(positions))
    kinds = draw(st.lists(st.sampled_from(["rects", "stack", "line", "band", "points", "rule", "labels",
                                           "shade"]), min_size=1, max_size=6))
    for kind in kinds:
        values = draw(series)
        tips = [draw(words) for _ in positions]
        if kind == "rects":
            base = [0.0] * len(positions)
            lo, hi = [p - 0.3 for p in positions], [p + 0.3 for p in positions]
            coords = (base, values, lo, hi) if rows else (lo, hi, base, values)
            plot.rects(draw(words), *coords, fill=svg.LIGHT, dash=draw(st.sampled_from([None, "--", ":"])), tips=tips)
        elif kind == "stack":
            parts = [(draw(words), draw(series)) for _ in range(draw(st.integers(1, 4)))]
            plot.stack(positions, parts, vertical=not rows, tip=lambda label, p, v: f"{label} {p}: {v}")
        elif kind == "line":
            plot.line(draw(words), positions, values, marker=draw(st.sampled_from([None, "o", "s", "^", "v", "D", "P"])),
                      dash=draw(st.sampled_from([None, "--", ":", "-."])), tips=tips)
        elif kind == "band":
            plot.band(draw(words), positions, values, [v + 1 for v in values])
        elif kind == "points":
            plot.points(draw(words), values if rows else positions, positions if rows else values,
                        marker=draw(st.sampled_from(["|", "o", "D"])), tips=tips)
        elif kind == "rule":
            where = draw(st.floats(-1e6, 1e6))
            plot.rule(draw(words), **({"x": where} if rows else {"y": where}), dash=":")
        elif kind == "labels":
            plot.labels(values if rows else positions, positions if rows else values, [draw(words) for _ in positions])
        else:
            plot.shade(positions[0], positions[-1], draw(words))
    return plot


NUMBER_ATTRIBUTES = ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "stroke-width")


@settings(max_examples=150, deadline=None)
@given(plots())
def test_any_plot_is_a_well_formed_svg(plot):
    chart = plot.render()
    root = ET.fromstring(chart.svg)  # raises on anything an XML parser refuses
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert float(root.get("height")) == chart.height > 0
    assert root.get("aria-label") == re.sub(r"[\t\n\r]", " ", plot.title)  # XML normalizes attributes
    for element in root.iter():
        for name in NUMBER_ATTRIBUTES:
            value = element.get(name)
            if value is not None and not value.endswith("%"):
                assert math.isfinite(float(value)), (element.tag, name, value)
        for name in ("points",):
            for number in re.split(r"[ ,]", element.get(name) or ""):
                assert number == "" or math.isfinite(float(number)), (element.tag, number)
        if element.tag == f"{NS}rect" and element.get("width") != "100%":
            assert float(element.get("width")) >= 0 and float(element.get("height")) >= 0
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert plot.title.replace("\n", "") in texts
    # a hover title for every drawn item that has one: the text is what the caller gave
    given_tips = {tip for m in plot.marks for tip in m.tips}
    for title in root.iter(f"{NS}title"):
        assert title.text in given_tips or title.text in {m.label for m in plot.marks}, title.text


def test_control_characters_do_not_break_the_svg():
    """A name pasted from a spreadsheet may carry a vertical tab or a form feed, which XML 1.0
    cannot hold: the chart must still be readable (the character is dropped)."""
    plot = Plot("Cartera\x0bde proyectos", Axis("years"), Axis("value"))
    plot.rects("Agua\x0c potable", [2020], [2021], [0], [1e6], fill=svg.LIGHT, tips=["Pozo\x01 1"])
    root = ET.fromstring(plot.render().svg)
    assert "Carterade proyectos" in ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


# ---------------------------------------------------------------------------------- scope rule

#: The mark types of the engine. The module docstring's rule: no new mark type without two
#: callers. Add a name here only with the two callers in the same change.
MARKS = {"rects", "stack", "line", "band", "points", "rule", "labels", "shade"}


def test_mark_types_are_the_known_ones():
    methods = {name for name, value in vars(Plot).items() if callable(value) and not name.startswith("_")}
    assert methods - {"render"} == MARKS, ("a new mark type needs two callers (svg.py docstring): "
                                          f"{sorted(methods - {'render'} - MARKS)}")
    assert "no new mark type without two callers" in " ".join(svg.__doc__.lower().split())
