"""Partners' statistics on a few thousand real tracker-store conversations: counts, k-anonymity, no
free text, CSV, referrals, the command line, PostgreSQL."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from bot.stats.cli import compute
from bot.stats.render import to_csv, to_text
from bot.stats.report import ALL
from tests.conftest import REPO
from tests.stats.checks import assert_k_anonymous, published_counts
from tests.stats.conftest import without_referrals
from tests.stats.generate import COMMUNES, MONTHS, SENTINELS, conversations, write


def with_totals(counter: Counter) -> dict:
    out: Counter = Counter()
    for (m, d), n in counter.items():
        for mm in (m, ALL):
            for dd in (d, ALL):
                out[mm, dd] += n
    return dict(out)


@pytest.fixture(scope="module")
def report(generated, catalogue_db, tmp_path_factory):
    url, _, _ = generated
    workspace = without_referrals(catalogue_db, tmp_path_factory.mktemp("stats") / "workspace.db")
    return compute(tracker_url=url, database_url=workspace, k=10)


def test_counts_are_the_conversations_that_reached_results(report, generated) -> None:
    _, truth, _ = generated
    expected = with_totals(truth.results)
    assert expected[ALL, ALL] > 2000  # a few thousand conversations, ~85 % reached results
    assert report.months == list(MONTHS)
    grid = report.grids["results"]
    hidden_small = 0
    for key, value in grid.items():
        real = expected.get(key, 0)
        if value is not None:
            assert value == real, key
        if 0 < real < 10:
            assert value is None, key
            hidden_small += 1
    assert hidden_small >= 3  # the Aisne and "autre" months are small: suppression really happened
    assert grid[ALL, ALL] == expected[ALL, ALL]
    assert grid["2026-02", "59"] == expected["2026-02", "59"]  # big cells are published as they are


def test_no_scheme_no_structure_and_schemes(report, generated) -> None:
    _, truth, _ = generated
    for name, counter in (("no_scheme", truth.no_scheme), ("no_structure", truth.no_structure)):
        expected = with_totals(counter)
        for key, value in report.grids[name].items():
            if value is not None:
                assert value == expected.get(key, 0), (name, key)
    # only Brest (département "autre") has no structure within 30 km
    far = with_totals(truth.no_structure)
    assert report.grids["no_structure"][ALL, "autre"] == far[ALL, "autre"] >= 10
    assert report.grids["no_structure"][ALL, "59"] == 0
    top = report.schemes[ALL, ALL]
    overall = Counter()
    for (_, _, s), n in truth.schemes.items():
        overall[s] += n
    assert {sid: n for sid, _, n in top} == dict(overall)  # every scheme of the set is above k over the period
    assert [n for _, _, n in top] == sorted((n for _, _, n in top), reverse=True)
    monthly = report.schemes["2026-01", "59"]
    assert monthly and all(n == truth.schemes["2026-01", "59", sid] for sid, _, n in monthly)


def test_no_training_nearby_by_goal_and_field(report, generated) -> None:
    _, truth, _ = generated
    expected = with_totals(truth.no_training)
    grid = report.grids["no_training"]
    assert grid[ALL, ALL] == expected[ALL, ALL] > 100
    for key, value in grid.items():
        assert value is None or value == expected.get(key, 0), key
    # no plumbing training anywhere near; care assistants near Lille, Beauvais, Saint-Quentin only
    assert report.unmet["field"][ALL, ALL, "plomberie"] > report.unmet["field"][ALL, ALL, "aide_soignant"] > 0
    assert {c for (_, _, c) in report.unmet["field"]} == {"plomberie", "aide_soignant"}  # never "non reconnu"
    goals = Counter()
    for (_, _, g), n in truth.no_training_goal.items():
        goals[g] += n
    for g, n in goals.items():
        assert report.unmet["goal"][ALL, ALL, g] == n


def test_every_cell_is_k_anonymous(report, generated) -> None:
    _, truth, _ = generated
    assert_k_anonymous(report, {"results": with_totals(truth.results), "no_scheme": with_totals(truth.no_scheme),
                                "no_structure": with_totals(truth.no_structure),
                                "no_training": with_totals(truth.no_training)})
    results = with_totals(truth.results)
    for (m, d), items in report.schemes.items():  # "not recommended X" is never a small group either
        for sid, _, n in items:
            assert not 0 < results[m, d] - n < report.k, (m, d, sid)


def test_no_free_text_or_identifier_in_any_output(report, generated) -> None:
    _, _, path = generated
    raw = path.read_bytes()
    assert SENTINELS[0].encode() in raw and SENTINELS[3].encode() in raw  # they are in the store…
    outputs = {"csv": to_csv(report), "text": to_text(report), "repr": repr(report)}
    for name, out in outputs.items():  # …and nowhere in what is published
        low = out.lower()
        for s in SENTINELS:
            assert s.lower() not in low, (name, s)
        for code in COMMUNES:
            assert code not in out, (name, code)
        assert "sentinel" not in low and "zorglub" not in low, name


def test_csv_holds_the_published_figures(report) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(report)), delimiter=";"))
    assert rows and set(rows[0]) == {"indicateur", "mois", "departement", "categorie", "valeur", "statut"}
    results = {(r["mois"], r["departement"]): r for r in rows if r["indicateur"] == "results"}
    grid = report.grids["results"]
    for (m, d), value in grid.items():
        r = results["total" if m == ALL else m, "total" if d == ALL else d]
        if value is None:
            assert r["valeur"] == "" and r["statut"] == "masque_moins_de_10"
        else:
            assert int(r["valeur"]) == value and r["statut"] == "publie"
    assert any(r["statut"] == "masque_moins_de_10" for r in rows)
    for r in rows:
        if r["valeur"] and "days" not in r["indicateur"]:
            assert int(r["valeur"]) == 0 or int(r["valeur"]) >= 10, r
    assert [r for r in rows if r["indicateur"] == "referrals"][0]["statut"] == "indisponible"
    assert {r["categorie"] for r in rows if r["indicateur"] == "recommended_scheme"} >= {"cpf", "ptp"}


def test_k_is_configurable(generated, catalogue_db) -> None:
    url, truth, _ = generated
    strict = compute(tracker_url=url, database_url=f"sqlite:///{catalogue_db}", k=40)
    assert_k_anonymous(strict, {"results": with_totals(truth.results)})
    assert min(v for v in published_counts(strict) if v) >= 40
    hidden = sum(v is None for v in strict.grids["results"].values())
    assert hidden > 3


def _referrals(url: str, rows: list[tuple]) -> None:
    engine = create_engine(url, future=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counsel_referral (id INTEGER PRIMARY KEY, created_at TIMESTAMP NOT NULL, "
                          "status VARCHAR(20) NOT NULL, taken_at TIMESTAMP NULL, closed_at TIMESTAMP NULL, "
                          "departement VARCHAR(3) NOT NULL, phone VARCHAR(40), email VARCHAR(254), note TEXT)"))
        for created, status, taken, closed, dept in rows:
            conn.execute(text("INSERT INTO counsel_referral (created_at, status, taken_at, closed_at, departement, "
                              "phone, email, note) VALUES (:c, :s, :t, :x, :d, :p, :e, :n)"),
                         {"c": created, "s": status, "t": taken, "x": closed, "d": dept, "p": SENTINELS[5],
                          "e": SENTINELS[6], "n": SENTINELS[0]})
    engine.dispose()


def test_referrals_sent_taken_closed_and_delays(generated, workspace_url) -> None:
    url, _, _ = generated
    day = datetime(2026, 2, 3, 9)
    rows = []
    for i in range(40):  # Nord, February: 40 sent, 24 taken (after 1..4 days), 12 closed (after 10 days)
        created = day + timedelta(hours=i)
        taken = created + timedelta(days=1 + i % 4) if i < 24 else None
        closed = created + timedelta(days=10) if i < 12 else None
        rows.append((created, "close" if i < 12 else "prise_en_charge" if i < 24 else "recue", taken, closed, "59"))
    rows += [(day, "recue", None, None, "80")] * 4  # Somme: 4 sent, hidden
    rows += [(day, "recue", None, None, "62")] * 15  # Pas-de-Calais: 15, hidden as well (see below)
    rows += [(day, "annulee", None, day + timedelta(days=1), "Nord")] * 2
    _referrals(workspace_url, rows)
    report = compute(tracker_url=url, database_url=workspace_url, k=10)
    nord = report.referrals["2026-02", "59"]
    assert nord["sent"] == 42 and nord["taken"] == 24 and nord["closed"] == 12
    assert nord["taken_days"] == 2.5 and nord["closed_days"] == 10.0
    assert report.referrals["2026-02", "80"]["sent"] is None
    # 61 in the month: the Somme's 4 would be 61 − 42 − 15, so the Pas-de-Calais is hidden too
    assert report.referrals["2026-02", ALL]["sent"] == 61
    assert report.referrals["2026-02", "62"]["sent"] is None
    assert_k_anonymous(report)
    out = to_csv(report) + to_text(report)
    assert SENTINELS[5] not in out and SENTINELS[6] not in out and SENTINELS[0] not in out
    assert "referrals_sent;2026-02;59;;42;publie" in out


def test_command_line_text_and_csv(generated, workspace_url, tmp_path) -> None:
    url, truth, _ = generated
    out_csv = tmp_path / "stats.csv"
    base = [sys.executable, "-m", "bot", "stats", "--tracker-url", url, "--database-url", workspace_url]
    done = subprocess.run([*base, "--since", "2026-02"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Nord (59)" in done.stdout and "janvier 2026" not in done.stdout and "février 2026" in done.stdout
    assert "Orientations : indisponibles" in done.stdout
    assert "sentinel" not in done.stdout.lower()
    done = subprocess.run([*base, "--csv", str(out_csv), "--k", "12"], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8-sig")), delimiter=";"))
    total = next(r for r in rows if (r["indicateur"], r["mois"], r["departement"]) == ("results", "total", "total"))
    assert int(total["valeur"]) == sum(truth.results.values())
    assert all(r["statut"] != "masque_moins_de_10" for r in rows) and any(r["statut"] == "masque_moins_de_12"
                                                                         for r in rows)
    bad = subprocess.run([*base, "--since", "mars"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "AAAA-MM" in bad.stderr


@pytest.mark.postgres
def test_postgresql_tracker_store(catalogue_db) -> None:
    import uuid

    from tests.counsel.conftest import PG_ADMIN_URL

    name = f"cap_stats_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, future=True)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except Exception as exc:  # noqa: BLE001 - no server
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {type(exc).__name__}")
    try:
        convs, truth = conversations(1200, seed=11)
        write({"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": name, "username": "postgres",
               "login_db": "postgres"}, convs)
        report = compute(tracker_url=f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}",
                         database_url=f"sqlite:///{catalogue_db}", k=10)
        expected = with_totals(truth.results)
        assert report.grids["results"][ALL, ALL] == expected[ALL, ALL]
        for key, value in report.grids["results"].items():
            assert value is None or value == expected.get(key, 0)
        assert_k_anonymous(report, {"results": expected})
        assert "sentinel" not in to_csv(report).lower()
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()
