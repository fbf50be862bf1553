"""Fixtures: generated conversations in a real tracker store, and a copy of the knowledge base."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.stats.generate import conversations, write

N_CONVERSATIONS = 3000


@pytest.fixture(scope="session")
def catalogue_db(tmp_path_factory):
    """A copy of the built knowledge base (the workspace's database): structures, trainings, communes."""
    db = tmp_path_factory.mktemp("catalogue") / "catalogue.db"
    built = REPO / "var" / "catalogue.db"
    if built.exists():
        shutil.copy(built, db)
    else:
        subprocess.run([sys.executable, "-m", "bot", "db", "build", "--database-url", f"sqlite:///{db}"], cwd=REPO,
                       check=True, capture_output=True, timeout=900)
    return db


@pytest.fixture
def workspace_url(catalogue_db, tmp_path) -> str:
    """A fresh copy of the knowledge base for one test (referrals may be added to it)."""
    return without_referrals(catalogue_db, tmp_path / "workspace.db")


def without_referrals(catalogue_db, db):
    """A copy of the knowledge base without the referrals table (the counsellors' migrations may have
    created it there): the tests decide whether referrals exist."""
    import sqlite3

    shutil.copy(catalogue_db, db)
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE IF EXISTS counsel_referral")
    return f"sqlite:///{db}"


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """(tracker store URL, truth) for a few thousand conversations in an SQLite tracker store."""
    path = tmp_path_factory.mktemp("tracker") / "tracker.db"
    convs, truth = conversations(N_CONVERSATIONS)
    write({"dialect": "sqlite", "db": str(path)}, convs)
    return f"sqlite:///{path}", truth, path


@pytest.fixture(scope="session")
def stats_workspace(generated, tmp_path_factory):
    """The real workspace server reading the generated conversations (accounts: tests/counsel/workspace.py)."""
    from tests.counsel.workspace import running_workspace

    _, _, path = generated
    with running_workspace(tmp_path_factory.mktemp("stats-workspace"),
                           env={"TRACKER_STORE": "sqlite", "TRACKER_DB_PATH": str(path)}) as ws:
        yield ws
