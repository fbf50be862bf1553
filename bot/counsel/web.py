"""The counsellors' workspace: server-rendered pages (Sanic + Jinja2) under /conseil/.

Security: every page but the login form needs a session (cookie HttpOnly, SameSite=Strict, Secure
behind TLS); every form carries a CSRF token checked on POST; logins are rate-limited per e-mail
and per client address; a case is only ever loaded through `store.get_case` (same structure).
Pages never log what counsellors type.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, html, raw, redirect
from sqlalchemy.engine import Engine

from bot.counsel import store
from bot.counsel.facts import FormError, read_form, rows
from bot.errors import BotError

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
PREFIX = "/conseil"
COOKIE = "counsel_session"
LOGIN_COOKIE = "counsel_login_csrf"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
VERDICTS = {"recommended": "Éligible et adapté", "to_check": "À vérifier", "other_options": "Autre possibilité",
            "not_eligible": "Pas éligible"}
GROUPS = {"who_to_see": "Qui voir", "how_to_fund": "Comment financer", "contracts": "Contrats en alternance",
          "aids": "Aides"}
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


@lru_cache(maxsize=1)
def _templates() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
    from bot.referrals.service import STATUS_LABELS

    env.globals.update(PREFIX=PREFIX, VERDICTS=VERDICTS, GROUPS=GROUPS, LABELS=STATUS_LABELS)
    return env


def month_after(as_of: date, months: int) -> str:
    """"mars 2027": the month `months` after `as_of`."""
    m = as_of.month - 1 + months
    return f"{MONTHS[m % 12]} {as_of.year + m // 12}"


def _secure(request: Request) -> bool:
    if os.environ.get("COUNSEL_SECURE_COOKIES", "") == "1":
        return True
    return request.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def _set_cookie(request: Request, response: HTTPResponse, name: str, value: str, max_age: int) -> None:
    response.cookies[name] = value
    c = response.cookies[name]
    c["httponly"] = True
    c["samesite"] = "Strict"
    c["path"] = PREFIX + "/"
    c["max-age"] = max_age
    if _secure(request):
        c["secure"] = True


def _page(name: str, status: int = 200, **ctx: Any) -> HTTPResponse:
    return html(_templates().get_template(name).render(**ctx), status=status)


def _client(request: Request) -> str:
    return request.ip or ""


def create_app(engine: Engine | None = None, *, name: str = "counsel", tracker_url: str | None = None) -> Sanic:
    """The workspace app (a fresh one per call: tests start several). `tracker_url`: the
    conversations the statistics read (default: TRACKER_STORE, TRACKER_DB_*)."""
    from bot.catalogue.db import make_sessionmaker

    engine = engine or store.workspace_engine()
    Session = make_sessionmaker(engine)
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.KEEP_ALIVE_TIMEOUT = 5
    app.ctx.engine = engine
    app.ctx.tracker_url = tracker_url
    app.ctx.stats_cache = {}
    for sheet in ("counsel.css", "synthesis.css"):
        app.static(f"{PREFIX}/static/{sheet}", str(HERE / "static" / sheet), name=sheet.replace(".", "_"))

    @app.middleware("response")
    async def headers(request: Request, response: HTTPResponse) -> None:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        if not request.path.startswith(PREFIX + "/static/"):
            response.headers["Cache-Control"] = "no-store"

    def who(request: Request, db: Any) -> store.Who | None:
        return store.session_user(db, request.cookies.get(COOKIE))

    def csrf_ok(request: Request, expected: str | None) -> bool:
        sent = (request.form.get("csrf") if request.form else None) or ""
        return bool(expected) and hmac.compare_digest(sent, expected)

    def need_login() -> HTTPResponse:
        return redirect(PREFIX + "/connexion")

    def forbidden() -> HTTPResponse:
        return _page("message.html", 403, title="Requête refusée", who=None,
                     text="Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez.")

    def admin_guard(request: Request, db: Any, *, post: bool = False) -> tuple[store.Who | None, HTTPResponse | None]:
        """(admin, None), or the response refusing the request (login, CSRF, 403 for counsellors)."""
        w, _, refused = guard(request, db, post=post)
        if refused is None and w.role != "admin":
            refused = _page("message.html", 403, title="Accès réservé", who=w,
                            text="Cette page est réservée aux administrateurs de l'espace conseillers.")
        return w, refused

    def not_found(w: store.Who | None) -> HTTPResponse:
        return _page("message.html", 404, title="Dossier introuvable", who=w,
                     text="Ce dossier n'existe pas, a été supprimé ou n'appartient pas à votre structure.")

    def guard(request: Request, db: Any, cid: str | None = None, *, post: bool = False
              ) -> tuple[store.Who | None, Any, HTTPResponse | None]:
        """(counsellor, case, None) or (…, …, the response that refuses the request)."""
        w = who(request, db)
        if w is None:
            return None, None, need_login()
        if post and not csrf_ok(request, w.csrf):
            return w, None, forbidden()
        if cid is None:
            return w, None, None
        try:
            return w, store.get_case(db, w, cid), None
        except store.AccessDenied:
            return w, None, not_found(w)

    # --------------------------------------------------------------- login / logout
    @app.get(PREFIX + "/")
    async def root(request: Request) -> HTTPResponse:
        with Session() as db:
            w = who(request, db)
        return redirect(PREFIX + ("/dossiers" if w else "/connexion"))

    @app.get(PREFIX + "/connexion")
    async def login_form(request: Request) -> HTTPResponse:
        token = secrets.token_urlsafe(32)
        resp = _page("login.html", who=None, csrf=token, error=None)
        _set_cookie(request, resp, LOGIN_COOKIE, token, 3600)
        return resp

    @app.post(PREFIX + "/connexion")
    async def login(request: Request) -> HTTPResponse:
        if not csrf_ok(request, request.cookies.get(LOGIN_COOKIE)):
            return forbidden()
        email = request.form.get("email", "")
        password = request.form.get("password", "")
        token = secrets.token_urlsafe(32)
        with Session() as db:
            try:
                user = store.authenticate(db, email, password, _client(request))
                session_token = store.open_session(db, user)
            except store.TooManyAttempts as exc:
                resp = _page("login.html", 429, who=None, csrf=token, error=exc.message_fr)
            except store.AccessDenied as exc:
                resp = _page("login.html", 401, who=None, csrf=token, error=exc.message_fr)
                session_token = None
            else:
                resp = None
            db.commit()  # the failed attempt is recorded too
        if resp is None:
            resp = redirect(PREFIX + "/dossiers", status=303)
            _set_cookie(request, resp, COOKIE, session_token, store.SESSION_HOURS * 3600)
            _set_cookie(request, resp, LOGIN_COOKIE, "", 0)
            return resp
        _set_cookie(request, resp, LOGIN_COOKIE, token, 3600)
        return resp

    @app.post(PREFIX + "/deconnexion")
    async def logout(request: Request) -> HTTPResponse:
        with Session() as db, db.begin():
            w, _, refused = guard(request, db, post=True)
            if refused:
                return refused
            store.close_session(db, request.cookies.get(COOKIE))
        resp = redirect(PREFIX + "/connexion?au-revoir=1", status=303)
        _set_cookie(request, resp, COOKIE, "", 0)
        return resp

    # --------------------------------------------------------------- cases
    @app.get(PREFIX + "/dossiers")
    async def cases(request: Request) -> HTTPResponse:
        with Session() as db:
            w, _, refused = guard(request, db)
            if refused:
                return refused
            items = store.list_cases(db, w)
            return _page("cases.html", who=w, cases=items, error=request.args.get("erreur"),
                         deleted=request.args.get("supprime"))

    @app.post(PREFIX + "/analyse")
    async def new_analysis(request: Request) -> HTTPResponse:
        from bot.counsel.analyse import UnusableText, analyse

        with Session() as db, db.begin():
            w, _, refused = guard(request, db, post=True)
            if refused:
                return refused
            text = (request.form.get("text") or "")[:5000]
            try:
                result = analyse(text)
            except UnusableText as exc:
                return _page("cases.html", 422, who=w, cases=store.list_cases(db, w), error=exc.message_fr, text=text)
            case = store.create_case(db, w, text=text, facts=result["profile"], evidence=result["evidence"])
            return redirect(f"{PREFIX}/dossiers/{case.public_id}", status=303)

    @app.post(PREFIX + "/code")
    async def open_code(request: Request) -> HTTPResponse:
        with Session() as db, db.begin():
            w, _, refused = guard(request, db, post=True)
            if refused:
                return refused
            try:
                case = store.open_share(db, w, request.form.get("code", ""))
            except store.AccessDenied as exc:
                return _page("cases.html", 404, who=w, cases=store.list_cases(db, w), error=exc.message_fr)
            return redirect(f"{PREFIX}/dossiers/{case.public_id}", status=303)

    def evaluate_case(case: Any, as_of: date | None = None, facts: dict[str, Any] | None = None) -> dict[str, Any]:
        from bot.eligibility import evaluate

        return evaluate(dict(case.facts if facts is None else facts), as_of or date.today(),
                        skip_fields=list(case.unknown or []))

    @app.get(PREFIX + "/dossiers/<cid>")
    async def case_page(request: Request, cid: str) -> HTTPResponse:
        with Session() as db:
            w, case, refused = guard(request, db, cid)
            if refused:
                return refused
            result = evaluate_case(case)
            group = request.args.get("groupe", "")
            query = (request.args.get("q") or "").strip()
            lists = {}
            for key in VERDICTS:
                items = result.get(key, [])
                if group in GROUPS:
                    items = [i for i in items if i.get("group") == group]
                if query:
                    from bot.geo.normalize import fold

                    items = [i for i in items if fold(query) in fold(i["title"] + " " + i["id"])]
                lists[key] = items
            return _page("case.html", who=w, case=case, result=result, lists=lists, group=group, query=query,
                         rows=rows(case.facts, case.evidence or {}, set(case.unknown or []), result["questions"]),
                         questions=[r for r in rows({}, {}, set(), result["questions"]) if r.name in result["questions"]],
                         saved=request.args.get("enregistre"), error=None)

    @app.post(PREFIX + "/dossiers/<cid>/faits")
    async def case_facts(request: Request, cid: str) -> HTTPResponse:
        with Session() as db, db.begin():
            w, case, refused = guard(request, db, cid, post=True)
            if refused:
                return refused
            try:
                facts, unknown = read_form(request.form)
            except FormError as exc:
                return _page("message.html", 422, who=w, title="Valeur non valide", text=exc.message_fr,
                             back=f"{PREFIX}/dossiers/{cid}")
            if "commune" in facts and facts.get("commune") != (case.facts or {}).get("commune"):
                facts.pop("code_insee", None)
            elif (case.facts or {}).get("code_insee") and "commune" in facts:
                facts["code_insee"] = case.facts["code_insee"]
            store.update_case(db, case, facts=facts, unknown=sorted(unknown))
        return redirect(f"{PREFIX}/dossiers/{cid}?enregistre=1#faits", status=303)

    @app.get(PREFIX + "/dossiers/<cid>/dispositifs/<rid>")
    async def scheme_page(request: Request, cid: str, rid: str) -> HTTPResponse:
        from bot.eligibility.rules import load_rules

        with Session() as db:
            w, case, refused = guard(request, db, cid)
            if refused:
                return refused
            rules = load_rules()
            if rid not in rules:
                return not_found(w)
            result = evaluate_case(case)
            verdict, item = next(((k, i) for k in VERDICTS for i in result.get(k, []) if i["id"] == rid), (None, None))
            if item is None:
                return not_found(w)
            rule = rules[rid]
            as_of = date.fromisoformat(result["as_of"])
            months = item.get("eligible_in_months")
            replaced = rules.get(rule.replaced_by) if rule.replaced_by else None
            return _page("scheme.html", who=w, case=case, item=item, verdict=verdict, rule=rule, replaced=replaced,
                         when=month_after(as_of, months) if months else None, months=months,
                         timeline=[month_after(as_of, m) for m in range(0, (months or 0) + 1)] if months and months <= 24 else [])

    @app.route(PREFIX + "/dossiers/<cid>/simulation", methods=["GET", "POST"])
    async def what_if(request: Request, cid: str) -> HTTPResponse:
        with Session() as db:
            w, case, refused = guard(request, db, cid, post=request.method == "POST")
            if refused:
                return refused
            before = evaluate_case(case)
            diff = dates = None
            facts, unknown, error = dict(case.facts), set(case.unknown or []), None
            if request.method == "POST":
                try:
                    facts, unknown = read_form(request.form)
                    after = evaluate_case(case, facts=facts)
                    diff = _diff(before, after)
                    d1, d2 = request.form.get("date1"), request.form.get("date2")
                    if d1 and d2:
                        a, b = date.fromisoformat(d1), date.fromisoformat(d2)
                        dates = {"d1": a, "d2": b, **_diff(evaluate_case(case, a, facts), evaluate_case(case, b, facts))}
                except FormError as exc:
                    error = exc.message_fr
                except ValueError:
                    error = "Les dates doivent être au format AAAA-MM-JJ."
            return _page("whatif.html", who=w, case=case, diff=diff, dates=dates, error=error,
                         rows=rows(facts, case.evidence or {}, unknown, before["questions"]),
                         today=date.today().isoformat())

    @app.get(PREFIX + "/dossiers/<cid>/synthese.pdf", name="synthesis_pdf")
    async def synthesis_pdf(request: Request, cid: str) -> HTTPResponse:
        return await synthesis(request, cid, "pdf")

    @app.get(PREFIX + "/dossiers/<cid>/synthese.html", name="synthesis_html")
    async def synthesis_html(request: Request, cid: str) -> HTTPResponse:
        return await synthesis(request, cid, "html")

    async def synthesis(request: Request, cid: str, fmt: str) -> HTTPResponse:
        from bot.counsel.synthesis import build_synthesis, render_html, render_pdf

        with Session() as db:
            w, case, refused = guard(request, db, cid)
            if refused:
                return refused
            synth = build_synthesis(dict(case.facts), evaluate_case(case))
        if fmt == "html":
            return html(render_html(synth, css_href=PREFIX + "/static/synthesis.css"))
        return raw(render_pdf(synth), content_type="application/pdf", headers={
            "Content-Disposition": f"attachment; filename=\"synthese-{quote(cid)}.pdf\""})

    @app.get(PREFIX + "/dossiers/<cid>/supprimer")
    async def delete_confirm(request: Request, cid: str) -> HTTPResponse:
        with Session() as db:
            w, case, refused = guard(request, db, cid)
            if refused:
                return refused
            return _page("delete.html", who=w, case=case)

    @app.post(PREFIX + "/dossiers/<cid>/supprimer")
    async def delete(request: Request, cid: str) -> HTTPResponse:
        """Deletes only with `confirm=1` (the confirmation page's button, RGAA 11.12); else asks."""
        with Session() as db, db.begin():
            w, case, refused = guard(request, db, cid, post=True)
            if refused:
                return refused
            if request.form.get("confirm") != "1":
                return _page("delete.html", who=w, case=case)
            store.delete_case(db, case)
        return redirect(PREFIX + "/dossiers?supprime=1", status=303)

    # --------------------------------------------------------------- referrals (issue 10)
    def referral_page(w: store.Who, ref: Any, status: int = 200, **ctx: Any) -> HTTPResponse:
        from bot.referrals.service import TRANSITIONS, fact_lines

        return _page("referral.html", status, who=w, r=ref, facts=fact_lines(dict(ref.facts or {})),
                     moves=TRANSITIONS.get(ref.status, ()), **ctx)

    def no_referral(w: store.Who) -> HTTPResponse:
        return _page("message.html", 404, title="Demande introuvable", who=w, back=PREFIX + "/demandes",
                     text="Cette demande n'existe pas, a été supprimée ou n'est pas adressée à votre structure.")

    @app.get(PREFIX + "/demandes")
    async def referrals(request: Request) -> HTTPResponse:
        from bot.referrals.service import list_for

        with Session() as db:
            w, _, refused = guard(request, db)
            if refused:
                return refused
            return _page("referrals.html", who=w, referrals=list_for(db, w.structure))

    @app.get(PREFIX + "/demandes/<rid>")
    async def referral(request: Request, rid: str) -> HTTPResponse:
        from bot.referrals.service import get_for

        with Session() as db:
            w, _, refused = guard(request, db)
            if refused:
                return refused
            ref = get_for(db, w.structure, rid)
            if ref is None:
                return no_referral(w)
            return referral_page(w, ref, saved=request.args.get("enregistre"), error=None)

    @app.post(PREFIX + "/demandes/<rid>/statut")
    async def referral_status(request: Request, rid: str) -> HTTPResponse:
        from bot.referrals.service import ReferralError, get_for, set_status

        with Session() as db, db.begin():
            w, _, refused = guard(request, db, post=True)
            if refused:
                return refused
            ref = get_for(db, w.structure, rid)
            if ref is None:
                return no_referral(w)
            try:
                set_status(ref, request.form.get("status", ""), request.form.get("reason"))
            except ReferralError as exc:
                return referral_page(w, ref, 422, error=exc.message_fr, saved=None)
            log.info("referral status changed")
        return redirect(f"{PREFIX}/demandes/{rid}?enregistre=1", status=303)
    # --------------------------------------------------------------- admin: statistics
    def stats_report(request: Request) -> tuple[Any, Any, dict[str, str], HTTPResponse | None]:
        """(admin, report for the months asked — cached 5 minutes —, the filter, None), or the refusal."""
        import time

        from bot.stats.cli import compute

        with Session() as db:
            w, refused = admin_guard(request, db)
        period = {k: v for k in ("depuis", "jusqua") if (v := (request.args.get(k) or "").strip())}
        if refused:
            return w, None, period, refused
        if any(not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v) for v in period.values()):
            return w, None, period, _page("stats.html", 422, who=w, report=None, period=period, sections=[],
                                          error="Les mois s'écrivent AAAA-MM, par exemple 2026-03.")
        key = (period.get("depuis"), period.get("jusqua"))
        cached = app.ctx.stats_cache.get(key)
        if cached is None or time.monotonic() - cached[0] > 300:
            report = compute(tracker_url=app.ctx.tracker_url, workspace=engine, since=key[0], until=key[1])
            now = time.monotonic()  # expired reports are dropped: the cache stays small
            app.ctx.stats_cache = {**{k: v for k, v in app.ctx.stats_cache.items() if now - v[0] <= 300},
                                   key: (now, report)}
            cached = app.ctx.stats_cache[key]
        return w, cached[1], period, None

    @app.get(PREFIX + "/statistiques")
    async def stats_page(request: Request) -> HTTPResponse:
        from bot.stats.render import sections, shown, svg_chart

        w, report, period, refused = stats_report(request)
        if refused:
            return refused
        query = "&".join(f"{k}={quote(v)}" for k, v in period.items())
        return _page("stats.html", who=w, report=report, period=period, error=None, sections=sections(report),
                     svg=svg_chart, shown=shown, csv_href=f"{PREFIX}/statistiques.csv" + (f"?{query}" if query else ""))

    @app.get(PREFIX + "/statistiques.csv")
    async def stats_csv(request: Request) -> HTTPResponse:
        from bot.stats.render import to_csv

        _, report, _, refused = stats_report(request)
        if refused:
            return refused
        return raw(("\ufeff" + to_csv(report)).encode("utf-8"), content_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="statistiques-cap-reconversion.csv"'})

    # --------------------------------------------------------------- admin: accounts
    def accounts_page(w: store.Who, db: Any, status: int = 200, **ctx: Any) -> HTTPResponse:
        return _page("accounts.html", status, who=w, accounts=store.list_counsellors(db), roles=store.ROLES, **ctx)

    @app.get(PREFIX + "/comptes")
    async def accounts(request: Request) -> HTTPResponse:
        with Session() as db:
            w, refused = admin_guard(request, db)
            if refused:
                return refused
            return accounts_page(w, db, done=request.args.get("fait"))

    @app.post(PREFIX + "/comptes")
    async def account_create(request: Request) -> HTTPResponse:
        with Session() as db, db.begin():
            w, refused = admin_guard(request, db, post=True)
            if refused:
                return refused
            form = {k: (request.form.get(k) or "").strip()[:254] for k in ("email", "name", "structure", "role")}
            password = store.one_time_password()
            try:
                user = store.add_counsellor(db, email=form["email"], name=form["name"] or form["email"],
                                            password=password, structure=form["structure"] or w.structure,
                                            role=form["role"] or "counsellor")
            except BotError as exc:
                return accounts_page(w, db, 422, error=exc.message_fr, form=form)
            return accounts_page(w, db, 201, created=user, password=password)

    @app.post(PREFIX + "/comptes/<uid:int>/desactiver")
    async def account_deactivate(request: Request, uid: int) -> HTTPResponse:
        with Session() as db, db.begin():
            w, refused = admin_guard(request, db, post=True)
            if refused:
                return refused
            try:
                store.deactivate_counsellor(db, uid, by=w)
            except BotError as exc:
                return accounts_page(w, db, 422, error=exc.message_fr)
        return redirect(f"{PREFIX}/comptes?fait=1", status=303)

    @app.exception(BotError)
    async def bot_error(request: Request, exc: BotError) -> HTTPResponse:
        return _page("message.html", 400, who=None, title="Erreur", text=exc.message_fr)

    return app


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What the change does to the recommended list: new, lost, unchanged (titles, in order)."""
    b = {i["id"]: i["title"] for i in before["recommended"]}
    a = {i["id"]: i["title"] for i in after["recommended"]}
    return {"new": [a[i] for i in a if i not in b], "lost": [b[i] for i in b if i not in a],
            "unchanged": [a[i] for i in a if i in b]}


def serve(host: str, port: int) -> None:
    """Run the workspace (blocking)."""
    import sys

    app = create_app()
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"Espace conseillers : http://{shown}:{port}{PREFIX}/", file=sys.stderr, flush=True)
    app.run(host=host, port=port, access_log=False, single_process=True) if _has_single_process() else \
        app.run(host=host, port=port, access_log=False, workers=1)


def _has_single_process() -> bool:
    import inspect

    return "single_process" in inspect.signature(Sanic.run).parameters
