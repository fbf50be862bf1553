"""A real workspace server (`python -m bot counsellors serve`) on a free port, with its own database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO
from tests.support.servers import _wait, free_port

PASSWORD = "motdepasse-de-test"
#: email → structure: two counsellors of one structure, one of another.
ACCOUNTS = {"anne@cep.fr": "CEP Arras", "bruno@cep.fr": "CEP Arras", "chloe@ft.fr": "France Travail Lens"}
#: the workspace's administrator (statistics, accounts)
ADMIN = "dora@region.fr"


@dataclass
class Workspace:
    url: str  # http://127.0.0.1:PORT/conseil
    database_url: str
    proc: subprocess.Popen
    log: Path | None = None  # the server's output (tests scan it for personal data)


@contextmanager
def running_workspace(workdir: Path, env: dict[str, str] | None = None) -> Iterator[Workspace]:
    """Start the server on a copy of the knowledge base (or a fresh build) with three counsellors and
    an admin; `env` adds variables (e.g. TRACKER_DB_PATH, the conversations the statistics read)."""
    db = workdir / "workspace.db"
    built = REPO / "var" / "catalogue.db"
    if built.exists():
        shutil.copy(built, db)
    url = f"sqlite:///{db}"
    env = {**os.environ, "DATABASE_URL": url, "SQLALCHEMY_SILENCE_UBER_WARNING": "1", **(env or {})}
    env.pop("COUNSEL_SECURE_COOKIES", None)
    for email, structure in [*ACCOUNTS.items(), (ADMIN, "Région Hauts-de-France")]:
        role = ["--role", "admin"] if email == ADMIN else []
        subprocess.run([sys.executable, "-m", "bot", "counsellors", "add", email, "--structure", structure, *role],
                       cwd=REPO, env={**env, "COUNSEL_PASSWORD": PASSWORD}, check=True, capture_output=True,
                       timeout=300)
    port = free_port()
    log = workdir / "workspace.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "counsellors", "serve", "--port", str(port)],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(f"http://127.0.0.1:{port}/conseil/connexion", proc, "workspace", log, timeout=120)
        yield Workspace(f"http://127.0.0.1:{port}/conseil", url, proc, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
