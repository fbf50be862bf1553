"""Referrals in the workspace database: migration, lifecycle, isolation, erase and purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from bot.catalogue.db import make_engine, make_sessionmaker
from bot.counsel import store
from bot.counsel.models import Referral, Share, utcnow
from bot.referrals import service
from bot.referrals.contact import Contact

FACTS = {"status": "salarie_prive", "contract": "cdi", "age": 41, "commune": "Arras", "code_insee": "62041"}
RESULTS = {"recommended": [{"id": "cpf", "title": "Compte personnel de formation"}], "to_check": []}
CEP = service.Target("mon-cep-arras", "Mon CEP Arras", "CEP Arras", "accueil@cep.example")
FT = service.Target("ft-lens", "France Travail Lens", "France Travail Lens", "lens@ft.example")


@pytest.fixture(autouse=True)
def referral_key(monkeypatch) -> None:
    monkeypatch.setenv("CAP_REFERRAL_KEY", "test-key-0123456789")


def _create(db, sender: str = "conv-1", target=CEP, phone: str = "06 12 34 56 78") -> Referral:
    return service.create_referral(db, sender_id=sender, target=target, contact=Contact("phone", phone),
                                   facts=FACTS, results=RESULTS, departement="62")


def test_upgrade_from_0002_keeps_rows_and_adds_referrals(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        store.migrate(engine, "0002")
        with make_sessionmaker(engine)() as db, db.begin():
            db.add(Share(code_hash="h" * 64, facts={"age": 30}, results={}, created_at=utcnow(),
                         expires_at=utcnow() + timedelta(days=7)))
        store.migrate(engine)
        assert store.current_revision(engine) == "0003"
        columns = {c["name"] for c in inspect(engine).get_columns("counsel_referral")}
        assert {"id", "public_id", "created_at", "updated_at", "status", "refusal_reason", "structure_id",
                "structure_name", "departement", "taken_at", "closed_at", "conversation_hash", "contact", "facts",
                "results"} <= columns
        Session = make_sessionmaker(engine)
        with Session() as db, db.begin():
            assert db.query(Share).one().facts == {"age": 30}
            _create(db)
        with Session() as db:
            ref = db.execute(select(Referral)).scalar_one()
            assert ref.facts == FACTS and ref.status == "recue" and ref.departement == "62"
            assert ref.conversation_hash != "conv-1" and "conv-1" not in ref.conversation_hash
        with pytest.raises(IntegrityError), engine.begin() as conn:  # the status values are the five of the contract
            conn.execute(text("UPDATE counsel_referral SET status = 'perdue'"))
    finally:
        engine.dispose()


def test_lifecycle_contact_kept_only_while_open(engine) -> None:
    Session = make_sessionmaker(engine)
    with Session() as db, db.begin():
        ref = _create(db)
        rid = ref.public_id
    with Session() as db, db.begin():
        ref = service.get_for(db, "CEP Arras", rid)
        assert "transmise" in service.status_fr(ref) and "téléphone" in service.status_fr(ref)
        service.set_status(ref, "prise_en_charge")
        assert ref.taken_at is not None and ref.contact == "06 12 34 56 78"
    with Session() as db, db.begin():
        ref = service.latest_referral(db, "conv-1")
        assert "pris en charge" in service.status_fr(ref)
        with pytest.raises(service.ReferralError):
            service.set_status(ref, "refusee", "  ")  # a refusal needs a reason
        service.set_status(ref, "refusee", "Nous n'intervenons pas dans votre commune")
        assert ref.closed_at is not None and ref.contact is None
        assert "Nous n'intervenons pas dans votre commune" in service.status_fr(ref)
        with pytest.raises(service.ReferralError):
            service.set_status(ref, "prise_en_charge")  # closed: final


def test_a_counsellor_sees_only_their_structure(engine) -> None:
    Session = make_sessionmaker(engine)
    with Session() as db, db.begin():
        mine = _create(db).public_id
        other = _create(db, "conv-2", FT).public_id
    with Session() as db:
        assert [r.public_id for r in service.list_for(db, "CEP Arras")] == [mine]
        assert service.get_for(db, "CEP Arras", other) is None
        assert service.get_for(db, "France Travail Lens", other) is not None


def test_the_person_cancels_and_erases(engine) -> None:
    Session = make_sessionmaker(engine)
    with Session() as db, db.begin():
        _create(db, "conv-1")
        _create(db, "conv-2")
        closed = _create(db, "conv-2", FT)
        service.set_status(closed, "close")
    with Session() as db, db.begin():
        ref = service.cancel(db, "conv-1")
        assert ref.status == "annulee" and ref.contact is None and ref.closed_at is not None
        assert service.cancel(db, "conv-1") is None  # nothing open any more
    with Session() as db, db.begin():
        assert service.erase_conversation(db, "conv-2") == 1  # the open one is deleted
    with Session() as db:
        left = db.execute(select(Referral).where(Referral.structure_id == "ft-lens")).scalar_one()
        assert left.status == "close" and left.facts == {} and left.contact is None  # kept for counts, unlinked
        assert service.latest_referral(db, "conv-2") is None


def test_purge_deletes_closed_referrals_after_the_retention(engine, monkeypatch) -> None:
    Session = make_sessionmaker(engine)
    with Session() as db, db.begin():
        old = _create(db, "conv-1")
        service.set_status(old, "close", now=utcnow() - timedelta(days=31))
        recent = _create(db, "conv-2")
        service.set_status(recent, "close", now=utcnow() - timedelta(days=29))
        _create(db, "conv-3")  # open: kept whatever its age
    monkeypatch.setenv("REFERRAL_RETENTION_DAYS", "30")
    with Session() as db, db.begin():
        assert service.purge(db) == 1
    with Session() as db:
        assert db.query(Referral).count() == 2
    with Session() as db, db.begin():
        assert service.purge(db, days=0) == 1
    with Session() as db:
        assert [r.status for r in db.query(Referral)] == ["recue"]
