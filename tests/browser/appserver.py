"""Start the app headless on a free loopback port and open Debian Chromium on it.

Shared by the browser tests and the browser benchmarks. Nothing is downloaded: Playwright
drives ``/usr/bin/chromium`` (Debian's package) with the flags this sandbox needs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 2.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 (loopback only)
        return r.read().decode()


@contextmanager
def running_app(
    port: int | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    script_check: bool = True,
    script: Path | None = None,
):
    """``streamlit run app.py`` (or ``script``, run from the checkout too, so it reads the
    same ``.streamlit/config.toml``) headless on 127.0.0.1; yields the base URL, stops it
    after.

    Waits for ``/_stcore/health`` and, unless ``script_check`` is False, for
    ``/_stcore/script-health-check`` (the script itself runs without an exception) before
    yielding. Skip that check to see the server as its first visitor does.
    """
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script or ROOT / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
        "--server.runOnSave", "false", "--browser.gatherUsageStats", "false",
        "--server.scriptHealthCheckEnabled", "true",
    ]  # fmt: skip
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode} (log: {log})")
            try:
                if _get(base + "/_stcore/health").strip() == "ok":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not answer /_stcore/health within 60 s")
            time.sleep(0.25)
        if script_check:
            health = _get(base + "/_stcore/script-health-check", timeout=60)
            if "ok" not in health:
                raise RuntimeError(f"the app's script health check failed: {health[:500]}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


def route_cookies(base: str, n: int) -> list[str]:
    """``n`` route cookies (``bpworker`` values, as nginx sets them on a first response)
    that name ``n`` different workers."""
    found: dict[str, str] = {}
    for _ in range(50):
        with urllib.request.urlopen(base + "/_stcore/health", timeout=10) as r:  # noqa: S310
            route = [c for c in r.headers.get_all("Set-Cookie") or [] if c.startswith("bpworker=")]
            if route:
                found.setdefault(r.headers["X-Worker"], route[0].split(";")[0].split("=", 1)[1])
        if len(found) == n:
            return list(found.values())
    raise RuntimeError(f"only {len(found)} of {n} workers answer through nginx")


@contextmanager
def running_deploy(
    workers: int, rundir: Path, log: Path | None = None, env: dict[str, str] | None = None
):
    """``python -m deploy up`` (nginx + ``workers`` Streamlit workers under supervisord) on
    free loopback ports; yields ``(base URL, worker ports)`` once every worker answers
    through nginx; stops supervisord (and so all of them) after. ``env`` reaches the workers
    (supervisord passes its environment on), e.g. ``STREAMLIT_*`` options."""
    port = free_port()
    base_port = free_port()  # worker i on base_port + i: checked free below
    ports = [base_port + i for i in range(workers)]
    cmd = [sys.executable, "-m", "deploy", "up", "--workers", str(workers),
           "--port", str(port), "--base-port", str(base_port), "--rundir", str(rundir)]  # fmt: skip
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"deploy exited with {proc.returncode} (log: {log})")
            try:
                if all(_get(f"http://127.0.0.1:{p}/_stcore/health") == "ok" for p in ports):
                    _get(base + "/_stcore/health")
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not answer through nginx within 90 s")
            time.sleep(0.25)
        yield base, ports
    finally:
        proc.terminate()  # supervisord stops its programs, then exits
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()
