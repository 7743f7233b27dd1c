"""The workbooks' one-line helpers: tables marked for alignment and width, a section's outputs together."""

from __future__ import annotations


def test_show_table_marks_alignment_and_width():
    import pandas as pd

    from nexos_model.report import notebook as nb

    shown = nb.show_table(pd.DataFrame({"Regla": ["Una regla"], "2020": ["✓"], "2021": ["✗"],
                                        "Monto": ["Q 1,234.50"], "Resultado": ["✗ no cumple en 2021"]}))
    html = shown._repr_html_()
    assert "<td class='nexos-cumple'>✓</td>" in html and "<td class='nexos-falla'>✗</td>" in html
    assert "<td class='nexos-num'>Q&nbsp;1,234.50</td>" in html and "<td class='nexos-txt'>Una regla</td>" in html
    assert "nexos-ancha" not in html
    wide = pd.DataFrame({f"Columna {i}": ["Q 123,456,789.00"] for i in range(7)})
    assert "nexos-tabla nexos-ancha" in nb.show_table(wide)._repr_html_()
    assert "Sin hallazgos." in nb.show_table(pd.DataFrame(), empty="Sin hallazgos.")._repr_html_()


def test_show_puts_a_sections_outputs_together_in_order(pesimista):
    import pandas as pd

    from nexos_model.report import notebook as nb

    parts = [nb.show_sentences(["Primera frase."]), nb.show_sentences([]), nb.show_cover(pesimista),
             nb.show_table(pd.DataFrame({"Año": ["2020"]}))]
    together = nb.show(*parts)._repr_mimebundle_()
    assert together["text/html"] == "".join(p._repr_html_() for p in parts)
    assert together["text/plain"] == "\n".join(p.text for p in parts if p.text)
    assert together[nb.COVER_MIMETYPE] == parts[2].extra[nb.COVER_MIMETYPE]  # the cover still reaches the template
