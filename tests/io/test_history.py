"""The history a run projects: bundled, a user's export, or the export with the bundled others."""

from __future__ import annotations

import pytest

from nexos_model.errors import NexosError
from nexos_model.io.history import load_bundled_history, load_history, with_other_municipalities


def test_a_users_file_is_completed_with_the_municipalities_it_lacks():
    bundled = load_bundled_history()
    own = bundled.loc[(bundled["municipio"] == "0901") & (bundled["anio"] >= 2018)]
    history, borrowed = with_other_municipalities(own)
    assert borrowed == 339 and history["municipio"].nunique() == 340
    mine = history.loc[history["municipio"] == "0901"]
    assert sorted(mine["anio"].unique()) == [2018, 2019], "its own municipality keeps only the file's years"
    assert len(history) == len(bundled) - len(bundled.loc[bundled["municipio"] == "0901"]) + len(own)


def test_a_national_file_borrows_nothing():
    history, borrowed = with_other_municipalities(load_bundled_history())
    assert borrowed == 0 and len(history) == len(load_bundled_history())


def test_solo_datos_without_datos_is_an_error():
    with pytest.raises(NexosError, match="--solo-datos: falta --datos ARCHIVO"):
        load_history(None, solo_datos=True)
