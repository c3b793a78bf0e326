"""The deploy's configs as written from the templates (fast: nothing is started but
``nginx -t``, where nginx is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from helpers import ROOT

from deploy.up import Layout, fill, nginx_conf, supervisord_conf, write


def layout(tmp_path, workers: int = 3) -> Layout:
    return Layout(tmp_path / "run", workers, port=18080, base_port=18501)


def test_fill_refuses_a_placeholder_left_over() -> None:
    assert fill("a @x@ b", {"x": 1}) == "a 1 b"
    with pytest.raises(ValueError, match="@y@"):
        fill("a @x@ @y@", {"x": 1})


def test_nginx_balances_every_worker_by_cookie(tmp_path) -> None:
    text = nginx_conf(layout(tmp_path))
    pool = text[text.index("upstream streamlit {") :].split("}")[0]
    servers = re.findall(r"server 127\.0\.0\.1:(\d+) max_fails=\d+ fail_timeout=\d+s;", pool)
    assert servers == ["18501", "18502", "18503"]
    assert "least_conn;" in pool  # a browser without a worker: the least-connected one
    assert "proxy_pass http://$bp_upstream;" in text
    assert "listen 127.0.0.1:18080;" in text
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $connection_upgrade;", "daemon off;"):  # fmt: skip
        assert line in text


def upstream(text: str, name: str) -> list[str]:
    """The ``server`` lines of upstream ``name``."""
    block = text[text.index(f"upstream {name} {{") :].split("}")[0]
    return re.findall(r"^\s+server (.+);", block, re.MULTILINE)


def test_the_cookie_names_a_worker_whose_upstream_fails_over_to_the_others(tmp_path) -> None:
    text = nginx_conf(layout(tmp_path))
    assert upstream(text, "w1") == ["127.0.0.1:18502 max_fails=2 fail_timeout=10s",
                                    "127.0.0.1:18501 backup", "127.0.0.1:18503 backup"]  # fmt: skip
    routes = text[text.index("map $cookie_bpworker $bp_upstream") :].split("}")[0]
    assert re.findall(r"^\s+(\S+) (\S+);", routes, re.MULTILINE) == [
        ("default", "streamlit"), ("w0", "w0"), ("w1", "w1"), ("w2", "w2"),
    ]  # fmt: skip
    answered = text[text.index("map $upstream_addr $bp_answered") :].split("}")[0]
    assert r'"~(^|, )127\.0\.0\.1:18503$" w2;' in answered  # the last worker tried


def test_workers_on_other_machines_join_the_upstream(tmp_path) -> None:
    lay = Layout(tmp_path / "run", 1, port=80, base_port=18501, remote=("10.0.0.12:8501",))
    text = nginx_conf(lay)
    assert [s.split()[0] for s in upstream(text, "streamlit")] == [
        "127.0.0.1:18501", "10.0.0.12:8501",
    ]  # fmt: skip
    assert upstream(text, "w1") == ["10.0.0.12:8501 max_fails=2 fail_timeout=10s",
                                    "127.0.0.1:18501 backup"]  # fmt: skip


def test_supervisord_runs_each_worker_nginx_and_the_check(tmp_path) -> None:
    lay = layout(tmp_path, workers=2)
    lay.rundir.mkdir(parents=True)
    text = supervisord_conf(lay) if shutil.which("nginx", path="/usr/sbin:/usr/bin") else ""
    if not text:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    programs = re.findall(r"^\[program:(\w+)\]", text, re.MULTILINE)
    assert programs == ["worker0", "worker1", "nginx", "healthcheck"]
    ports = re.findall(r"--server\.port (\d+)", text)
    assert ports == ["18501", "18502"]
    secrets = set(re.findall(r'STREAMLIT_SERVER_COOKIE_SECRET="(\w+)"', text))
    assert len(secrets) == 1 and len(secrets.pop()) == 64  # one secret shared by all workers
    assert f"directory={ROOT}" in text


def test_nginx_accepts_the_config(tmp_path) -> None:
    nginx = shutil.which("nginx", path="/usr/sbin:/usr/bin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    lay = layout(tmp_path)
    write(lay)
    r = subprocess.run([nginx, "-t", "-p", str(lay.rundir), "-c", "nginx.conf",
                        "-e", "logs/nginx-error.log"], capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 0, r.stderr
