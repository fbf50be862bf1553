"""OF list CSV: BOM, trailing separator, lost leading zeros, Qualiopi columns, rejects, encodings."""

from __future__ import annotations

import pytest

from bot.clients.http import RetryPolicy, SourceError
from bot.clients.of_list import OfListClient, OfRecord, ParseStats, RowError, iter_file, iter_records
from tests.fakes.opendata_server import OF_HEADER, OF_PATH, OF_ROWS, Fault, of_csv


def parse(data: bytes, keep=OfRecord.in_hauts_de_france):
    stats = ParseStats()
    records = list(iter_records(data.splitlines(keepends=True), stats, keep=keep))
    return records, stats


def test_parses_the_recorded_shape():
    records, stats = parse(of_csv())
    by_nda = {r.nda: r for r in records}
    assert set(by_nda) == {"32590000001", "32800000002", "32020000003", "32620000004"}
    lille = by_nda["32590000001"]
    assert lille.name == "FORMA NORD INSERTION (TEST)" and lille.siret == "90000000100017"
    assert (lille.qualiopi_training, lille.qualiopi_assessment, lille.qualiopi_vae) == (True, True, False)
    assert lille.qualiopi and lille.specialities == (("332", "Travail social"), ("315", "Ressources humaines"))
    assert lille.trainees == 412 and lille.trainers == 9 and lille.last_declaration.isoformat() == "2026-03-14"
    aisne = by_nda["32020000003"]
    assert aisne.postcode == "02100" and aisne.departement == "02" and aisne.in_hauts_de_france()
    assert aisne.qualiopi_training is None and aisne.qualiopi_apprenticeship is True
    assert stats.read == len(OF_ROWS) and stats.skipped == 1  # Paris
    assert dict(stats.rejected) == {"nda_invalid": 1, "date_invalid": 1, "qualiopi_invalid": 1}


def test_without_bom_and_in_windows_1252():
    rows = [OF_ROWS[0].replace("FORMA NORD INSERTION", "ÉCOLE DES MÉTIERS")]
    records, stats = parse(of_csv(rows, bom=False, encoding="cp1252"))
    assert records[0].name.startswith("ÉCOLE DES MÉTIERS") and stats.encoding_fallbacks == 1


def test_mixed_encoding_lines_are_decoded_one_by_one():
    good = of_csv([OF_ROWS[0]])
    bad = OF_ROWS[1].replace("PICARDIE", "PICARDIÉ").encode("cp1252") + b"\n"
    records, stats = parse(good + bad)
    assert [r.nda for r in records] == ["32590000001", "32800000002"] and stats.encoding_fallbacks == 1


def test_numbers_that_lost_their_zeros_are_padded():
    row = OF_ROWS[2].replace("900000209;90000020900016", "900000209.0;9.0000020900016E13")
    records, stats = parse(of_csv([row]))
    assert records == [] and stats.rejected["siret_invalid"] == 1  # scientific notation: rejected, not guessed


def test_malformed_rows_never_stop_the_parse():
    rows = ['"unterminated;quote', "just;three;fields", OF_ROWS[0], "", "🙂" * 5, OF_ROWS[3] + "extra;cols;x"]
    records, stats = parse(of_csv(rows))
    assert any(r.nda == "32590000001" for r in records)
    assert stats.rejected_total >= 1


def test_wrong_file_is_refused_as_a_whole():
    with pytest.raises(RowError, match="header_invalid"):
        parse(b"<html><body>Maintenance</body></html>\n")
    with pytest.raises(RowError):
        parse(b"")


def test_header_has_the_trailing_separator():
    assert OF_HEADER.endswith(";")


def test_download_and_parse_through_the_server(server, tmp_path):
    c = OfListClient(server.url + OF_PATH, timeout_s=2, retry=RetryPolicy(attempts=2, backoff_s=0))
    result = c.download(tmp_path / "of.csv")
    stats = ParseStats()
    assert len(list(iter_file(result.path, stats, keep=OfRecord.in_hauts_de_france))) == 4


def test_download_failure_is_a_source_error(server, tmp_path):
    server.fail(OF_PATH, Fault(status=500), Fault(status=500))
    c = OfListClient(server.url + OF_PATH, timeout_s=2, retry=RetryPolicy(attempts=2, backoff_s=0))
    with pytest.raises(SourceError):
        c.download(tmp_path / "of.csv")
    assert not (tmp_path / "of.csv").exists()


def test_short_siret_is_padded_only_when_it_gives_back_the_siren():
    from bot.clients.of_list import parse_row

    def row(siren: str, siret: str) -> dict:
        return {"numeroDeclarationActivite": "32590000001", "denomination": "TEST (TEST)", "siren": siren,
                "siretEtablissementDeclarant": siret, "adressePhysiqueOrganismeFormation.codePostal": "59000"}

    # a spreadsheet dropped the leading zero of both: padding gives back the same SIREN
    assert parse_row(row("12345678", "1234567800015")).siret == "01234567800015"
    assert parse_row(row("012345678", "1234567800015")).siret == "01234567800015"
    assert parse_row(row("900000001", "9000000100017")).siret is None  # would not start with its SIREN
    assert parse_row(row("", "9000000100017")).siret is None  # no SIREN to check against: unknown
