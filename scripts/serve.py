#!/usr/bin/env python3
"""Several Rasa processes and action servers on one machine, behind a local nginx.

The production profile of one machine (docs/deployment.md): N `rasa run` processes (one Sanic
worker each) and M action servers on free loopback ports, and nginx in front — on `--port` for
Rasa (REST, webhooks, socket.io with sticky sessions, the HTTP API for loopback only) and on
`--action-port` for the action servers. Several Rasa processes need a shared lock store (Redis)
and a shared tracker store (PostgreSQL; SQLite works but serialises writes).

    python scripts/serve.py run --model M --endpoints E --credentials C --rasa-processes 2 ...
    python scripts/serve.py nginx-site --rasa 127.0.0.1:5101 127.0.0.1:5102 --listen 443 ...

`scripts/run.sh` uses `run` when RASA_PROCESSES or ACTION_PROCESSES is above 1; `make bench`
uses the same functions for both bots it measures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "deploy" / "nginx" / "cap-reconversion.conf.template"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nginx_binary() -> str | None:
    """nginx on PATH or in /usr/sbin (Debian), else None."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


# ----------------------------------------------------------------------------- nginx configuration


def _indent(lines: Sequence[str], depth: int = 1) -> str:
    return "\n".join("    " * depth + line for line in lines)


def render_site(*, listen: str, rasa: Sequence[str], actions: Sequence[str] = (), action_listen: str | None = None,
                web: str | None = None, counsel: str | None = None, api_allow: Sequence[str] = ("127.0.0.1", "::1"),
                tls: tuple[str, str] | None = None, server_name: str = "_", access_log: str = "off") -> str:
    """The nginx site (http context) of deploy/nginx/cap-reconversion.conf.template.

    ``listen`` is nginx's listen argument ("443", "127.0.0.1:8443"); ``tls`` (certificate, key)
    terminates TLS there. ``rasa``/``actions``/``web``/``counsel`` are host:port of the backends;
    ``action_listen`` the address where Rasa reaches the action servers (a private one).
    """
    if not rasa:
        raise ValueError("at least one Rasa process")
    if tls:
        listen_lines = [f"listen {listen} ssl;", f"ssl_certificate {tls[0]};", f"ssl_certificate_key {tls[1]};",
                        "ssl_protocols TLSv1.2 TLSv1.3;", "ssl_session_cache shared:cap_ssl:10m;"]
        hsts = _indent(['add_header Strict-Transport-Security "max-age=31536000" always;'])
    else:
        listen_lines, hsts = [f"listen {listen};"], ""
    action_block = ""
    if actions:
        if not action_listen:
            raise ValueError("action_listen is needed with action servers")
        action_block = (
            "\n# The action servers, for the Rasa processes only (a private address: never expose it).\n"
            "upstream cap_actions {\n    least_conn;\n" + _indent([f"server {a};" for a in actions])
            + "\n    keepalive 32;\n}\n"
            "server {\n" + _indent([f"listen {action_listen};", "access_log off;", "client_max_body_size 8m;",
                                   # a body kept in memory goes upstream in one write; spooled to a file
                                   # (over 8k by default) it went in two and Nagle's algorithm and the
                                   # delayed ACK held each action call 40 ms (measured: 44 → 1.4 ms)
                                   "client_body_buffer_size 8m;  # in memory: one write upstream, no 40 ms stall",
                                   "proxy_http_version 1.1;", 'proxy_set_header Connection "";',
                                   "proxy_read_timeout 60s;", "location / {", "    proxy_pass http://cap_actions;",
                                   "}"]) + "\n}\n")
    counsel_block = ""
    if counsel:
        counsel_block = _indent(["# The counsellors' workspace (its own login; COUNSEL_PORT).", "location /conseil/ {",
                                 f"    proxy_pass http://{counsel};", "}"]) + "\n"
    web_block = _indent(["# The demo page and the widget's files.", "location / {", f"    proxy_pass http://{web};",
                         "}"] if web else ["location / {", "    return 404;", "}"]) + "\n"
    text = TEMPLATE.read_text(encoding="utf-8")
    values = {
        "RASA_SERVERS": _indent([f"server {r} max_fails=1 fail_timeout=5s;" for r in rasa]),
        "ACTION_BLOCK": action_block,
        "LISTEN": _indent(listen_lines),
        "SERVER_NAME": server_name,
        "ACCESS_LOG": "access_log off;" if access_log == "off" else f"access_log {access_log} cap_noquery;",
        "HSTS": hsts,
        "API_ALLOW": _indent([f"allow {a};" for a in api_allow], 2),
        "COUNSEL_BLOCK": counsel_block,
        "WEB_BLOCK": web_block,
    }
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"unrendered placeholder in {TEMPLATE.name}")
    return text


def render_main(site: str, prefix: Path) -> str:
    """A complete nginx.conf for a local nginx run as this user (pid, logs and temp files in ``prefix``)."""
    temp = prefix / "tmp"
    user = "user root;\n" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""  # else workers become nobody
    return (f"daemon off;\n{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
            "events { worker_connections 2048; }\nhttp {\n"
            + _indent([f"{kind}_temp_path {temp}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                        "scgi")])
            + "\n" + _indent(site.splitlines()) + "\n}\n")


# ----------------------------------------------------------------------------- processes


def wait_http(url: str, proc: subprocess.Popen, name: str, log: Path | None, timeout: float = 300) -> None:
    """Wait until ``url`` answers 200; fail early if ``proc`` exits."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{name} exited early:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer {url} in {timeout:.0f} s")


@dataclass
class Cluster:
    """What `start` started: the front URLs and every process (for memory readings)."""

    url: str
    action_url: str | None
    rasa: list[subprocess.Popen] = field(default_factory=list)
    actions: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    def processes(self) -> list[subprocess.Popen]:
        return [p for p in (*self.actions, *self.rasa, self.nginx) if p is not None]


def _stop(procs: Sequence[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def started(proc: subprocess.Popen) -> Iterator[subprocess.Popen]:
    try:
        yield proc
    finally:
        _stop([proc])


def start_nginx(site: str, prefix: Path) -> subprocess.Popen:
    """nginx in the foreground with its files under ``prefix`` (checked with -t first)."""
    binary = nginx_binary()
    if not binary:
        raise RuntimeError("nginx est introuvable : apt-get install nginx-light (ou nginx)")
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "tmp").mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render_main(site, prefix), encoding="utf-8")
    cmd = [binary, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)]
    check = subprocess.run([*cmd, "-t"], capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        raise RuntimeError(f"nginx configuration rejected:\n{check.stderr}")
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=(prefix / "stderr.log").open("w"))


@contextmanager
def cluster(*, model: Path, endpoints: Path, credentials: Path, workdir: Path, rasa_processes: int = 2,
            action_processes: int = 1, port: int | None = None, action_port: int | None = None,
            env: dict[str, str] | None = None, cwd: Path = REPO, actions_module: str | None = "actions",
            rasa_args: Sequence[str] = (), host: str = "127.0.0.1", nginx: bool = True) -> Iterator[Cluster]:
    """Start M action servers, N Rasa processes and nginx in front; stop everything on exit.

    ``endpoints`` must reach the action servers through ``${ACTION_SERVER_URL}`` (set here to the
    nginx action front) — or hold its own URL when ``actions_module`` is None. ``nginx=False``
    (one Rasa process, at most one action server) starts them on ``port``/``action_port`` directly.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port, action_port = port or free_port(), action_port or free_port()
    if not nginx and (rasa_processes != 1 or action_processes > 1):
        raise ValueError("without nginx: one Rasa process and at most one action server")
    rasa_ports = [free_port() for _ in range(rasa_processes)] if nginx else [port]
    action_ports = [free_port() for _ in range(action_processes if actions_module else 0)] if nginx else \
        ([action_port] if actions_module else [])
    action_url = f"http://127.0.0.1:{action_port}" if actions_module else None
    full_env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    if action_url:
        full_env["ACTION_SERVER_URL"] = f"{action_url}/webhook"
    result = Cluster(url=f"http://127.0.0.1:{port}", action_url=action_url)
    with ExitStack() as stack:
        for i, aport in enumerate(action_ports):
            log = workdir / f"actions-{i + 1}.log"
            proc = stack.enter_context(started(subprocess.Popen(
                [str(VENV_BIN / "rasa"), "run", "actions", "--actions", actions_module, "--port", str(aport)],
                cwd=cwd, env={**full_env, "SANIC_HOST": host if not nginx else "127.0.0.1"}, stdout=log.open("w"),
                stderr=subprocess.STDOUT)))
            result.actions.append(proc)
        for i, (proc, aport) in enumerate(zip(result.actions, action_ports, strict=True)):
            wait_http(f"http://127.0.0.1:{aport}/health", proc, f"action server {i + 1}", workdir / f"actions-{i + 1}.log")
        for i, rport in enumerate(rasa_ports):
            log = workdir / f"rasa-{i + 1}.log"
            proc = stack.enter_context(started(subprocess.Popen(
                [str(VENV_BIN / "rasa"), "run", "-m", str(model), "--port", str(rport),
                 "--interface", host if not nginx else "127.0.0.1",
                 "--endpoints", str(endpoints), "--credentials", str(credentials), *rasa_args],
                cwd=cwd, env={**full_env, "SANIC_WORKERS": "1"}, stdout=log.open("w"), stderr=subprocess.STDOUT)))
            result.rasa.append(proc)
        if not nginx:
            wait_http(f"{result.url}/version", result.rasa[0], "Rasa", workdir / "rasa-1.log")
            yield result
            return
        site = render_site(listen=f"{host}:{port}", rasa=[f"127.0.0.1:{p}" for p in rasa_ports],
                           actions=[f"127.0.0.1:{p}" for p in action_ports],
                           action_listen=f"127.0.0.1:{action_port}" if action_ports else None,
                           access_log="off")
        result.nginx = stack.enter_context(started(start_nginx(site, workdir / "nginx")))
        for i, (proc, rport) in enumerate(zip(result.rasa, rasa_ports, strict=True)):
            wait_http(f"http://127.0.0.1:{rport}/version", proc, f"Rasa process {i + 1}", workdir / f"rasa-{i + 1}.log")
        wait_http(f"{result.url}/version", result.nginx, "nginx", workdir / "nginx" / "error.log", timeout=30)
        yield result


# ----------------------------------------------------------------------------- command line


def _run(args: argparse.Namespace) -> int:
    rasa_args = ["--enable-api"]
    if os.environ.get("RASA_AUTH_TOKEN"):
        rasa_args.append(f"--auth-token={os.environ['RASA_AUTH_TOKEN']}")
    if args.cors:
        rasa_args += ["--cors", *args.cors]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # SystemExit stops every child on the way out
    try:
        with cluster(model=Path(args.model), endpoints=Path(args.endpoints), credentials=Path(args.credentials),
                     workdir=Path(args.logs), rasa_processes=args.rasa_processes,
                     action_processes=args.action_processes, port=args.port, action_port=args.action_port,
                     rasa_args=rasa_args, host=args.host) as running:
            print(f"» {args.rasa_processes} processus Rasa derrière nginx sur {running.url}, "
                  f"{args.action_processes} serveur(s) d'actions derrière {running.action_url}", flush=True)
            while all(p.poll() is None for p in running.processes()):
                time.sleep(1)
            print("Un des processus s'est arrêté (voir les journaux).", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        return 0


def _site(args: argparse.Namespace) -> int:
    print(render_site(listen=args.listen, rasa=args.rasa, actions=args.actions or (), action_listen=args.action_listen,
                      web=args.web, counsel=args.counsel, api_allow=args.api_allow,
                      tls=(args.cert, args.key) if args.cert else None, server_name=args.server_name,
                      access_log=args.access_log), end="")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start N Rasa processes, M action servers and nginx (until Ctrl-C)")
    run.add_argument("--model", required=True)
    run.add_argument("--endpoints", required=True, help="must use ${ACTION_SERVER_URL} for the action endpoint")
    run.add_argument("--credentials", required=True)
    run.add_argument("--rasa-processes", type=int, default=2)
    run.add_argument("--action-processes", type=int, default=1)
    run.add_argument("--port", type=int, default=5005, help="nginx front for Rasa")
    run.add_argument("--action-port", type=int, default=5055, help="nginx front for the action servers")
    run.add_argument("--host", default="127.0.0.1", help="address nginx listens on for Rasa")
    run.add_argument("--logs", default="var/logs/serve")
    run.add_argument("--cors", nargs="*", default=[])
    run.set_defaults(func=_run)
    site = sub.add_parser("nginx-site", help="print the nginx site configuration")
    site.add_argument("--listen", default="443")
    site.add_argument("--rasa", nargs="+", required=True, help="host:port of each Rasa process")
    site.add_argument("--actions", nargs="*", help="host:port of each action server")
    site.add_argument("--action-listen", help="private address of the action front, e.g. 127.0.0.1:5055")
    site.add_argument("--web", help="host:port of `python -m bot web`")
    site.add_argument("--counsel", help="host:port of the counsellors' workspace")
    site.add_argument("--api-allow", nargs="*", default=["127.0.0.1", "::1"])
    site.add_argument("--cert")
    site.add_argument("--key")
    site.add_argument("--server-name", default="_")
    site.add_argument("--access-log", default="/var/log/nginx/cap-reconversion.access.log")
    site.set_defaults(func=_site)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
