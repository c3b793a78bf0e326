"""TensorFlow Playground built from its own source and served on loopback, for comparison.

The source is https://github.com/tensorflow/playground (Apache 2.0); ``--tfp-src`` (or the
environment variable ``TFP_SRC``) points at a checkout of it, or an export of one (``git
archive HEAD | tar -x``). Nothing of it is kept in this repository.

Build: a copy of the source (without ``node_modules``, ``dist``, ``.git``) gets ``npm ci``
(``npm install`` without a ``package-lock.json``) and the project's own ``npm run build``
(browserify + tsify with its TypeScript 2.9, uglify-js, concat, copyfiles). Its pinned
dependencies build unchanged on Node 20 / npm 11 (checked with commit 02469bd, June 2022):
no fix or override is needed. The built ``dist/`` is cached in ``~/.cache/backprop-bench/tfp``
(``--cache`` or ``TFP_CACHE``) under a hash of the source files, so a second run does not
rebuild; without a source, the newest cached build is used.

Serving: Python's ``http.server`` on 127.0.0.1 in a thread (:class:`StaticServer`), which
also counts the CPU time it spends. The page asks for two outside resources (the Roboto
font CSS and Google Analytics); the benchmark's Chromium resolves no outside host name, so
both fail at once and the page renders with fallback fonts.

Prerequisites: ``node`` and ``npm`` (Debian: ``apt-get install -y nodejs npm``; when they
are missing and this runs as root, :func:`ensure_node` installs them so) and the npm
registry.

    python benchmarks/tfp.py --tfp-src ~/src/playground      # build (or reuse) and print dist
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEFAULT_CACHE = Path("~/.cache/backprop-bench/tfp")
SKIP = {"node_modules", "dist", ".git"}


def cache_dir(cache: str | Path | None = None) -> Path:
    """``cache``, else ``TFP_CACHE``, else ``~/.cache/backprop-bench/tfp``."""
    return Path(cache or os.environ.get("TFP_CACHE") or DEFAULT_CACHE).expanduser()


def ensure_node() -> dict[str, str]:
    """``node`` and ``npm`` versions; installs Debian's ``nodejs npm`` when they are missing
    and this runs as root with apt-get, else stops with what to install."""
    if not (shutil.which("node") and shutil.which("npm")):
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            raise SystemExit("node and npm are needed: apt-get install -y nodejs npm")
        print("node/npm missing: apt-get install -y nodejs npm", flush=True)
        subprocess.run(["apt-get", "update"], check=True)
        subprocess.run(["apt-get", "install", "-y", "nodejs", "npm"], check=True)
    run = functools.partial(subprocess.run, capture_output=True, text=True, check=True)
    return {t: run([t, "--version"]).stdout.strip() for t in ("node", "npm")}


def source_files(src: Path) -> list[Path]:
    """The source's files, sorted, without installed or built ones."""
    out = []
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in SKIP)
        out += [Path(root) / f for f in sorted(files)]
    return out


def source_key(src: Path) -> str:
    """A short hash of the source's paths and contents: the cache key of its build."""
    h = hashlib.sha256()
    for f in source_files(src):
        h.update(str(f.relative_to(src)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def build(src: Path, cache: Path) -> Path:
    """``dist/`` built from ``src`` (cached by :func:`source_key`; built once)."""
    if not (src / "package.json").is_file() or not (src / "src" / "playground.ts").is_file():
        raise SystemExit(f"{src} is not a checkout of github.com/tensorflow/playground")
    out = cache / source_key(src)
    if (out / "dist" / "index.html").is_file():
        return out / "dist"
    versions = ensure_node()
    work = cache / f"build-{out.name}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(src, work, ignore=shutil.ignore_patterns(*SKIP))
    (work / "dist").mkdir()
    print(f"building TF Playground in {work} (node {versions['node']}, npm {versions['npm']})")
    t0 = time.perf_counter()
    install = "ci" if (work / "package-lock.json").is_file() else "install"
    npm = ["npm", "--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run([*npm, install], cwd=work, check=True)
    subprocess.run([*npm, "run", "build"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    out.mkdir(parents=True, exist_ok=True)
    (work / "dist").rename(out / "dist")
    info = f"source {src}\nnode {versions['node']}, npm {versions['npm']}\nbuilt {time.ctime()}\n"
    (out / "BUILD.txt").write_text(info)
    shutil.rmtree(work, ignore_errors=True)
    print(f"built in {time.perf_counter() - t0:.0f} s: {out / 'dist'}")
    return out / "dist"


def resolve_dist(src: str | Path | None = None, cache: str | Path | None = None) -> Path:
    """The built ``dist/`` for ``src`` (else ``TFP_SRC``), else the newest cached build."""
    cache = cache_dir(cache)
    src = src or os.environ.get("TFP_SRC")
    if src:
        return build(Path(src).expanduser().resolve(), cache)
    built = sorted(cache.glob("*/dist/index.html"), key=lambda p: p.stat().st_mtime)
    if not built:
        raise SystemExit(
            "no TF Playground build cached: pass --tfp-src (or set TFP_SRC) to a checkout "
            "of github.com/tensorflow/playground"
        )
    return built[-1].parent


class _Handler(SimpleHTTPRequestHandler):
    """Static files, no access log; adds each request's CPU time to its server's count."""

    def handle(self) -> None:
        t0 = time.thread_time()
        try:
            super().handle()
        finally:
            with self.server.cpu_lock:
                self.server.handler_cpu += time.thread_time() - t0

    def log_message(self, *args) -> None:
        pass


class StaticServer:
    """``dist`` over HTTP on 127.0.0.1 (a free port unless given) in a daemon thread."""

    def __init__(self, dist: Path, port: int = 0) -> None:
        handler = functools.partial(_Handler, directory=str(dist))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.httpd.cpu_lock = threading.Lock()
        self.httpd.handler_cpu = 0.0
        self.tid: int | None = None
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def _serve(self) -> None:
        self.tid = threading.get_native_id()
        self.httpd.serve_forever(poll_interval=0.5)

    def cpu_s(self) -> float:
        """CPU seconds spent serving: the accepting thread plus every request's thread."""
        clk, own = os.sysconf("SC_CLK_TCK"), 0.0
        try:
            stat = Path(f"/proc/self/task/{self.tid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            own = (int(fields[11]) + int(fields[12])) / clk
        except (OSError, ValueError, IndexError):
            pass
        with self.httpd.cpu_lock:
            return own + self.httpd.handler_cpu


@contextmanager
def serving(dist: Path, port: int = 0) -> Iterator[StaticServer]:
    """A running :class:`StaticServer` for ``dist``, shut down after."""
    server = StaticServer(dist, port)
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tfp-src", help="checkout of github.com/tensorflow/playground (or TFP_SRC)")
    ap.add_argument("--cache", help=f"build cache (or TFP_CACHE; default {DEFAULT_CACHE})")
    args = ap.parse_args()
    print(resolve_dist(args.tfp_src, args.cache))


if __name__ == "__main__":
    main()
