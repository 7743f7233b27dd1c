"""Atomic writes: the target is replaced whole or left as it was."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys

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


# --- a set of files: all or none --------------------------------------------------------------


def _old_set(folder):
    names = ["x.csv", "x_brechas.csv", "x_reglas.csv"]
    for name in names:
        (folder / name).write_text(f"viejo {name}")
    return [folder / n for n in names]


def test_atomic_files_replace_every_target_together(tmp_path):
    targets = _old_set(tmp_path)
    with files.atomic_files(targets) as staged:
        for target in targets:
            assert staged[target].parent != tmp_path and staged[target].parent.parent == tmp_path
            staged[target].write_text(f"nuevo {target.name}")
            assert target.read_text() == f"viejo {target.name}"  # untouched until all are written
    assert [t.read_text() for t in targets] == [f"nuevo {t.name}" for t in targets]
    assert file_names(tmp_path) == {t.name for t in targets}


@pytest.mark.parametrize("error", [RuntimeError("falla"), KeyboardInterrupt()])
def test_a_failure_while_writing_the_set_leaves_every_old_file(tmp_path, error):
    targets = _old_set(tmp_path)
    with pytest.raises(type(error)):
        with files.atomic_files(targets) as staged:
            staged[targets[0]].write_text("nuevo")
            raise error
    assert [t.read_text() for t in targets] == [f"viejo {t.name}" for t in targets]
    assert file_names(tmp_path) == {t.name for t in targets}


@pytest.mark.parametrize("error", [OSError(errno.EIO, "E/S"), KeyboardInterrupt()])
def test_a_failure_during_the_renames_puts_the_old_files_back(tmp_path, monkeypatch, error):
    """The second rename fails (or Ctrl-C arrives between renames): the first is undone."""
    targets = _old_set(tmp_path)
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 4:  # old 1 aside, new 1 in, old 2 aside, new 2 in: this one
            raise error
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(NexosError if isinstance(error, OSError) else KeyboardInterrupt):
        with files.atomic_files(targets) as staged:
            for target in targets:
                staged[target].write_text("nuevo")
    monkeypatch.setattr(files.os, "replace", real)
    assert [t.read_text() for t in targets] == [f"viejo {t.name}" for t in targets]
    assert file_names(tmp_path) == {t.name for t in targets}


def test_obsolete_files_go_with_the_set(tmp_path):
    targets = _old_set(tmp_path)
    stale = tmp_path / "x_percentiles.csv"
    stale.write_text("de una corrida anterior")
    with files.atomic_files(targets[:1], obsolete=[stale, tmp_path / "x_nada.csv"]) as staged:
        staged[targets[0]].write_text("nuevo")
    assert not stale.exists() and targets[0].read_text() == "nuevo"


def test_a_failed_set_removes_the_folders_it_created(tmp_path):
    target = tmp_path / "a" / "b" / "x.csv"
    with pytest.raises(RuntimeError):
        with files.atomic_files([target]):
            raise RuntimeError("falla")
    assert file_names(tmp_path) == set()


def test_temporaries_of_a_killed_process_are_removed_by_the_next_write(tmp_path):
    """A process that died (kill -9) left a temporary file and a staging folder: the next write to
    the folder removes them; those of a live process are kept."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    host = files._host()
    orphan = tmp_path / f".x.csv.{host}-{dead}-0123abcd.tmp"
    orphan.write_text("a medias")
    staging = tmp_path / f".nexos-conjunto.{host}-{dead}-0123abcd.tmp"
    staging.mkdir()
    (staging / "x.csv").write_text("a medias")
    alive = tmp_path / f".y.csv.{host}-{os.getpid()}-0123abcd.tmp"
    alive.write_text("en curso")
    write_text("nuevo", tmp_path / "z.csv")
    assert file_names(tmp_path) == {"z.csv", alive.name}


def test_a_set_killed_during_its_renames_is_completed_by_the_next_run(tmp_path):
    """The journal says the renames had started: the next run finishes them (all new, not a mix)."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    targets = _old_set(tmp_path)
    staging = tmp_path / f".nexos-conjunto.{files._host()}-{dead}-0123abcd.tmp"
    staging.mkdir()
    (tmp_path / "x_viejo.csv").write_text("obsoleto")
    targets[0].write_text("nuevo x.csv")  # the first rename was done
    for target in targets[1:]:
        (staging / target.name).write_text(f"nuevo {target.name}")
    plan = {"archivos": [[str(staging / t.name), str(t)] for t in targets],
            "obsoletos": [str(tmp_path / "x_viejo.csv")]}
    (staging / "conjunto.json").write_text(json.dumps(plan))
    files.clean_stale(tmp_path)
    assert [t.read_text() for t in targets] == [f"nuevo {t.name}" for t in targets]
    assert file_names(tmp_path) == {t.name for t in targets}


def test_check_output_says_now_what_cannot_be_written(tmp_path):
    (tmp_path / "carpeta").mkdir()
    (tmp_path / "archivo").write_text("x")
    assert files.check_output(tmp_path / "nueva" / "x.csv") == tmp_path / "nueva" / "x.csv"
    assert not (tmp_path / "nueva").exists(), "a check creates nothing"
    for path, answer in [(tmp_path / "carpeta", "es una carpeta; se esperaba un nombre de archivo"),
                         (tmp_path / "archivo" / "x.csv", "es un archivo, no una carpeta"),
                         ("/proc/nexos/x.csv", "no se puede escribir en /proc"),
                         (tmp_path / ("x" * 300 + ".csv"), "un nombre de la ruta es demasiado largo"),
                         ("", "ruta de salida vacía")]:
        with pytest.raises(NexosError, match=answer):
            files.check_output(path)
    with pytest.raises(NexosError, match="es un archivo; se esperaba una carpeta"):
        files.check_output(tmp_path / "archivo", folder=True)
    assert file_names(tmp_path) == {"carpeta", "archivo"}
