"""The batch job's input hash: it changes with the inputs and only with them."""

from __future__ import annotations

from nexos_model.batch.jobs import input_hash
from nexos_model.params.loader import params_folders
from tests.support import ROOT


def test_hash_changes_only_with_the_inputs(params_copy, tmp_path):
    workbook = tmp_path / "wb.ipynb"
    workbook.write_text((ROOT / "workbooks" / "reporte_concejo.ipynb").read_text(encoding="utf-8"), encoding="utf-8")

    def digest(code="0901", escenario="base", overrides=None, package="p"):
        return input_hash(code, escenario, params_folders(params_copy), overrides or {}, workbook, package)

    first = digest()
    assert digest() == first and len(first) == 16
    assert digest("1301") != first and digest(escenario="optimista") != first
    assert digest(overrides={"tendencia": {"contraccion": 0.3}}) != first
    assert digest(package="q") != first  # new code, data or template
    (params_copy / "municipios" / "1301.yaml").write_text("tendencia:\n  contraccion: 0.2\n", encoding="utf-8")
    assert digest() == first, "another municipality's file does not touch 0901"
    (params_copy / "municipios" / "0901.yaml").write_text("tendencia:\n  contraccion: 0.2\n", encoding="utf-8")
    second = digest()
    assert second != first
    scenario = params_copy / "escenarios" / "base.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8") + "\n# nota\n", encoding="utf-8")
    third = digest()
    assert third != second
    workbook.write_text(workbook.read_text(encoding="utf-8").replace("Resumen ejecutivo", "Resumen"),
                        encoding="utf-8")
    assert digest() != third
