"""Helpers the benchmark scripts share to start servers on loopback (scripts run as
``python benchmarks/<name>.py``, so this folder is on their import path)."""

from __future__ import annotations

import socket
import time

import requests


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, timeout: float, probe_timeout: float) -> None:
    """Wait until ``url`` answers at all (any status), for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=probe_timeout)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not start")
