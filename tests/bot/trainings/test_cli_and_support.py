"""CLI (`trainings`, `sync`) and the support-services merge (knowledge base + data·inclusion)."""

from __future__ import annotations

import argparse
import json
from datetime import date

import pytest

from bot.clients.data_inclusion import DataInclusionClient, parse_search_item
from bot.clients.http import NO_RETRY
from bot.trainings import cli
from bot.trainings.loader import load_embedded
from bot.trainings.service import TrainingsDeps
from bot.trainings.support import SupportItem, merge, support_near
from tests.bot.trainings.conftest import COMMUNES, fake_resolve
from tests.fakes.opendata_server import TOKEN, Fault, _di_item


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    cli.register(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture
def wired(db, index, monkeypatch):
    with db.begin() as s:
        load_embedded(s, index=index)
    deps = TrainingsDeps(db, index, fake_resolve, [], 1.0, today=lambda: date(2026, 11, 28))
    monkeypatch.setattr("bot.trainings.service.default_deps", lambda: deps)
    return deps


def test_cli_trainings_text_and_json(wired, capsys):
    assert run(["trainings", "--field", "aide-soignante", "--near", "Lens", "--offline"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Formations en aide-soignant près de Lens") and "vérifié le 28/11/2026" in out
    assert run(["trainings", "--field", "data", "--near", "Lens", "--offline", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "only_bodies" and doc["source"] == "catalogue" and doc["fresh_as_of"] == "2026-11-28"
    assert run(["trainings", "--field", "astronaute", "--near", "Lens", "--offline"]) == 1


def test_cli_trainings_filters(wired, capsys):
    assert run(["trainings", "--field", "logistique", "--near", "Amiens", "--qualiopi"]) == 0
    assert "Aucune formation" in capsys.readouterr().out  # Qualiopi unknown in the embedded extract
    assert run(["trainings", "--field", "logistique", "--near", "Amiens", "--max-price", "100000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # prices unknown: never matched by a price filter


def test_cli_sync(db, settings, index, monkeypatch, capsys):
    monkeypatch.setattr("bot.config.get_settings", lambda: settings)
    monkeypatch.setattr("bot.trainings.places.default_index", lambda: index)
    assert run(["sync", "--only", "of", "--quiet"]) == 0
    assert "4 lignes chargées, rejets : 3" in capsys.readouterr().out
    assert run(["sync", "--only", "of"]) == 0
    captured = capsys.readouterr()
    assert "inchangé" in captured.out


def test_merge_without_duplicates():
    lens = COMMUNES["62498"]
    kb = [SupportItem("Mission locale de test (TEST)", "Lens", "62498", 1.0, None, None, None, "structure")]
    same_name = parse_search_item(_di_item())
    other = parse_search_item({**_di_item(), "service": {**_di_item()["service"], "id": "x",
                               "structure": {**_di_item()["service"]["structure"], "id": "s2",
                                             "nom": "CIDFF de test (TEST)", "siret": "90000070400010"}}})
    merged = merge(kb, [same_name, other, other], lat=lens.lat, lon=lens.lon)
    assert [m.name for m in merged] == ["Mission locale de test (TEST)", "CIDFF de test (TEST)"]
    assert merged[1].origin == "data-inclusion"


def test_support_near_live_and_offline(db, server):
    lens = COMMUNES["62498"]
    with db() as s:
        items, source = support_near(s, lens, client=DataInclusionClient(server.url, TOKEN, retry=NO_RETRY))
        assert source == "live+structures" and items[0].origin == "data-inclusion"
        server.fail("/api/v1/search", Fault(status=500))
        items, source = support_near(s, lens, client=DataInclusionClient(server.url, TOKEN, retry=NO_RETRY))
        assert source == "structures" and items == []


def test_data_inclusion_item_says_how_to_go_there():
    # issue 14: hours, how to apply, conditions, the service's own phone / e-mail / address, fee details
    lens = COMMUNES["62498"]
    [item] = merge([], [parse_search_item(_di_item())], lat=lens.lat, lon=lens.lon)
    assert item.phone == "+33300000001" and item.email == "accueil@exemple.invalid"
    assert item.address == "1 place du Test, 2e étage, 62300 Lens"
    contact = item.contact_fr()
    assert "horaires : du lundi au vendredi 8 h 30-12 h 30 ; fermé les jours fériés" in contact
    assert "se présenter, téléphoner ; Sans rendez-vous le matin (TEST) ; https://exemple.invalid/services/0001/orienter" \
        in contact
    assert "conditions : Avoir entre 16 et 25 ans (TEST)" in contact and "frais : gratuit, Aucun frais (TEST)" in contact
