"""Mon Compte Formation (ODS Explore v2.1): limits, renamed columns, bad records, errors, export."""

from __future__ import annotations

import pytest

from bot.clients.http import RetryPolicy, SourceError
from bot.clients.mcf import McfClient, build_where, iter_export_file, parse_record, strip_html
from bot.clients.of_list import ParseStats, RowError
from tests.fakes.opendata_server import MCF_BASE, Fault, mcf_record


@pytest.fixture
def mcf(server) -> McfClient:
    return McfClient(server.url, timeout_s=2, retry=RetryPolicy(attempts=3, backoff_s=0.01))


def test_parse_current_and_old_column_names():
    new = parse_record(mcf_record())
    assert new.siret == "90000010000017" and new.romes == ("K1801",) and new.nsf == ("332",)
    assert new.loaded_on.isoformat() == "2026-10-01" and new.cpf_eligible and new.departement == "80"
    assert new.objective == "Accompagner des publics & plus"
    old = {k: v for k, v in mcf_record().items() if k not in ("date_chargement", "siret_of", "code_rs")}
    old.update(date_extract="2025-06-01", siret=90000010000017, code_inventaire="RS5555", code_departement=2)
    parsed = parse_record(old)
    assert parsed.siret == "90000010000017" and parsed.code_rs == "RS5555"
    assert parsed.loaded_on.isoformat() == "2025-06-01" and parsed.departement == "02"


@pytest.mark.parametrize("bad, reason", [
    ({"intitule_formation": None}, "title_missing"), ({"nom_of": ""}, "body_missing"),
    ({"siret_of": "ABC"}, "siret_invalid"), ({"frais_ttc_tot_min": "cher"}, "price_invalid"),
    ({"frais_ttc_tot_min": -5}, "price_invalid"), ({"code_rome_1": "K18 01; DROP"}, "rome_invalid"),
])
def test_invalid_records_are_rejected(bad, reason):
    with pytest.raises(RowError, match=reason):
        parse_record(mcf_record(**bad))


def test_limits_are_checked_before_calling(server, mcf):
    with pytest.raises(ValueError):
        mcf.records(limit=101)
    with pytest.raises(ValueError):
        mcf.records(limit=100, offset=9_950)
    assert server.count(MCF_BASE) == 0


def test_records_with_where_and_rejects(server, mcf):
    page = mcf.records(where=build_where(romes=["M1419"], departements=["62"]), limit=10)
    assert [r.title for r in page.results] == ["Data analyst (TEST)"]
    everything = mcf.records(limit=100)
    assert everything.total_count == 4 and len(everything.results) == 3 and everything.rejected == 1
    assert server.requests[-1].query["limit"] == ["100"]


def test_iter_records_pages_within_the_window(server, mcf):
    rows = list(mcf.iter_records(page_size=2))
    assert len(rows) == 3 and server.count(MCF_BASE + "/records") == 2


def test_429_then_ok(server, mcf):
    server.fail(MCF_BASE, Fault(status=429, retry_after="0", headers={"X-RateLimit-Remaining": "0"}))
    assert mcf.records(limit=5).total_count == 4


def test_odsql_error_is_a_source_error(server, mcf):
    server.fail(MCF_BASE, Fault(status=400, body=b'{"error_code":"ODSQLError","message":"bad where"}'))
    with pytest.raises(SourceError, match="400"):
        mcf.records(where='code_rome_1="X"')


def test_payload_without_results_is_a_source_error(server, mcf):
    server.fail(MCF_BASE, Fault(body=b'{"records": []}'))
    with pytest.raises(SourceError, match="results"):
        mcf.records()


def test_export_csv_streams_and_parses(server, mcf, tmp_path):
    result = mcf.export_csv(tmp_path / "mcf.csv", where=build_where(region="32"))
    assert result.status == "downloaded"
    assert server.requests[-1].query["where"] == ['(code_region="32")']
    stats = ParseStats()
    rows = list(iter_export_file(result.path, stats))
    assert len(rows) == 3 and stats.rejected["title_missing"] == 1
    again = mcf.export_csv(tmp_path / "mcf.csv", where=build_where(region="32"), etag=result.etag)
    assert again.status == "not_modified"


def test_where_refuses_non_codes():
    with pytest.raises(ValueError):
        build_where(romes=['M1805" OR 1=1'])
    assert build_where() == ""


def test_strip_html():
    assert strip_html("&lt;p&gt;Bonjour&lt;/p&gt; <b>à</b> tous") == "Bonjour à tous"


def test_short_siret_is_unknown_not_padded():
    # issue 14: "6000010000017" padded to "06000010000017" would be another establishment's number
    record = parse_record(mcf_record(siret_of="6000010000017"))
    assert record.siret is None and record.title
