"""benchmarks/load_fault.py at a tiny scale, so the script does not rot: 5 writers for 5
seconds against gunicorn on SQLite, one SIGKILL of every process in the middle. Not a
timed test: it asserts only what must hold at any speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_nothing_acknowledged_is_lost_across_a_sigkill(tmp_path):
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, "benchmarks/load_fault.py", "--config", "sqlite", "--clients", "5", "--seconds", "5",
         "--workers", "2", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    (result,) = json.loads(out.read_text())
    checks = result["checks"]
    assert result["fault"]["restart_s"] > 0  # it was killed and came back
    assert result["acknowledged"] > 0
    assert not result["server_errors"] and not result["unexpected"] and not result["tracebacks"]
    assert checks["lost"] == 0 and checks["bad_counters"] == []
    assert checks["outbox_left"] == 0 and checks["index_count"] == checks["expected_documents"]
    assert result["ok"] and done.returncode == 0, done.stdout[-3000:]
