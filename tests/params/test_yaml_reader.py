"""Bounded YAML: every limit is a Spanish message naming the source, the line and the key."""

from __future__ import annotations

import datetime
import time

import pytest

from nexos_model.errors import ParameterError
from nexos_model.params.yaml_reader import MAX_BYTES, MAX_DEPTH, MAX_VALUES, parse_yaml, read_yaml_text

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def _problem(text: str) -> str:
    with pytest.raises(ParameterError) as caught:
        parse_yaml(text, "f.yaml")
    (message,) = caught.value.messages
    assert message.startswith("f.yaml: ")
    return message


def test_plain_documents_read_as_pyyaml_reads_them():
    text = "macro:\n  inflacion: 0.04\n  serie: {2026: 0.05}\nlista: [1, 'dos', 3.5, null, true]\nvacio:\n"
    assert parse_yaml(text, "f.yaml") == {"macro": {"inflacion": 0.04, "serie": {2026: 0.05}},
                                          "lista": [1, "dos", 3.5, None, True], "vacio": None}
    assert parse_yaml("", "f.yaml") is None


def test_a_few_aliases_and_merge_keys_are_fine():
    text = "base: &b {meta: 0.5, forma: s}\notra: *b\nderivada:\n  <<: *b\n  meta: 0.6\n"
    assert parse_yaml(text, "f.yaml")["derivada"] == {"meta": 0.6, "forma": "s"}


def test_the_billion_laughs_stops_at_once():
    start = time.perf_counter()
    message = _problem(BOMB)
    assert time.perf_counter() - start < 0.5
    assert f"crece a más de {MAX_VALUES:,} valores al expandir sus alias" in message and "línea " in message


def test_an_alias_inside_its_own_anchor_is_refused():
    assert "a[1]: un alias está dentro de su propia ancla" in _problem("a: &a [1, *a]\n")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 990, 100_000])
def test_deep_nesting_is_refused_without_recursion(depth):
    message = _problem("macro: " + "[" * depth + "]" * depth + "\n")
    assert f"anidamiento demasiado profundo (más de {MAX_DEPTH} niveles" in message
    assert "macro[0][0]" in message or depth >= 1000  # beyond 1,000 levels libyaml itself stops first


def test_nesting_within_the_limit_is_read():
    depth = MAX_DEPTH - 1
    assert parse_yaml("a: " + "[" * depth + "]" * depth, "f.yaml")["a"] == eval("[" * depth + "]" * depth)


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "1" * 25, "0x" + "f" * 30, "1:" * 30 + "1"])
def test_absurd_integers_are_refused_by_key(number):
    assert "macro.inflacion: número entero demasiado largo" in _problem(f"macro:\n  inflacion: {number}\n")


def test_a_long_text_of_digits_in_quotes_is_a_text():
    assert parse_yaml(f"a: '{'9' * 5000}'", "f.yaml") == {"a": "9" * 5000}


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['ls']", "!!python/name:os.system", "!mio x",
                                 "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]"])
def test_tags_other_than_the_plain_ones_are_refused(tag):
    assert "etiqueta YAML" in _problem(f"a: {tag}\n") and "no admitida" in _problem(f"a: {tag}\n")


def test_plain_tags_and_dates_are_allowed():
    assert parse_yaml("a: !!str 5\nb: !!float 1\nc: 2026-01-01\n", "f.yaml") == {
        "a": "5", "b": 1.0, "c": datetime.date(2026, 1, 1)}



@pytest.mark.parametrize("text, kind", [("!!int 3 in", "número entero"), ("!!float uno", "número"),
                                        ("!!timestamp hoy", "fecha"), ("!!bool quizás", "verdadero o falso")])
def test_a_plain_tag_on_a_value_it_cannot_read_is_a_spanish_message_with_its_line(text, kind):
    """PyYAML raises a bare ValueError here (found by the fuzz run, seed 2026)."""
    message = _problem(f"macro:\n  inflacion: {text}\n")
    assert "línea 2" in message and f"no se puede leer como {kind}" in message


def test_duplicate_keys_are_an_error():
    message = _problem("macro:\n  inflacion: 0.05\n  inflacion: 0.06\n")
    assert "línea 3" in message and "la clave 'inflacion' está repetida (ya aparece en la línea 2)" in message


@pytest.mark.parametrize("key, hint", [("yes", "verdadero o falso"), ("on", "verdadero o falso"),
                                       ("1.5", "entre comillas"), ("null", "entre comillas")])
def test_keys_that_are_not_a_text_or_a_year_are_refused(key, hint):
    message = _problem(f"{key}: 3\n")
    assert f"clave no válida '{key}'" in message and hint in message


def test_complex_keys_are_refused():
    assert "una clave debe ser un texto o un año" in _problem("? [a, b]\n: 1\n")


@pytest.mark.parametrize("text, spanish", [
    ("a: [1,", "falta un valor"),
    ("a: [1, 2\nb: 3", "falta una coma o el corchete de cierre"),
    ("a: b: c", "':' no admitido aquí"),
    ("a:\n\t- 1", "tabulador en la indentación"),
    ("a: 1\n---\nb: 2", "más de un documento YAML"),
    ("a: *nada", "alias (*nombre) sin un ancla"),
    ("a: \x01", "carácter de control no admitido"),
    ("a: 'sin cerrar", "el archivo termina antes de cerrar un texto entre comillas"),
])
def test_libyaml_problems_come_back_in_spanish_with_line_and_column(text, spanish):
    message = _problem(text)
    assert spanish in message and "YAML mal formado" in message
    assert not any(word in message for word in ("expected", "found", "while", "could not"))


def test_a_one_line_value_says_where_in_the_value():
    with pytest.raises(ParameterError, match=r"^--set clave: al final del valor: YAML mal formado: falta un valor$"):
        parse_yaml("[1,", "--set clave", value=True)


def test_files_too_large_or_not_utf8(tmp_path):
    big = tmp_path / "grande.yaml"
    big.write_text("a: " + "x" * (MAX_BYTES + 1), encoding="utf-8")
    with pytest.raises(ParameterError, match="grande.yaml: el archivo es demasiado grande"):
        read_yaml_text(big, "grande.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("descripcion: año\n".encode("latin-1"))
    with pytest.raises(ParameterError, match="latin.yaml: línea 1: el archivo no está en UTF-8"):
        read_yaml_text(latin, "latin.yaml")
    assert read_yaml_text(latin, "latin.yaml", fallback_encoding="latin-1") == "descripcion: año\n"
    with pytest.raises(ParameterError, match="nada.yaml: el archivo no existe"):
        read_yaml_text(tmp_path / "nada.yaml", "nada.yaml")
    with pytest.raises(ParameterError, match="es una carpeta"):
        read_yaml_text(tmp_path, "carpeta")
