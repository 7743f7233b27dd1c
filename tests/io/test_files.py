"""Atomic writes: the target is replaced whole or left as it was."""

from __future__ import annotations

import errno
import re

import pytest

from nexos_model.errors import NexosError
from nexos_model.io import files
from nexos_model.io.files import atomic_path, write_text
from tests.support import file_names


def test_atomic_path_replaces_target_on_success(tmp_path):
    target = tmp_path / "resumen.csv"
    target.write_text("viejo")
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent
        assert re.fullmatch(r"\.resumen\.csv\.[0-9a-f]{6}-\d+-[0-9a-f]{8}\.tmp", tmp.name)  # machine, process
        assert target.read_text() == "viejo"  # untouched until the end
        tmp.write_text("nuevo")
    assert target.read_text() == "nuevo"
    assert file_names(tmp_path) == {"resumen.csv"}


@pytest.mark.parametrize("error", [RuntimeError("falla"), KeyboardInterrupt()])
def test_atomic_path_failure_keeps_target_and_removes_temp(tmp_path, error):
    target = tmp_path / "resumen.csv"
    target.write_text("viejo")
    with pytest.raises(type(error)):
        with atomic_path(target) as tmp:
            tmp.write_text("a medias")
            raise error
    assert target.read_text() == "viejo"
    assert file_names(tmp_path) == {"resumen.csv"}


def test_atomic_path_failure_before_temp_exists(tmp_path):
    target = tmp_path / "nuevo.txt"
    with pytest.raises(RuntimeError):
        with atomic_path(target):
            raise RuntimeError("antes de escribir")
    assert file_names(tmp_path) == set()


def test_atomic_path_creates_parent_directory(tmp_path):
    target = tmp_path / "0901" / "base" / "proyeccion.csv"
    with atomic_path(target) as tmp:
        tmp.write_text("x")
    assert target.read_text() == "x"


def test_atomic_path_new_file_has_usual_permissions(tmp_path):
    target = tmp_path / "a.txt"
    write_text("x", target)
    reference = tmp_path / "b.txt"
    reference.write_text("x")
    assert target.stat().st_mode == reference.stat().st_mode


def test_write_text_is_atomic_and_verbatim(tmp_path, monkeypatch):
    target = tmp_path / "reporte.html"
    text = "<p>Año 2026: Q 1,234.56</p>\r\n<p>fin</p>\n"
    write_text(text, target)
    assert target.read_bytes() == text.encode("utf-8")

    monkeypatch.setattr(files, "_fsync", lambda path: (_ for _ in ()).throw(OSError(errno.EIO, "E/S")))
    with pytest.raises(NexosError, match="reporte.html: no se pudo escribir .error de entrada/salida del disco"):
        write_text("otro", target)
    assert target.read_bytes() == text.encode("utf-8")
    assert file_names(tmp_path) == {"reporte.html"}


def test_atomic_path_can_keep_the_extension_for_writers_that_read_it(tmp_path):
    target = tmp_path / "grafico.png"
    with atomic_path(target, keep_suffix=True) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".grafico.") and tmp.name.endswith(".tmp.png")
        tmp.write_bytes(b"png")
    assert target.read_bytes() == b"png" and [p.name for p in tmp_path.iterdir()] == ["grafico.png"]
