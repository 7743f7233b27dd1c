"""``nexos app``: a busy port is a Spanish error."""

from __future__ import annotations

import socket
import subprocess
import sys


def test_nexos_app_refuses_a_busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "nexos_model.cli", "app", "--puerto", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"el puerto {port} ya está en uso" in done.stderr and "Traceback" not in done.stderr
