"""``create_working_folder`` (``nexos init``): editable copies of what Nexos ships, never an overwrite."""

from __future__ import annotations

from nexos_model.io.bundled import WORKBOOKS_DIR
from nexos_model.io.working_folder import create_working_folder
from nexos_model.params.loader import PACKAGED_PARAMS, load_parameters, read_yaml


def test_a_working_folder_holds_copies_guides_and_an_empty_overlay(tmp_path):
    folder = tmp_path / "trabajo"
    done = create_working_folder(folder)
    assert all(d.created for d in done)
    names = {d.path.relative_to(folder).as_posix() for d in done}
    scenarios = {f"params/escenarios/{p.name}" for p in PACKAGED_PARAMS.glob("escenarios/*.yaml")}
    workbooks = {f"workbooks/{p.name}" for p in WORKBOOKS_DIR.glob("*.ipynb")}
    assert scenarios | workbooks | {"LEEME.md", "params/defaults.yaml", "params/municipios/LEEME.md",
                                    "params/carteras/LEEME.md", "params/esquema_parametros.json",
                                    "params/esquema_cartera.json", "datos"} == names
    assert read_yaml(folder / "params" / "defaults.yaml") == {}, "the user's defaults start empty (only comments)"
    for name in scenarios:
        assert (folder / name).read_bytes() == (PACKAGED_PARAMS / name.removeprefix("params/")).read_bytes()
    assert (folder / "datos").is_dir()


def test_running_it_again_keeps_the_users_files(tmp_path):
    folder = tmp_path / "trabajo"
    create_working_folder(folder)
    base = folder / "params" / "escenarios" / "base.yaml"
    base.write_text("descripcion: mi base\n", encoding="utf-8")
    (folder / "workbooks" / "01_diagnostico.ipynb").unlink()
    again = {d.path.relative_to(folder).as_posix(): d.created for d in create_working_folder(folder)}
    assert again["workbooks/01_diagnostico.ipynb"] is True
    assert again["params/escenarios/base.yaml"] is False
    assert base.read_text(encoding="utf-8") == "descripcion: mi base\n"
    assert load_parameters("0901", "base", directory=folder / "params").params.description == "mi base"
