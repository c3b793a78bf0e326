"""Write nginx's and supervisord's configs into a run directory and start them.

    python -m deploy up --workers 2 --port 8080 [--rundir DIR] [--host 0.0.0.0]
    python -m deploy up --workers 2 --port 8080 --write-only   # configs only (systemd, ...)
    python -m deploy up --workers 2 --upstream 10.0.0.12:8501 --upstream 10.0.0.12:8502

Worker i listens on 127.0.0.1:(base_port + i); nginx on ``--host:--port`` balances them
with cookie stickiness (``nginx.conf.in``). Everything runs unprivileged in the foreground:
supervisord (``nodaemon``) starts the workers, nginx (``daemon off``, ``-p <rundir>``) and
the health check, and restarts whichever exits. Ctrl-C (SIGTERM) stops all of them.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NGINX_DIRS = ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi")


@dataclass(frozen=True)
class Layout:
    """What the configs say: where the run lives, who listens where."""

    rundir: Path
    workers: int
    port: int  # nginx
    host: str = "127.0.0.1"
    base_port: int = 8501  # worker i: base_port + i
    worker_address: str = "127.0.0.1"
    max_fails: int = 2
    fail_timeout: int = 10  # s
    remote: tuple[str, ...] = ()  # workers on other machines, "host:port", balanced too
    nginx: str = "nginx"
    python: str = sys.executable

    @property
    def ports(self) -> list[int]:
        return [self.base_port + i for i in range(self.workers)]


def fill(template: str, values: dict[str, object]) -> str:
    """``template`` with every ``@name@`` replaced; an unknown name is an error."""
    for name, value in values.items():
        template = template.replace(f"@{name}@", str(value))
    left = re.findall(r"@[a-z_]+@", template)
    if left:
        raise ValueError(f"unfilled placeholders: {sorted(set(left))}")
    return template


def nginx_conf(lay: Layout) -> str:
    """nginx's config: every worker (local ones, then ``remote``) is named ``w<i>``; a browser
    without a worker goes to the least-connected one, and its cookie names it after
    (``nginx.conf.in`` says why)."""
    addresses = [f"{lay.worker_address}:{p}" for p in lay.ports] + list(lay.remote)
    names = [f"w{i}" for i in range(len(addresses))]
    health = f"max_fails={lay.max_fails} fail_timeout={lay.fail_timeout}s"
    servers = "\n".join(f"        server {a} {health};" for a in addresses)
    upstreams = "".join(
        f"    upstream {name} {{  # {addr}, the others if it is down\n"
        f"        server {addr} {health};\n"
        + "".join(f"        server {other} backup;\n" for other in addresses if other != addr)
        + "        keepalive 8;\n    }\n"
        for name, addr in zip(names, addresses)
    )
    answered = "\n".join(
        f'        "~(^|, ){re.escape(a)}$" {name};' for name, a in zip(names, addresses)
    )
    user = "user www-data;\n" if os.geteuid() == 0 else ""  # root: workers drop to www-data
    text = (HERE / "nginx.conf.in").read_text()
    return fill(text, {
        "workers": len(addresses), "servers": servers, "upstreams": upstreams, "user": user,
        "listen": f"{lay.host}:{lay.port}",
        "routes": "\n".join(f"        {n} {n};" for n in names),
        "answered": answered,
        "same": "\n".join(f'        "{n}/{n}" "";' for n in names),
    })  # fmt: skip


def cookie_secret(rundir: Path) -> str:
    """One ``server.cookieSecret`` for all workers (kept in the run directory), so a cookie
    one worker signed is valid on the others after a failover."""
    path = rundir / "cookie_secret"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def supervisord_conf(lay: Layout) -> str:
    common = {"rundir": lay.rundir, "python": lay.python, "root": ROOT,
              "cookie_secret": cookie_secret(lay.rundir)}  # fmt: skip
    worker = (HERE / "worker.conf.in").read_text()
    programs = "".join(
        fill(worker, {**common, "index": i, "port": p, "address": lay.worker_address})
        for i, p in enumerate(lay.ports)
    )
    nginx = shutil.which(lay.nginx) or shutil.which(lay.nginx, path="/usr/sbin:/sbin")
    if nginx is None:
        raise SystemExit(f"{lay.nginx} not found: install nginx (Debian: apt-get install nginx)")
    text = (HERE / "supervisord.conf.in").read_text()
    return fill(text, {**common, "programs": programs, "nginx": nginx,
                       "address": lay.worker_address,
                       "ports": ",".join(map(str, lay.ports)) or '""'})  # fmt: skip


def write(lay: Layout) -> Path:
    """Create the run directory with both configs; returns supervisord's config."""
    for d in NGINX_DIRS:
        (lay.rundir / d).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # nginx's workers run as www-data and write its temp files
        for d in NGINX_DIRS[1:]:
            shutil.chown(lay.rundir / d, "www-data")
    (lay.rundir / "nginx.conf").write_text(nginx_conf(lay))
    conf = lay.rundir / "supervisord.conf"
    conf.write_text(supervisord_conf(lay))
    return conf


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n")[0])
    p.add_argument("command", choices=["up"])
    p.add_argument("--workers", type=int, default=2, help="Streamlit processes (one per core)")
    p.add_argument("--port", type=int, default=8080, help="nginx listens here")
    p.add_argument("--host", default="127.0.0.1", help="nginx's address (0.0.0.0: all)")
    p.add_argument("--base-port", type=int, default=8501, help="worker i: base port + i")
    p.add_argument(
        "--worker-address",
        default="127.0.0.1",
        help="the workers listen here (a private address if another balancer uses them)",
    )
    p.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="also balance a worker on another machine (repeat for each)",
    )
    p.add_argument("--rundir", type=Path, default=ROOT / ".deploy", help="configs, logs, pids")
    p.add_argument("--write-only", action="store_true", help="write the configs, start nothing")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    if a.workers < (0 if a.upstream else 1):
        raise SystemExit("--workers must be at least 1 (0 only with --upstream)")
    lay = Layout(a.rundir.resolve(), a.workers, a.port, a.host, a.base_port,
                 a.worker_address, remote=tuple(a.upstream))  # fmt: skip
    conf = write(lay)
    print(f"configs in {lay.rundir}; nginx on http://{a.host}:{a.port}, workers {lay.ports}")
    if a.write_only:
        return
    sys.stdout.flush()
    os.execv(lay.python, [lay.python, "-m", "supervisor.supervisord", "-c", str(conf)])
