"""``nexos cuadernos`` (``make lab``): JupyterLab starts headless on 127.0.0.1 over the workbooks
folder, answers with the Nexos kernel listed, and stops on request."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from nexos_model.app.lab import KERNEL_NAME, kernel_display_name
from nexos_model.app.server import wait_for_port
from tests.e2e.test_app import _free_port
from tests.support import ROOT


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode("utf-8")


@pytest.mark.slow
def test_jupyterlab_answers_on_loopback_with_the_nexos_kernel(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "nexos_model.cli", "cuadernos", "--puerto", str(port),
                             "--sin-navegador"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, timeout=90)
        base = f"http://127.0.0.1:{port}"
        status, text = _get(f"{base}/api/kernelspecs?token={token}")
        specs = json.loads(text)["kernelspecs"]
        assert status == 200 and KERNEL_NAME in specs, sorted(specs)
        assert specs[KERNEL_NAME]["spec"]["display_name"] == kernel_display_name()
        assert specs[KERNEL_NAME]["spec"]["argv"][0] == sys.executable
        status, text = _get(f"{base}/api/contents?token={token}")
        assert status == 200 and "reporte_concejo.ipynb" in {item["name"] for item in json.loads(text)["content"]}
        status, page = _get(f"{base}/lab?token={token}")
        assert status == 200 and "JupyterLab" in page
        with pytest.raises(urllib.error.HTTPError):  # no token, no access
            _get(f"{base}/api/contents")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not _port_free(port):
        time.sleep(0.1)
    assert _port_free(port), "JupyterLab still answers after it was stopped"


def _port_free(port: int) -> bool:
    from nexos_model.app.server import port_is_free

    return port_is_free(port)
