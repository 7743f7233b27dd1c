"""Validation problems in Spanish: pydantic's types, values shown short, key paths on one line."""

from __future__ import annotations

from nexos_model.params.problems import expected_for_type, key_path, kind_of, location, problem_text, shown


def test_every_pydantic_type_has_spanish_words_and_unknown_ones_too():
    assert problem_text({"type": "float_parsing"}) == "debe ser un número"
    assert problem_text({"type": "a_type_pydantic_adds_later"}) == "valor no válido"
    assert expected_for_type({"type": "less_than_equal", "ctx": {"le": 0.5}}) == "<= 0.5"
    assert expected_for_type({"type": "literal_error", "ctx": {"expected": "'s' or 'lineal'"}}) == "uno de s o lineal"


def test_values_are_shown_short_and_on_one_line():
    assert shown("a\nb") == "'a\\nb'"
    assert len(shown({i: list(range(100)) for i in range(1000)})) <= 80
    assert len(shown("x" * 10_000)) <= 80 and shown(10**50).startswith("1000")


def test_locations_kinds_and_key_paths():
    assert location(("macro", "inflacion", "function-before[f(), dict[int,float]]", 2026)) == (
        ("macro", "inflacion", 2026), False)
    assert location(("resultados", "x", "[key]")) == (("resultados", "x"), True)
    assert [kind_of(v) for v in (None, True, 1.5, "a", [1], {})] == [
        "un valor vacío", "verdadero/falso", "un número", "un texto", "una lista", "un mapa de claves"]
    assert key_path(["macro", "inflacion", 2026]) == "macro.inflacion.2026"
    assert key_path(["proyectos", "a\nb"]) == "proyectos.'a\\nb'"
