"""The supervisor's own health check: restart a worker that stops answering.

nginx only notices a dead worker passively (``max_fails``) and supervisord only notices a
worker whose process exits. A worker that hangs (alive, but ``/_stcore/health`` times out
or fails) is restarted here through ``supervisorctl``: after ``--fails`` failed checks in a
row, ``--every`` seconds apart, not within ``--grace`` seconds of its (re)start.

    python -m deploy.health --rundir DIR [--address 127.0.0.1] --ports 8501,8502
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def healthy(address: str, port: int, timeout: float = 5.0) -> bool:
    url = f"http://{address}:{port}/_stcore/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (loopback only)
            return r.read().strip() == b"ok"
    except OSError:
        return False


def restart(rundir: Path, index: int) -> None:
    conf = str(rundir / "supervisord.conf")
    cmd = [sys.executable, "-m", "supervisor.supervisorctl", "-c", conf, "restart"]
    subprocess.run([*cmd, f"worker{index}"], check=False, timeout=60)


def watch(
    rundir: Path, address: str, ports: list[int], every: float, fails: int, grace: float
) -> None:
    """Check every worker forever; restart one after ``fails`` failures in a row."""
    failed = [0] * len(ports)
    since = [time.monotonic()] * len(ports)  # the last (re)start we know of
    while True:
        for i, port in enumerate(ports):
            if time.monotonic() - since[i] < grace:
                continue
            failed[i] = 0 if healthy(address, port) else failed[i] + 1
            if failed[i] >= fails:
                print(f"worker{i} (port {port}) failed {fails} checks: restarting", flush=True)
                restart(rundir, i)
                failed[i], since[i] = 0, time.monotonic()
        time.sleep(every)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rundir", type=Path, required=True)
    p.add_argument("--address", default="127.0.0.1", help="where the workers listen")
    p.add_argument("--ports", required=True, help="comma-separated, worker i at index i")
    p.add_argument("--every", type=float, default=5.0)
    p.add_argument("--fails", type=int, default=3)
    p.add_argument("--grace", type=float, default=60.0)
    a = p.parse_args()
    ports = [int(x) for x in a.ports.split(",") if x.strip()]  # none: a balancer only
    watch(a.rundir, a.address, ports, a.every, a.fails, a.grace)


if __name__ == "__main__":
    main()
