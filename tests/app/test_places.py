"""Finding a municipality from what the advisor types."""

from __future__ import annotations

from nexos_model.app.places import find, search_message


def test_a_code_a_name_or_its_start_finds_the_municipality():
    assert [p.code for p in find("1301")] == ["1301"] and [p.code for p in find("901")] == ["0901"]
    assert [p.code for p in find("huehue")] == ["1301"]  # the start of one name, any case
    assert [p.code for p in find("1301 · Huehuetenango (Huehuetenango)")] == ["1301"]
    assert [p.code for p in find("chinautla")] == ["0106"]
    assert len(find("San")) > 20 and find("") == [] and find("Xela") == [] and find("9999") == []


def test_what_is_said_when_the_text_names_none_or_many():
    assert "No se encontró el municipio «Xela»" in search_message("Xela", [])
    assert "No hay un municipio con el código 9999" in search_message("9999", [])
    message = search_message("San", find("San"))
    assert message.startswith("«San» coincide con") and message.endswith("Elija uno en la lista.")
