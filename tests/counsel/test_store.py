"""Workspace storage: migrations keep rows, accounts, rate limit, case isolation, share codes, purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from bot.catalogue.db import make_engine, make_sessionmaker
from bot.counsel import store
from bot.counsel.models import Case, Share, utcnow

PASSWORD = "correct horse battery"


def test_upgrade_from_empty_and_from_previous_revision_keeps_rows(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        store.migrate(engine, "0001")
        assert store.current_revision(engine) == "0001"
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO counsel_counsellor (email, name, password_hash, role, structure, active, created_at)"
                              " VALUES ('a@x.fr', 'A', 'h', 'counsellor', 'S', :t, :now)"), {"t": True, "now": utcnow()})
            conn.execute(text("INSERT INTO counsel_case (public_id, counsellor_id, structure, text, facts, evidence, unknown,"
                              " source, created_at, updated_at, expires_at) VALUES ('c1', 1, 'S', 'texte', '{\"age\": 30}',"
                              " '{}', '[]', 'analyse', :now, :now, :later)"),
                         {"now": utcnow(), "later": utcnow() + timedelta(days=90)})
        store.migrate(engine)  # 0001 -> head
        assert store.current_revision(engine) == "0003"
        assert "counsel_share" in inspect(engine).get_table_names()
        with make_sessionmaker(engine)() as db:
            case = db.query(Case).one()
            assert case.facts == {"age": 30} and case.text == "texte"
        store.migrate(engine)  # idempotent
        # the catalogue build never erases workspace tables
        from bot.catalogue.build import build_database

        build_database(engine=engine, force=True)
        with make_sessionmaker(engine)() as db:
            assert db.query(Case).count() == 1
    finally:
        engine.dispose()


def _users(engine):
    Session = make_sessionmaker(engine)
    with Session() as db, db.begin():
        a = store.add_counsellor(db, email="A@cep.fr", name="Anne", password=PASSWORD, structure="CEP Arras")
        b = store.add_counsellor(db, email="b@cep.fr", name="Bruno", password=PASSWORD, structure="CEP Arras")
        c = store.add_counsellor(db, email="c@ft.fr", name="Chloé", password=PASSWORD, structure="France Travail Lens")
        tokens = [store.open_session(db, u) for u in (a, b, c)]
    with Session() as db:
        return [store.session_user(db, t) for t in tokens]


def test_accounts_are_hashed_and_login_is_rate_limited(engine) -> None:
    Session = make_sessionmaker(engine)
    _users(engine)
    with Session() as db:
        stored = db.execute(text("SELECT password_hash FROM counsel_counsellor WHERE email='a@cep.fr'")).scalar_one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with Session() as db, db.begin():
        assert store.authenticate(db, "a@cep.fr", PASSWORD, "10.0.0.1").name == "Anne"
    for _ in range(store.LOGIN_MAX_FAILURES):
        with Session() as db, db.begin(), pytest.raises(store.AccessDenied):
            store.authenticate(db, "a@cep.fr", "wrong password!", "10.0.0.2")
    # now even the right password is refused for a while
    with Session() as db, db.begin(), pytest.raises(store.TooManyAttempts):
        store.authenticate(db, "a@cep.fr", PASSWORD, "10.0.0.3")
    with Session() as db, db.begin(), pytest.raises(store.BotError):
        store.add_counsellor(db, email="d@x.fr", name="D", password="short", structure="S")


def test_a_case_is_visible_only_within_its_structure(engine) -> None:
    anne, bruno, chloe = _users(engine)
    Session = make_sessionmaker(engine)
    with Session() as db, db.begin():
        case = store.create_case(db, anne, text="CDI à Lille", facts={"contract": "cdi"}, evidence={})
        cid = case.public_id
    with Session() as db:
        assert store.get_case(db, bruno, cid).facts == {"contract": "cdi"}  # same structure
        with pytest.raises(store.AccessDenied):
            store.get_case(db, chloe, cid)
        assert store.list_cases(db, chloe) == []
    with Session() as db, db.begin():
        store.delete_case(db, store.get_case(db, anne, cid))
    with Session() as db, pytest.raises(store.AccessDenied):
        store.get_case(db, anne, cid)


def test_share_code_is_single_use_revocable_and_expires(engine) -> None:
    anne, bruno, _ = _users(engine)
    Session = make_sessionmaker(engine)
    with Session() as db, db.begin():
        code = store.create_share(db, {"age": 22, "commune": "Lens"}, {"recommended": ["cej"]}, conversation_id="conv-1")
        assert len(code) == 9 and code[4] == "-"
        assert db.query(Share).one().code_hash != code  # only the hash is stored
    with Session() as db, db.begin():
        case = store.open_share(db, anne, code.lower().replace("-", " "))
        assert case.facts == {"age": 22, "commune": "Lens"} and case.source == "share"
    with Session() as db, db.begin(), pytest.raises(store.AccessDenied):
        store.open_share(db, bruno, code)  # single use
    with Session() as db, db.begin():
        revoked = store.create_share(db, {"age": 30}, {}, conversation_id="conv-2")
        assert store.revoke_shares(db, conversation_id="conv-2") == 1
        expired = store.create_share(db, {"age": 31}, {}, days=0)
        replaced = store.create_share(db, {"age": 32}, {}, conversation_id="conv-3")
        store.create_share(db, {"age": 33}, {}, conversation_id="conv-3")  # a new code revokes the previous one
    for dead in (revoked, expired, replaced, "ZZZZ-ZZZZ"):
        with Session() as db, db.begin(), pytest.raises(store.AccessDenied):
            store.open_share(db, anne, dead)


def test_purge_removes_old_cases_and_expired_shares(engine) -> None:
    anne, _, _ = _users(engine)
    Session = make_sessionmaker(engine)
    with Session() as db, db.begin():
        old = store.create_case(db, anne, text="ancien", facts={}, evidence={})
        old.updated_at = utcnow() - timedelta(days=91)
        store.create_case(db, anne, text="récent", facts={}, evidence={})
        store.create_share(db, {"age": 40}, {}, days=0)
        store.create_share(db, {"age": 41}, {})
    with Session() as db, db.begin():
        report = store.purge(db)
        assert report["cases"] == 1 and report["shares"] == 1
    with Session() as db:
        assert [c.text for c in db.query(Case).all()] == ["récent"]
        assert db.query(Share).count() == 1
    with Session() as db, db.begin():
        assert store.purge(db, days=0, now=utcnow() + timedelta(seconds=1))["cases"] == 1


def test_admin_commands(tmp_path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", "counsellors", *args], cwd=REPO, env={**env, **extra},
                              capture_output=True, text=True, timeout=300)

    first = run("demo-admin")
    assert first.returncode == 0 and "admin@demo.local" in first.stdout and "une seule fois" in first.stdout
    assert run("demo-admin").stdout == ""  # printed once: an account exists now
    added = run("add", "Zoe@CEP.fr", "--structure", "CEP Douai", "--role", "admin", COUNSEL_PASSWORD=PASSWORD)
    assert added.returncode == 0 and "zoe@cep.fr (admin, CEP Douai)" in added.stdout
    again = run("add", "zoe@cep.fr", "--structure", "CEP Douai", COUNSEL_PASSWORD=PASSWORD)
    assert again.returncode == 2 and "existe déjà" in again.stderr
    purged = run("purge", "--days", "30")
    assert purged.returncode == 0 and "cases 0" in purged.stdout
