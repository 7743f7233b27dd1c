"""A burst of changes is coalesced into one call."""

from __future__ import annotations


def test_debouncer_coalesces_a_burst_into_one_call():
    import asyncio

    from nexos_model.app.feedback import Debouncer

    calls: list[int] = []

    async def burst() -> None:
        debounced = Debouncer(lambda: calls.append(1), delay=0.02)
        for _ in range(5):
            debounced()
        await asyncio.sleep(0.1)

    asyncio.run(burst())
    assert calls == [1]
    Debouncer(lambda: calls.append(2))()  # without an event loop: at once
    assert calls == [1, 2]


def test_messages_reach_the_advisor_without_keys_paths_or_commands():
    from nexos_model.app.feedback import advisor_words, error_html

    text = advisor_words("/srv/nexos/params/defaults.yaml: palancas.iusi_cobertura: anio_meta (2025) debe ser "
                         "posterior a anio_inicio (2027)")
    assert text == ("los valores por defecto: «Cobertura catastral del IUSI»: Año en que se alcanza la meta (2025) "
                    "debe ser posterior a Año de inicio (2027)")
    assert advisor_words("params/escenarios/usuarios/catastro_2028.yaml: x") == "el escenario «Catastro 2028»: x"
    assert "nexos municipios" not in advisor_words("municipio '9999' desconocido (ver `nexos municipios`)")
    assert advisor_words("fila 1: costo_total: mal", {"costo_total": "Costo total (Q)"}) == "fila 1: «Costo total (Q)»: mal"
    assert "/tmp" not in advisor_words("ver /tmp/nexos-app-1/workbook.fallido.ipynb")
    assert "&lt;" in error_html("a <b>") and "nexos-error" in error_html(["uno", "dos"])
