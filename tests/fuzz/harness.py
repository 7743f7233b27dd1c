"""Run fuzz cases in worker processes with a time and a memory limit, and judge what they print.

Each worker is a separate Python process (``spawn``) that imports Nexos once, then runs case after
case in-process through the real command line (``nexos_model.cli.main.main``), each in a fresh
working folder with its own copy of ``params/``. Limits per case:

- memory: ``RLIMIT_AS`` set to the worker's size after its warm-up plus :data:`LIMIT_BYTES`
  (an allocation beyond it raises ``MemoryError``); the peak resident size of each case is
  measured by resetting ``VmHWM`` (``/proc/self/clear_refs``) before it;
- time: ``RLIMIT_CPU`` set before each case to the CPU used so far plus a margin, and a watchdog
  in the parent that kills a worker whose case runs longer than :data:`LIMIT_SECONDS` (plus a
  margin) and starts a new one.

A case is judged by :func:`judge`: an exception other than ``NexosError`` escaping ``main``
(a traceback), more than 10 s or 2 GB, a message that does not name the file (or ``--set``)
at fault or names another one, and English words in what the user reads (stdout and stderr).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import re
import resource
import shutil
import signal
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Callable, Iterable

from tests.fuzz.cases import make_case
from tests.support import ROOT

LIMIT_SECONDS = 10.0
LIMIT_BYTES = 2 * 1024**3
_WATCHDOG_MARGIN = 20.0  # the parent kills a case after LIMIT_SECONDS + this (the case judges itself first)

#: Words that are English and not Spanish: one of them in what a user reads is a message we did
#: not translate (libyaml's, pydantic's, Python's, a library's warning). Python's type names too.
ENGLISH = frozenset("""
the and or of to is in at with for from this that be are was were not such found expected could
cannot invalid should must allowed value values field input string integer number file line column
key keys missing required unexpected character while did valid exceeds limit failed unable unknown
permission denied directory traceback object type none nonetype dict str int float bool tuple
datetime warning userwarning deprecationwarning futurewarning runtimewarning workbook contains
default style sheet cell empty parsing parse token mapping sequence scalar document stream indentation
""".split())

#: Data files a message may name as a reference (a catalog it compared with, the published figures
#: that replaced a key), not as the fault: the package's own data.
REFERENCES = ("municipios_censo2018.csv", "clasificacion_ingresos.csv")
_PACKAGE_DATA = "nexos_model/data/"
_FILE = re.compile(r"[\w.\-/]+\.(?:yaml|yml|csv|xlsx|xlsm|xls|txt|tsv|parquet|ipynb)\b")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|«[^»]*»|`[^`]*`")
_JUDGED = 2000  # characters of a line that are judged (a regex over a 3-MB line would take minutes)
_PATH = re.compile(r"\S*/\S*")  # a path the user gave (/tmp/pytest-of-root/...): not our words
_GIVEN = re.compile(r"valor dado: .*?(?=; se esperaba|\)$|$)")


@dataclass
class Outcome:
    """What one case did, and what is wrong with it (empty lists: nothing)."""

    index: int
    kind: str = ""
    argv: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    exit_code: Any = None
    seconds: float = 0.0
    peak_bytes: int = 0
    stdout: str = ""
    stderr: str = ""
    uncaught: str = ""  # traceback of an exception that escaped main()
    stack: str = ""  # where a case that ran out of time was (the worker's stack when it was stopped)
    over_time: bool = False
    over_memory: bool = False
    wrong_file: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.uncaught or self.over_time or self.over_memory or self.wrong_file or self.english)


# --------------------------------------------------------------------------- judging


def english_words(text: str, names: Iterable[str] = ()) -> list[str]:
    """English words in ``text``, after removing what the user wrote (quoted values, the value
    given, file names and the ``names`` of the case)."""
    text = "\n".join(line[:_JUDGED] for line in text.splitlines())
    for name in names:
        text = text.replace(name, " ")
    text = _GIVEN.sub(" ", text)
    text = _QUOTED.sub(" ", text)
    text = _FILE.sub(" ", text)
    text = _PATH.sub(" ", text)
    words = []
    for token in text.split():
        token = token.strip(".,;:()[]{}¿?¡!")
        if re.search(r"[_.\d'\"=]", token):  # a key, a number, a value: the user's text, not our words
            continue
        words += [word for word in re.findall(r"[A-Za-zÀ-ÿ]+", token) if word.lower() in ENGLISH]
    return words


def problem_lines(stderr: str) -> list[str]:
    """The lines of stderr that report a problem (argparse's usage lines left out)."""
    lines = []
    for line in stderr.splitlines():
        if not line.strip() or line.startswith(("uso:", " ")):
            continue
        lines.append(line)
    return lines


def wrong_file_lines(lines: list[str], culprits: list[str]) -> list[str]:
    """Problem lines that do not name a culprit, or name a file other than the culprits."""
    wrong = []
    for line in (line[:_JUDGED] for line in lines):
        names_culprit = any(c in line for c in culprits)
        others = [f for f in _FILE.findall(line)
                  if not any(c.endswith(f) or f.endswith(c) for c in culprits)
                  and not f.endswith(REFERENCES) and _PACKAGE_DATA not in f and not f.startswith("salida/")]
        if not names_culprit or others:
            wrong.append(line)
    return wrong


def judge(outcome: Outcome, culprits: list[str]) -> Outcome:
    """Fill in what is wrong with a finished case."""
    outcome.over_time = outcome.over_time or outcome.seconds > LIMIT_SECONDS
    outcome.over_memory = outcome.over_memory or outcome.peak_bytes > LIMIT_BYTES
    if outcome.exit_code not in (0, 1, 2) and not outcome.uncaught and not outcome.over_time:
        outcome.uncaught = f"estado de salida inesperado: {outcome.exit_code!r}"
    if outcome.exit_code in (1, 2):
        outcome.wrong_file = wrong_file_lines(problem_lines(outcome.stderr), culprits)
    outcome.english = english_words(outcome.stdout + "\n" + outcome.stderr, culprits)
    return outcome


# --------------------------------------------------------------------------- one case


def _peak_reset() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _head(text: str, limit: int = 200_000) -> str:
    """The first ``limit`` characters of an output, cut at a line end (a message is judged whole)."""
    return text if len(text) <= limit else text[:text.rfind("\n", 0, limit) + 1]


def run_case(seed: int, index: int) -> Outcome:
    """Make case ``index`` and run it in this process, in a fresh folder; judge it."""
    from nexos_model.cli.main import main  # lazy: the worker imports it once, after its set-up

    outcome = Outcome(index)
    try:
        case = make_case(seed, index)
    except Exception:
        outcome.uncaught = "el generador falló:\n" + traceback.format_exc()
        return outcome
    outcome.kind, outcome.argv, outcome.steps = case.kind, case.argv, case.steps
    home, params_env = os.getcwd(), os.environ.get("NEXOS_PARAMETROS")
    cpu_limit = resource.getrlimit(resource.RLIMIT_CPU)
    folder = Path(tempfile.mkdtemp(prefix="nexos-fuzz-"))
    out, err = io.StringIO(), io.StringIO()
    try:
        shutil.copytree(ROOT / "params", folder / "params")
        for relative, content in case.files.items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        os.environ["NEXOS_PARAMETROS"] = str(folder / "params")
        os.chdir(folder)
        used = resource.getrusage(resource.RUSAGE_SELF)
        cpu = used.ru_utime + used.ru_stime
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        soft = int(cpu + LIMIT_SECONDS * 3)
        resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        _peak_reset()
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                outcome.exit_code = main(list(case.argv))
        except SystemExit as exc:  # argparse: a wrong argument (2) or --help (0)
            outcome.exit_code = exc.code
        except MemoryError:
            outcome.over_memory = True
        except BaseException:
            outcome.uncaught = traceback.format_exc()
        outcome.seconds = time.perf_counter() - start
        outcome.peak_bytes = _peak_bytes()
    finally:  # as it was: run_case may also run in a test's own process
        os.chdir(home)
        resource.setrlimit(resource.RLIMIT_CPU, cpu_limit)
        if params_env is None:
            os.environ.pop("NEXOS_PARAMETROS", None)
        else:
            os.environ["NEXOS_PARAMETROS"] = params_env
        shutil.rmtree(folder, ignore_errors=True)
    outcome.stdout, outcome.stderr = _head(out.getvalue()), _head(err.getvalue())
    return judge(outcome, case.culprits)


# --------------------------------------------------------------------------- workers


def _worker(conn, seed: int) -> None:
    """A worker: set up, warm up, limit its memory, then run the cases it is sent."""
    import faulthandler
    import warnings

    warnings.simplefilter("default")  # what a user's terminal shows
    stack = open(_stack_file(os.getpid()), "w")  # noqa: SIM115  # open for the worker's life
    faulthandler.register(signal.SIGUSR1, file=stack, all_threads=True)
    from nexos_model.cli.main import main  # lazy: after the thread variables are set

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            tempfile.TemporaryDirectory() as folder:
        main(["proyectar", "--municipio", "0901", "--salida", str(Path(folder) / "x.csv")])
    size = resource.getrlimit(resource.RLIMIT_AS)
    current = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (current + LIMIT_BYTES, size[1]))
    conn.send("listo")
    while True:
        index = conn.recv()
        if index is None:
            stack.close()
            return
        conn.send(asdict(run_case(seed, index)))


def _stack_file(pid: int) -> Path:
    return Path(tempfile.gettempdir()) / f"nexos-fuzz-{pid}.pila"


#: Set in a worker's environment: one BLAS thread (a small, stable size to limit), no colours.
_WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class _Worker:
    def __init__(self, context, seed: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, seed), daemon=True)
        saved = {k: os.environ.get(k) for k in _WORKER_ENV}
        os.environ.update(_WORKER_ENV)  # read by numpy when the child imports it
        try:
            self.process.start()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        child.close()
        if not self.conn.poll(300) or self.conn.recv() != "listo":
            raise RuntimeError("un trabajador del fuzz no arrancó")
        self.index: int | None = None
        self.deadline = 0.0

    def give(self, index: int) -> None:
        self.index, self.deadline = index, time.monotonic() + LIMIT_SECONDS + _WATCHDOG_MARGIN
        self.conn.send(index)

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        _stack_file(self.process.pid).unlink(missing_ok=True)


def run_cases(seed: int, indices: Iterable[int], workers: int = 2,
              progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run the cases in ``workers`` processes; a worker that dies or overruns is replaced."""
    context = multiprocessing.get_context("spawn")
    todo = list(indices)[::-1]
    pool = [_Worker(context, seed) for _ in range(max(1, min(workers, len(todo))))]
    results: list[Outcome] = []

    def finish(outcome: Outcome) -> None:
        if not outcome.kind:  # the worker could not say (it died or was stopped): make the case again here
            with contextlib.suppress(Exception):
                case = make_case(seed, outcome.index)
                outcome.kind, outcome.argv, outcome.steps = case.kind, case.argv, case.steps
        results.append(outcome)
        if progress:
            progress(outcome)

    try:
        for worker in pool:
            if todo:
                worker.give(todo.pop())
        while any(w.index is not None for w in pool):
            busy = [w for w in pool if w.index is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=timeout)
            for position, worker in enumerate(pool):
                if worker.index is None:
                    continue
                if worker.conn in ready:
                    try:
                        finish(Outcome(**worker.conn.recv()))
                    except (EOFError, OSError):  # the worker died (killed by a limit, a crash)
                        worker.process.join(5)
                        code = worker.process.exitcode
                        finish(Outcome(worker.index, over_time=code == -signal.SIGXCPU,
                                       over_memory=code == -signal.SIGKILL,  # the kernel's OOM killer
                                       uncaught="" if code in (-signal.SIGXCPU, -signal.SIGKILL) else
                                       f"el trabajador murió (código {code}): un fallo fuera de Python"))
                        worker.stop()
                        pool[position] = worker = _Worker(context, seed)
                elif time.monotonic() > worker.deadline:
                    os.kill(worker.process.pid, signal.SIGUSR1)  # where is it? (faulthandler)
                    time.sleep(1)
                    stack = _stack_file(worker.process.pid)
                    finish(Outcome(worker.index, over_time=True, seconds=LIMIT_SECONDS + _WATCHDOG_MARGIN,
                                   stack=stack.read_text(errors="replace")[-4000:] if stack.exists() else ""))
                    worker.process.kill()
                    worker.stop()
                    pool[position] = worker = _Worker(context, seed)
                else:
                    continue
                worker.index = None
                if todo:
                    worker.give(todo.pop())
    finally:
        for worker in pool:
            worker.stop()
    return sorted(results, key=lambda o: o.index)


def counts(results: list[Outcome]) -> dict[str, Any]:
    """The figures of a run: cases by kind, and cases with each problem."""
    return {
        "casos": len(results),
        "por_tipo": dict(sorted(Counter(o.kind or "?" for o in results).items())),
        "excepciones_no_capturadas": sum(bool(o.uncaught) for o in results),
        "mas_de_10_s": sum(o.over_time for o in results),
        "mas_de_2_GB": sum(o.over_memory for o in results),
        "archivo_equivocado": sum(bool(o.wrong_file) for o in results),
        "mensajes_en_ingles": sum(bool(o.english) for o in results),
        "rechazados_con_mensaje": sum(o.exit_code in (1, 2) for o in results),
        "aceptados": sum(o.exit_code == 0 for o in results),
        "segundos_max": round(max((o.seconds for o in results), default=0.0), 2),
        "memoria_pico_max_MB": round(max((o.peak_bytes for o in results), default=0) / 2**20, 1),
    }


def describe(outcome: Outcome, seed: int) -> str:
    """A failed case for a human: what it ran, what went wrong, how to run it again."""
    parts = [f"caso {outcome.index} ({outcome.kind}): nexos {' '.join(a[:80] for a in outcome.argv)}",
             f"  mutaciones: {', '.join(outcome.steps)[:500]}",
             f"  repetir: python -m tests.fuzz --semilla {seed} --caso {outcome.index}"]
    if outcome.uncaught:
        parts.append("  excepción: " + outcome.uncaught.strip().splitlines()[-1][:300])
    if outcome.over_time:
        parts.append(f"  tiempo: {outcome.seconds:.1f} s")
        if outcome.stack:
            parts.append("  pila:\n" + outcome.stack)
    if outcome.over_memory:
        parts.append(f"  memoria: {outcome.peak_bytes / 2**20:.0f} MB")
    for line in outcome.wrong_file[:3]:
        parts.append(f"  archivo equivocado: {line[:300]}")
    if outcome.english:
        parts.append(f"  inglés: {outcome.english[:8]} en {(outcome.stderr or outcome.stdout)[-300:]!r}")
    return "\n".join(parts)


__all__ = ["ENGLISH", "LIMIT_BYTES", "LIMIT_SECONDS", "Outcome", "counts", "describe", "english_words", "judge",
           "problem_lines", "run_case", "run_cases", "wrong_file_lines"]
