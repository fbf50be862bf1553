"""A real HTTP server on 127.0.0.1 that replays open-data responses shaped like the real ones.

TEST DATA: every record served here is INVENTED (SIRET/NDA with the 9000000xx / 3x...000 test
prefixes, `exemple.invalid` addresses), shaped after shared/reference/data-sources.md. Never ship it.

Routes (one server plays every source; point each base URL setting at `server.url`):
- GET /fr/datasets/r/<rid>                      OF list CSV (ETag / Last-Modified / 304)
- GET /api/explore/v2.1/catalog/datasets/moncompteformation_catalogueformation/records
- GET /api/explore/v2.1/catalog/datasets/moncompteformation_catalogueformation/exports/csv
- GET /api/v1/formations                          La bonne alternance (base URL `<url>/api`)
- GET /api/v1/search/services                     data·inclusion (Bearer token required; `di_allowed_hosts`
                                                  plays the API's trusted-host check: 400 to other names)
- GET /api/v1/structures, /api/v1/services       data·inclusion lists (Bearer token; `code_departement`,
                                                  `page`, `size`): `di_directory` (see `di_directory_fixture`)
- GET /communes, /communes/<code>                 geo.api.gouv.fr

Faults are programmable per path prefix and consumed in order: `server.fail("/communes", Fault(...))`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MCF_BASE = "/api/explore/v2.1/catalog/datasets/moncompteformation_catalogueformation"
OF_PATH = "/fr/datasets/r/ac59a0f5-fa83-4b82-bf12-3c5806d4f19f"
TOKEN = "test-token-invented"

OF_HEADER = (
    "numeroDeclarationActivite;numerosDeclarationActivitePrecedent;denomination;siren;siretEtablissementDeclarant;"
    "adressePhysiqueOrganismeFormation.voie;adressePhysiqueOrganismeFormation.codePostal;"
    "adressePhysiqueOrganismeFormation.ville;adressePhysiqueOrganismeFormation.codeRegion;"
    "certifications.actionsDeFormation;certifications.bilansDeCompetences;certifications.VAE;"
    "certifications.actionsDeFormationParApprentissage;organismeEtrangerRepresente.denomination;"
    "organismeEtrangerRepresente.voie;organismeEtrangerRepresente.codePostal;organismeEtrangerRepresente.ville;"
    "organismeEtrangerRepresente.pays;informationsDeclarees.dateDerniereDeclaration;"
    "informationsDeclarees.debutExercice;informationsDeclarees.finExercice;"
    "informationsDeclarees.specialitesDeFormation.codeSpecialite1;"
    "informationsDeclarees.specialitesDeFormation.libelleSpecialite1;"
    "informationsDeclarees.specialitesDeFormation.codeSpecialite2;"
    "informationsDeclarees.specialitesDeFormation.libelleSpecialite2;"
    "informationsDeclarees.specialitesDeFormation.codeSpecialite3;"
    "informationsDeclarees.specialitesDeFormation.libelleSpecialite3;informationsDeclarees.nbStagiaires;"
    "informationsDeclarees.nbStagiairesConfiesParUnAutreOF;informationsDeclarees.effectifFormateurs;"
)

# Invented rows (3 HdF bodies from the reference + traps). Each line ends with ";" like the real file.
OF_ROWS = [
    '32590000001;;"FORMA NORD INSERTION (TEST)";900000001;90000000100017;"12 RUE DE LA CLEF";59000;LILLE;32;'
    'true;true;false;false;;;;;;14/03/2026;01/01/2025;31/12/2025;332;Travail social;315;Ressources humaines;;;412;0;9;',
    '32800000002;;"PICARDIE COMPETENCES (TEST)";900000100;90000010000017;"3 BOULEVARD DU PORT";80000;AMIENS;32;'
    'true;false;true;false;;;;;;02/02/2026;01/01/2025;31/12/2025;326;"Informatique, traitement de l\'information";'
    ';;;;128;14;4;',
    # Aisne postcode that lost its leading zero (2100 -> 02100), no region code.
    '32020000003;32020000099;"AISNE FORMATION ALTERNANCE (TEST)";900000209;90000020900016;"5 RUE D\'ISLE";2100;'
    'SAINT-QUENTIN;;;;;true;;;;;;30/04/2026;01/01/2025;31/12/2025;311;Transports, manutention, magasinage;;;;;57;0;3;',
    '32620000004;;"DATA LENS ACADEMIE (TEST)";900000308;90000030800016;"1 RUE DU TEST";62300;LENS;32;true;;;;'
    ';;;;;01/03/2026;01/01/2025;31/12/2025;326;Informatique;;;;;40;0;2;',
    # Outside Hauts-de-France: skipped, not rejected.
    '11750000005;;"PARIS FORMATION (TEST)";900000407;90000040700015;"1 RUE X";75001;PARIS;11;true;;;;;;;;;'
    '01/01/2026;01/01/2025;31/12/2025;326;Informatique;;;;;1;0;1;',
    # Invalid rows: counted as rejected, never fatal.
    'ABC;;"BAD NDA (TEST)";;;;59000;LILLE;32;true;;;;;;;;;;;;;;;;;;;;;',
    '32590000006;;"BAD DATE (TEST)";;;;59000;LILLE;32;true;;;;;;;;;31/31/2026;;;;;;;;;;;;;',
    '32590000007;;"BAD QUALIOPI (TEST)";;;;59000;LILLE;32;peut-etre;;;;;;;;;;;;;;;;;;;;;',
]


def of_csv(rows: list[str] | None = None, *, bom: bool = True, encoding: str = "utf-8") -> bytes:
    """The OF list as bytes (BOM, `;`, trailing separator)."""
    text = OF_HEADER + "\n" + "\n".join(OF_ROWS if rows is None else rows) + "\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom and encoding == "utf-8" else data


def mcf_record(**overrides: Any) -> dict[str, Any]:
    """One invented MCF `results` item with the current column names."""
    record = {
        "date_chargement": "2026-10-01", "nom_of": "PICARDIE COMPETENCES (TEST)", "nom_departement": "Somme",
        "nom_region": "Hauts-de-France", "type_referentiel": "RNCP", "code_rs": None, "code_rncp": "37274",
        "intitule_certification": "TP - Conseiller en insertion professionnelle",
        "libelle_niveau_sortie_formation": "Niveau 5 (BTS, DUT…)", "code_formacode_1": "44028",
        "code_formacode_2": None, "code_formacode_3": None, "code_formacode_4": None, "code_formacode_5": None,
        "libelle_code_formacode_principal": "insertion professionnelle", "code_rome_1": "K1801", "code_rome_2": None,
        "code_rome_3": None, "code_rome_4": None, "code_rome_5": None, "libelle_nsf_1": "Travail social",
        "code_nsf_1": "332", "libelle_nsf_2": None, "code_nsf_2": None, "libelle_nsf_3": None, "code_nsf_3": None,
        "code_certifinfo": "108530", "siret_of": "90000010000017", "numero_formation": "PC-CIP-2026",
        "intitule_formation": "Devenir conseiller en insertion professionnelle (TEST)",
        "points_forts": "<p>Stage de 8 semaines</p>", "objectif_formation": "<p>Accompagner des publics &amp; plus</p>",
        "contenu_formation": "<ul><li>Accueil</li></ul>", "resultats_attendus_formation": "Titre professionnel CIP",
        "nb_action": 2, "nb_session_active": 3, "nb_session_a_distance": 0, "nombre_heures_total_min": 1015,
        "nombre_heures_total_max": 1260, "nombre_heures_total_mean": 1137.5, "frais_ttc_tot_min": 6200,
        "frais_ttc_tot_max": 7800, "frais_ttc_tot_mean": 7000, "code_departement": "80", "code_region": "32",
        "nbaction_nbheures": 2275, "coderegion_export": "32",
    }
    record.update(overrides)
    return record


def default_mcf_records() -> list[dict[str, Any]]:
    """Invented CPF trainings: current names, old names, a data training in Lens, a broken one."""
    data_lens = mcf_record(nom_of="DATA LENS ACADEMIE (TEST)", siret_of="90000030800016",
                           numero_formation="DLA-DATA-1", intitule_formation="Data analyst (TEST)",
                           intitule_certification="Data analyst", code_rome_1="M1419", code_nsf_1="326",
                           code_formacode_1="31054", code_departement="62", nb_session_a_distance=2,
                           frais_ttc_tot_min=3500, frais_ttc_tot_max=4200)
    old_names = {k: v for k, v in mcf_record().items() if k not in ("date_chargement", "siret_of", "code_rs")}
    old_names.update({"date_extract": "2025-06-01", "siret": "90000000100017", "code_inventaire": "RS5555",
                      "nom_of": "FORMA NORD INSERTION (TEST)", "numero_formation": "FNI-1",
                      "intitule_formation": "Accompagnement vers l'emploi (TEST)", "code_departement": "59"})
    broken = mcf_record(intitule_formation=None, numero_formation="BROKEN")
    return [mcf_record(), data_lens, old_names, broken]


@dataclass
class Fault:
    """One programmed misbehaviour (consumed once)."""

    status: int | None = None                # reply with this status (e.g. 500, 503, 429, 400)
    retry_after: str | None = None           # Retry-After header value
    delay_s: float = 0.0                     # sleep before answering (timeouts)
    body: bytes | None = None                # replace the body (malformed JSON, HTML error page…)
    truncate_to: int | None = None           # send only the first N bytes but announce the full length
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """A request the server received (for assertions)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FakeOpenDataServer:
    """Start with `with FakeOpenDataServer() as server:`; `server.url` is `http://127.0.0.1:<port>`."""

    def __init__(self) -> None:
        self.of_csv = of_csv()
        self.of_last_modified = "Wed, 01 Oct 2026 08:00:00 GMT"
        self.mcf_records = default_mcf_records()
        self.lba_results = [_lba_item()]
        self.di_items = [_di_item()]
        self.di_directory: dict[str, list[dict[str, Any]]] = {"structures": [], "services": []}
        self.di_allowed_hosts: list[str] | None = None  # the API's trusted-host check (None: any host)
        self.geo_communes = _geo_communes()
        self.requests: list[Seen] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-opendata", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeOpenDataServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def fail(self, path_prefix: str, *faults: Fault) -> None:
        """Queue faults for requests whose path starts with `path_prefix`."""
        with self._lock:
            self._faults[path_prefix].extend(faults)

    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            for prefix, queue in self._faults.items():
                if path.startswith(prefix) and queue:
                    return queue.popleft()
        return None

    def count(self, path_prefix: str) -> int:
        """How many requests hit `path_prefix`."""
        return sum(1 for r in self.requests if r.path.startswith(path_prefix))


def _make_handler(server: FakeOpenDataServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            server.requests.append(Seen("GET", parts.path, query, {k: v for k, v in self.headers.items()}))
            fault = server._next_fault(parts.path)
            if fault and fault.delay_s:
                time.sleep(fault.delay_s)
            try:
                status, headers, body = self._route(parts.path, query)
            except _HttpError as err:
                status, headers, body = err.status, {"Content-Type": "application/json"}, err.body
            if fault:
                if fault.status is not None:
                    status = fault.status
                    body = fault.body if fault.body is not None else json.dumps(
                        {"error_code": "Fault", "message": f"programmed {fault.status}"}).encode()
                    headers = {"Content-Type": "application/json"}
                elif fault.body is not None:
                    body = fault.body
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
                if fault.content_type:
                    headers["Content-Type"] = fault.content_type
                headers.update(fault.headers)
            self._send(status, headers, body, truncate_to=fault.truncate_to if fault else None)

        def _send(self, status: int, headers: dict[str, str], body: bytes, *, truncate_to: int | None) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            if truncate_to is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD" or status == 304:
                return
            try:
                self.wfile.write(body if truncate_to is None else body[:truncate_to])
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return
            if truncate_to is not None:
                self.close_connection = True

        # -- routing ---------------------------------------------------------------------------
        def _route(self, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
            if path == OF_PATH:
                return self._of()
            if path == f"{MCF_BASE}/records":
                return self._mcf_records(q)
            if path == f"{MCF_BASE}/exports/csv":
                return self._mcf_export(q)
            if path == "/api/v1/formations":
                return self._lba(q)
            if path == "/api/v1/search/services":
                return self._di(q)
            if path in ("/api/v1/structures", "/api/v1/services"):
                return self._di_list(path.rsplit("/", 1)[1], q)
            if path == "/communes":
                return self._geo_list(q)
            if path.startswith("/communes/"):
                return self._geo_one(path.rsplit("/", 1)[1])
            raise _HttpError(404, {"detail": "not found"})

        def _conditional(self, body: bytes, last_modified: str, content_type: str) -> tuple[int, dict, bytes]:
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            headers = {"ETag": etag, "Last-Modified": last_modified, "Content-Type": content_type}
            if self.headers.get("If-None-Match") == etag:
                return 304, headers, b""
            if self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == last_modified:
                return 304, headers, b""
            return 200, headers, body

        def _of(self) -> tuple[int, dict, bytes]:
            return self._conditional(server.of_csv, server.of_last_modified, "text/csv; charset=utf-8")

        def _filtered_mcf(self, where: str | None) -> list[dict[str, Any]]:
            return [r for r in server.mcf_records if _odsql_match(where, r)]

        def _mcf_records(self, q: dict[str, list[str]]) -> tuple[int, dict, bytes]:
            limit = int(q.get("limit", ["10"])[0])
            offset = int(q.get("offset", ["0"])[0])
            if limit > 100 or offset + limit > 10_000 or limit < 0:
                raise _HttpError(400, {"error_code": "InvalidRESTParameterError",
                                       "message": "Invalid value for limit/offset"})
            rows = self._filtered_mcf(q.get("where", [None])[0])
            payload = {"total_count": len(rows), "results": rows[offset:offset + limit]}
            return 200, {"Content-Type": "application/json; charset=utf-8", "X-RateLimit-Limit": "5000",
                         "X-RateLimit-Remaining": "4999"}, json.dumps(payload, ensure_ascii=False).encode()

        def _mcf_export(self, q: dict[str, list[str]]) -> tuple[int, dict, bytes]:
            rows = self._filtered_mcf(q.get("where", [None])[0])
            out = io.StringIO()
            keys = sorted({k for r in rows for k in r})
            writer = csv.DictWriter(out, fieldnames=keys, delimiter=q.get("delimiter", [";"])[0])
            writer.writeheader()
            for r in rows:
                writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in keys})
            return self._conditional(out.getvalue().encode("utf-8"), "Thu, 02 Oct 2026 08:00:00 GMT",
                                     "text/csv; charset=utf-8")

        def _lba(self, q: dict[str, list[str]]) -> tuple[int, dict, bytes]:
            if not q.get("romes") and not q.get("romeDomain"):
                raise _HttpError(400, {"error": "Bad Request", "message": "romes or romeDomain is required"})
            return 200, {"Content-Type": "application/json"}, json.dumps({"results": server.lba_results}).encode()



        def _di(self, q: dict[str, list[str]]) -> tuple[int, dict, bytes]:
            host = (self.headers.get("Host") or "").split(":")[0]
            if server.di_allowed_hosts is not None and host not in server.di_allowed_hosts:
                # Starlette's TrustedHostMiddleware: plain text, before authentication
                return 400, {"Content-Type": "text/plain; charset=utf-8"}, b"Invalid host header"
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                raise _HttpError(401, {"detail": "Not authenticated"})
            code = q.get("code_commune", [""])[0]
            if not re.match(r"^\d[\dAB]\d{3}$", code) or code == "00000":
                raise _HttpError(422, {"detail": "This `code_commune` does not exist."})
            items = server.di_items
            page = {"items": items, "total": len(items), "page": 1, "size": len(items), "pages": 1}
            return 200, {"Content-Type": "application/json"}, json.dumps(page, ensure_ascii=False).encode()

        def _di_list(self, kind: str, q: dict[str, list[str]]) -> tuple[int, dict, bytes]:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                raise _HttpError(401, {"detail": "Not authenticated"})
            # the publisher's defaults: 5,000 a page, at most 10,000
            page, size = int(q.get("page", ["1"])[0]), int(q.get("size", ["5000"])[0])
            if page < 1 or not 1 <= size <= 10_000:
                raise _HttpError(422, {"detail": [{"loc": ["query", "size"], "msg": "out of range"}]})
            dep = q.get("code_departement", [None])[0]
            rows = [r for r in server.di_directory[kind] if dep is None or r.get("_dep") == dep]
            items = [{k: v for k, v in r.items() if k != "_dep"} for r in rows[(page - 1) * size:page * size]]
            body = {"items": items, "total": len(rows), "page": page, "size": len(items),
                    "pages": -(-len(rows) // size)}
            return 200, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False).encode()

        def _geo_list(self, q: dict[str, list[str]]) -> tuple[int, dict, bytes]:
            if q.get("type", [""])[0] == "commune":
                return 200, {"Content-Type": "application/json"}, b"[]"
            rows = server.geo_communes
            if "codePostal" in q:
                rows = [c for c in rows if q["codePostal"][0] in c["codesPostaux"]]
            if "nom" in q:
                rows = [{**c, "_score": 0.9} for c in rows if q["nom"][0].lower() in c["nom"].lower()]
            return 200, {"Content-Type": "application/json"}, json.dumps(rows, ensure_ascii=False).encode()

        def _geo_one(self, code: str) -> tuple[int, dict, bytes]:
            for c in server.geo_communes:
                if c["code"] == code:
                    return 200, {"Content-Type": "application/json"}, json.dumps(c, ensure_ascii=False).encode()
            raise _HttpError(404, {"message": "Commune non trouvée"})

    return Handler


class _HttpError(Exception):
    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = json.dumps(payload).encode()


_PAIR = re.compile(r'(\w+)="([^"]*)"')


def _odsql_match(where: str | None, record: dict[str, Any]) -> bool:
    """Tiny ODSQL subset: AND of OR-groups of `field="value"` (enough for our client's queries)."""
    if not where:
        return True
    groups = [g for g in re.split(r"\)\s+AND\s+\(", where) if g.strip()]
    for group in groups:
        pairs = _PAIR.findall(group)
        if pairs and not any(str(record.get(f) or "") == v for f, v in pairs):
            return False
    return True


def _lba_item() -> dict[str, Any]:
    return {
        "ideaType": "formation", "title": "BTS Services informatiques aux organisations (TEST)",
        "longTitle": "SERVICES INFORMATIQUES AUX ORGANISATIONS (BTS) (TEST)", "id": "000000000000000000000001",
        "diploma": "BTS", "rncpCode": "RNCP00000", "romes": [{"code": "M1805", "label": None}],
        "onisepUrl": "https://exemple.invalid/formation/1",
        "place": {"distance": 4.2, "fullAddress": "1 RUE DU TEST 62300 LENS", "latitude": 50.43, "longitude": 2.83,
                  "city": "LENS", "zipCode": "62300", "insee": "62498", "departementNumber": "62"},
        "company": {"name": "LYCEE DE TEST", "siret": "90000050600018"},
        "training": {"sessions": [{"startDate": "2026-09-01T00:00:00.000Z", "endDate": "2028-06-30T00:00:00.000Z",
                                   "isPermanentEntry": False}]},
        "contact": {"phone": "0300000000"},
    }


def lba_worldwide_fallback() -> list[dict[str, Any]]:
    """What La bonne alternance returns when nothing is within the radius: it searches again without any
    radius and sends the 5 closest (here Marseille, Lyon… for a search around Lens), distance in km."""
    far = []
    for n, (city, zip_code, lat, lon, km) in enumerate([
            ("MARSEILLE", "13001", 43.30, 5.37, 835.4), ("LYON", "69001", 45.76, 4.83, 560.1),
            ("RENNES", "35000", 48.11, -1.68, 430.9), ("TOULOUSE", "31000", 43.60, 1.44, 765.0),
            ("AMIENS", "80000", 49.89, 2.30, 72.3)]):
        item = _lba_item()
        item.update(id=f"00000000000000000000010{n}", title=f"BTS SIO {city.title()} (TEST)")
        item["place"] = {"distance": km, "fullAddress": f"1 RUE DU TEST {zip_code} {city}", "latitude": lat,
                         "longitude": lon, "city": city, "zipCode": zip_code, "insee": None,
                         "departementNumber": zip_code[:2]}
        far.append(item)
    return far


def lba_item_without_postcode() -> dict[str, Any]:
    """A real-format record whose place has no zipCode/insee, no distance, a short SIRET and no sessions."""
    item = _lba_item()
    item.update(id="000000000000000000000002", title="CAP Électricien (TEST)")
    item["place"] = {"distance": None, "fullAddress": "ZONE DU TEST  LIEVIN", "latitude": 50.42, "longitude": 2.78,
                     "city": "LIEVIN", "zipCode": None, "insee": None, "departementNumber": None}
    item["company"] = {"name": "CFA DE TEST", "siret": "0600018"}
    item["training"] = {"sessions": []}
    item["contact"] = {"phone": None}
    return item


def _di_item() -> dict[str, Any]:
    return {"service": {
        "source": "dora", "structure_id": "dora--ml-test-01", "id": "dora--svc-0001",
        "nom": "Accompagnement vers l'emploi des 16-25 ans (TEST)", "description": "Entretiens (TEST).",
        "lien_source": "https://exemple.invalid/services/0001", "date_maj": "2026-09-30", "type": "accompagnement",
        "thematiques": ["se-former--trouver-sa-formation"], "frais": "gratuit", "publics": ["jeunes"],
        "commune": "Lens", "code_postal": "62300", "code_insee": "62498", "adresse": "1 place du Test",
        "longitude": 2.83, "latitude": 50.43, "modes_accueil": ["en-presentiel"],
        "frais_precisions": "Aucun frais (TEST)", "conditions_acces": "Avoir entre 16 et 25 ans (TEST)",
        "telephone": "+33300000001", "courriel": "accueil@exemple.invalid", "complement_adresse": "2e étage",
        "horaires_accueil": "Mo-Fr 08:30-12:30; PH off", "modes_mobilisation": ["se-presenter", "telephoner"],
        "mobilisation_precisions": "Sans rendez-vous le matin (TEST)",
        "lien_mobilisation": "https://exemple.invalid/services/0001/orienter",
        "structure": {"source": "dora", "id": "dora--ml-test-01", "nom": "Mission locale de test (TEST)",
                      "date_maj": "2026-09-30", "siret": "90000060500019", "commune": "Lens",
                      "code_postal": "62300", "code_insee": "62498", "longitude": 2.83, "latitude": 50.43,
                      "telephone": "+33300000000", "site_web": "https://exemple.invalid",
                      "reseaux_porteurs": ["mission-locale"]}},
        "distance": 2}


def di_item_without_postcode() -> dict[str, Any]:
    """A v1 service with no postcode, no address and the v0 list form of `frais` (both seen in the data)."""
    item = _di_item()
    svc = {k: v for k, v in item["service"].items() if k not in ("code_postal", "adresse", "complement_adresse",
                                                                  "horaires_accueil", "telephone", "courriel")}
    svc.update(id="dora--svc-0002", frais=["gratuit", "adhesion"])
    svc["structure"] = {**svc["structure"], "siret": "605000190"}  # a truncated SIRET: unknown, not padded
    return {"service": svc, "distance": None}


def _geo_communes() -> list[dict[str, Any]]:
    # Approximate centres, for tests only.
    return [
        {"nom": "Lens", "code": "62498", "codeDepartement": "62", "codeRegion": "32", "codesPostaux": ["62300"],
         "population": 32920, "centre": {"type": "Point", "coordinates": [2.8319, 50.4323]}},
        {"nom": "Saint-Quentin", "code": "02691", "codeDepartement": "02", "codeRegion": "32",
         "codesPostaux": ["02100"], "population": 52813, "centre": {"type": "Point", "coordinates": [3.2876, 49.8465]}},
        {"nom": "Villetest", "code": "02999", "codeDepartement": "02", "codeRegion": "32",
         "codesPostaux": ["02100"], "population": 120, "centre": {"type": "Point", "coordinates": [3.30, 49.86]}},
    ]


# -- data·inclusion directory fixture ------------------------------------------------------------
DI_KINDS = (
    # (slug, structure name, service name, publics, thématiques, modes_mobilisation, offset km east)
    ("cep", "Point conseil emploi", "Conseil pour changer de métier", [],
     ["choisir-un-metier--confirmer-son-choix-de-metier", "se-former--trouver-sa-formation"], ["telephoner"], 0.5),
    ("jeunes", "Espace jeunes emploi", "Accompagnement vers l'emploi des 16-25 ans", ["jeunes"],
     ["trouver-un-emploi--repondre-a-des-offres-demploi", "se-former--trouver-sa-formation"],
     ["se-presenter", "telephoner"], 1.0),
    ("handicap", "Service emploi et handicap", "Emploi et reconversion avec un handicap",
     ["personnes-en-situation-de-handicap"],
     ["trouver-un-emploi--maintien-dans-lemploi", "choisir-un-metier--identifier-ses-points-forts-et-ses-competences"],
     ["telephoner", "envoyer-un-courriel"], 2.0),
    ("alimentation", "Épicerie solidaire", "Aide alimentaire", [], ["equipement-et-alimentation--alimentation"],
     ["se-presenter"], 1.5),
)


def di_directory_fixture(per_departement: int = 15) -> dict[str, list[dict[str, Any]]]:
    """A generated, INVENTED directory (names end with "(TEST)", phones +333000…, `exemple.invalid`):
    for the `per_departement` most populous communes of each Hauts-de-France département (real codes and
    centres from bot.geo), one structure and one service of each kind of `DI_KINDS`, plus bad records
    (each named in `DI_BAD_REASONS`). Rows carry `_dep` for the `code_departement` filter."""
    from bot.geo import communes

    structures: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    n = 0
    for dep in ("02", "59", "60", "62", "80"):
        towns = sorted((c for c in communes().all() if c.departement == dep and c.lat is not None),
                       key=lambda c: -(c.population or 0))[:per_departement]
        for town in towns:
            postcode = sorted(town.codes_postaux)[0]
            for slug, s_name, v_name, publics, themes, modes, east_km in DI_KINDS:
                n += 1
                sid = f"dora--{slug}-{town.code_insee}"
                lon = round(town.lon + east_km / 71.5, 5)
                structures.append({
                    "_dep": dep, "source": "dora", "id": sid, "original_id": f"{slug}-{town.code_insee}",
                    "nom": f"{s_name} de {town.nom} (TEST)", "description": "Structure inventée pour les tests.",
                    "date_maj": "2026-10-01", "siret": f"9000{n:08d}01"[:14], "commune": town.nom,
                    "code_postal": postcode, "code_insee": town.code_insee, "adresse": f"{n} rue du Test",
                    "latitude": town.lat, "longitude": lon, "telephone": f"+33300{n:06d}",
                    "courriel": f"contact{n}@exemple.invalid", "site_web": f"https://exemple.invalid/s/{n}",
                    "horaires_accueil": "Mo-Fr 09:00-12:00", "reseaux_porteurs": [], "score_qualite": 0.8,
                })
                services.append({
                    "_dep": dep, "source": "dora", "structure_id": sid, "id": f"dora--svc-{slug}-{town.code_insee}",
                    "nom": f"{v_name} (TEST)", "description": "Service inventé pour les tests.", "date_maj": "2026-10-01",
                    "type": "accompagnement", "thematiques": themes, "frais": "gratuit", "publics": publics,
                    "commune": town.nom, "code_postal": postcode, "code_insee": town.code_insee,
                    "adresse": f"{n} rue du Test", "latitude": town.lat, "longitude": lon,
                    "telephone": f"+33300{n:06d}", "courriel": f"service{n}@exemple.invalid",
                    "modes_accueil": ["en-presentiel"], "zone_eligibilite": [dep],
                    "horaires_accueil": "Mo-Fr 08:30-12:30; PH off", "modes_mobilisation": modes,
                    "mobilisation_precisions": None, "lien_mobilisation": None, "conditions_acces": None,
                    "lien_source": f"https://exemple.invalid/services/{n}", "score_qualite": 0.8,
                })
    lille = next(s for s in services if s["code_insee"] == "59350")

    def bad(suffix: str, **changes: Any) -> dict[str, Any]:
        return {**lille, "id": f"dora--bad-{suffix}", **changes}

    ghost = {**structures[0], "_dep": "59", "id": "dora--ghost", "latitude": None, "longitude": None,
             "code_insee": None, "code_postal": None}
    structures.append(ghost)
    services.extend([
        bad("no-coordinates", structure_id="dora--ghost", latitude=None, longitude=None, code_insee=None,
            code_postal=None),
        bad("postcode", code_postal="5900"),
        bad("theme", thematiques=["cuisine--recettes-du-monde"]),
        bad("malformed", thematiques="se-former--trouver-sa-formation"),
        bad("latitude", latitude="cinquante"),
        bad("structure", structure_id="dora--does-not-exist"),
        bad("name", nom=None),
    ])
    return {"structures": structures, "services": services}


#: Reject reasons of the bad records above, as the sync counts them.
DI_BAD_REASONS = {"no_coordinates": 1, "bad_postcode": 1, "unknown_thematique": 1, "malformed": 2,
                  "unknown_structure": 1, "no_id_or_name": 1}
