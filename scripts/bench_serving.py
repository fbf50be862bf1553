#!/usr/bin/env python3
"""`make bench`, serving part: our assistant against a stock `rasa init` bot, same Rasa, same run.

For each profile — default (one Rasa process, SQLite tracker store, in-memory lock store) and
production (N Rasa processes behind nginx, SQL tracker store on PostgreSQL, Redis lock store,
M action servers) — both bots are started side by side and measured interleaved (stock, ours,
stock, ours…), so that whatever else runs on the machine weighs on both:

- sequential turns over the REST channel: p50 / p95;
- C conversations at once for C in 10, 25, 50, 100 (each conversation plays its turns one after
  the other): throughput (turns/s), p50 / p95, errors (non-200, no answer, timeout);
- resident memory (VmRSS, VmHWM) of each process after the load.

The work per turn differs: ours reads French facts, runs the eligibility engine and an action
server; the stock bot (greet / mood) runs DIET + TED with no custom action. The stock project is
the one `rasa init --no-prompt` creates (its initial_project, copied into var/bench/), with Rasa's
default pipeline and policies written out and a fixed random_seed, trained once per content
(var/bench/models/).
Writes results/bench-serving.json and results/bench-latency.svg.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))
import serve  # noqa: E402

VAR = Path(os.environ.get("CAP_VAR_DIR", REPO / "var"))
WORK = VAR / "bench"
RESULTS = REPO / "results"
VENV_BIN = Path(sys.executable).parent
LEVELS = (10, 25, 50, 100)

#: Realistic French conversations for ours: a story, then answers to the questions asked.
OURS = [
    ["Bonjour, je suis aide-soignante en CDI depuis 6 ans dans une clinique à Arras et je voudrais devenir "
     "infirmière", "j'ai 41 ans", "je ne sais pas", "oui", "fais-moi le récapitulatif"],
    ["je suis en CDI depuis 3 ans à Lille et je voudrais devenir plombier", "j'ai 31 ans", "le bac", "non",
     "quelles formations près de chez moi ?"],
    ["Je suis demandeur d'emploi depuis 8 mois à Amiens, je veux me reconvertir dans la comptabilité",
     "j'ai 28 ans", "un CAP", "je ne sais pas", "merci"],
    ["salut je bosse en interim dans le btp a valenciennes et je veux changer de metier", "52 ans",
     "aucun diplôme", "oui", "et si je démissionne ?"],
]
#: The stock bot's own domain (greet, mood, bot challenge, goodbye).
STOCK = [
    ["hello", "I am sad", "yes", "great", "goodbye"],
    ["hey there", "I am feeling very good", "are you a bot?", "perfect", "bye"],
    ["good morning", "not good", "no", "I am great", "see you later"],
    ["hi", "very sad", "yes it did", "amazing", "good night"],
]

# rasa init's config.yml with its suggested pipeline and policies written out, plus a fixed seed.
STOCK_CONFIG = """recipe: default.v1
language: en
assistant_id: stock-bench
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
    random_seed: 2026
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
    random_seed: 2026
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 100
    random_seed: 2026
  - name: TEDPolicy
    max_history: 5
    epochs: 100
    constrain_similarities: true
    random_seed: 2026
"""


# ----------------------------------------------------------------------------- figures (pure, unit-tested)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(samples: Sequence[tuple[float, bool]], wall: float) -> dict[str, float]:
    """Latency figures (ms) over the successful turns, errors, and throughput (successful turns/s)."""
    ok = [s * 1000 for s, good in samples if good]
    return {"turns": len(samples), "errors": sum(1 for _, good in samples if not good),
            "p50_ms": round(percentile(ok, 50), 1), "p95_ms": round(percentile(ok, 95), 1),
            "max_ms": round(max(ok), 1) if ok else float("nan"),
            "throughput": round(len(ok) / wall, 2) if wall > 0 else float("nan"), "wall_s": round(wall, 2)}


def ratio(ours: float, stock: float) -> float:
    return round(ours / stock, 2) if stock and stock == stock and ours == ours else float("nan")


def verdicts(profile: dict[str, Any]) -> list[tuple[str, float, str, bool]]:
    """The issue's targets on one profile: (what, ratio or count, target, met)."""
    seq, c50 = profile["sequential"], profile["concurrent"]["50"]
    mem_ours, mem_stock = profile["memory_mib"]["ours"]["rasa_each"], profile["memory_mib"]["stock"]["rasa_each"]
    errors = c50["ours"]["errors"]
    thr = ratio(c50["ours"]["throughput"], c50["stock"]["throughput"])
    p95 = ratio(seq["ours"]["p95_ms"], seq["stock"]["p95_ms"])
    mem = ratio(mem_ours, mem_stock)
    return [("50 conversations at once: errors (ours)", errors, "0", errors == 0),
            ("50 at once: throughput ours/stock", thr, "≥ 1.0", thr >= 1.0),
            ("sequential turn p95 ours/stock", p95, "≤ 1.3", p95 <= 1.3),
            ("Rasa server memory ours/stock (per process)", mem, "≤ 1.3", mem <= 1.3)]


def format_report(results: dict[str, Any]) -> str:
    """The table printed at the end of `make bench` (Markdown, pasted as is into notes)."""
    lines = []
    for name, profile in results["profiles"].items():
        lines += [f"### {name} — {profile['description']}", "",
                  "| measure | stock | ours | ours/stock |", "|---|---|---|---|"]
        seq = profile["sequential"]
        for key, label in (("p50_ms", "sequential turn p50 (ms)"), ("p95_ms", "sequential turn p95 (ms)")):
            lines.append(f"| {label} | {seq['stock'][key]} | {seq['ours'][key]} | "
                         f"{ratio(seq['ours'][key], seq['stock'][key])} |")
        for level, both in profile["concurrent"].items():
            s, o = both["stock"], both["ours"]
            lines.append(f"| {level} at once: turns/s | {s['throughput']} | {o['throughput']} | "
                         f"{ratio(o['throughput'], s['throughput'])} |")
            lines.append(f"| {level} at once: p95 (ms) | {s['p95_ms']} | {o['p95_ms']} | "
                         f"{ratio(o['p95_ms'], s['p95_ms'])} |")
            lines.append(f"| {level} at once: errors / turns | {s['errors']} / {s['turns']} | "
                         f"{o['errors']} / {o['turns']} | |")
            if "cpu_ms_per_turn" in o:
                cpu_s, cpu_o = s["cpu_ms_per_turn"], o["cpu_ms_per_turn"]
                lines.append(f"| {level} at once: CPU ms per turn, Rasa + actions + nginx | "
                             f"{cpu_s.get('rasa', 0)} + {cpu_s.get('actions', 0)} + {cpu_s.get('nginx', 0)} | "
                             f"{cpu_o.get('rasa', 0)} + {cpu_o.get('actions', 0)} + {cpu_o.get('nginx', 0)} | |")
        mem = profile["memory_mib"]
        for key, label in (("rasa_each", "Rasa process RSS (MiB, each)"), ("rasa_peak", "Rasa process peak (MiB)"),
                           ("actions_each", "action server RSS (MiB, each)"), ("total", "all processes (MiB)")):
            lines.append(f"| {label} | {mem['stock'].get(key) or '—'} | {mem['ours'].get(key) or '—'} | "
                         f"{ratio(mem['ours'].get(key) or float('nan'), mem['stock'].get(key) or float('nan'))} |")
        lines += ["", "| target | value | wanted | met |", "|---|---|---|---|"]
        lines += [f"| {what} | {value} | {wanted} | {'yes' if met else 'NO'} |"
                  for what, value, wanted, met in verdicts(profile)]
        lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- load


async def _conversation(session: Any, url: str, token: str, messages: Sequence[str],
                        samples: list[tuple[float, bool]], timeout: float) -> None:
    import aiohttp

    sender = f"bench-{uuid.uuid4().hex}"
    for text in messages:
        start = time.perf_counter()
        good = False
        try:
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                    headers={"Authorization": f"Bearer {token}"},
                                    timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                body = await resp.json(content_type=None)
                good = resp.status == 200 and isinstance(body, list) and bool(body)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            good = False
        samples.append((time.perf_counter() - start, good))


async def _load(url: str, token: str, scripts: Sequence[Sequence[str]], conversations: int, concurrency: int,
                timeout: float) -> tuple[list[tuple[float, bool]], float]:
    import aiohttp

    samples: list[tuple[float, bool]] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await _conversation(session, url, token, scripts[i % len(scripts)], samples, timeout)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(conversations)))
        return samples, time.perf_counter() - start


def load(url: str, token: str, scripts: Sequence[Sequence[str]], conversations: int, concurrency: int,
         timeout: float = 120) -> dict[str, float]:
    samples, wall = asyncio.run(_load(url, token, scripts, conversations, concurrency, timeout))
    return summarize(samples, wall)


# ----------------------------------------------------------------------------- memory


def _proc_status(pid: int) -> dict[str, int]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) // 1024
    except OSError:
        pass
    return values


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += _tree(int(child))
    return found


def cpu_seconds(procs: Sequence[Any]) -> float:
    """CPU time (user + system) used so far by ``procs`` and their descendants."""
    total = 0
    for proc in procs:
        for pid in _tree(proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def roles(running: serve.Cluster) -> dict[str, list[Any]]:
    return {"rasa": running.rasa, "actions": running.actions, "nginx": [running.nginx] if running.nginx else []}


def measured_load(running: serve.Cluster, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """`load`, plus the CPU time each kind of process spent per answered turn (ms)."""
    before = {role: cpu_seconds(procs) for role, procs in roles(running).items()}
    figures: dict[str, Any] = load(running.url, *args, **kwargs)
    answered = max(1, figures["turns"] - figures["errors"])
    figures["cpu_ms_per_turn"] = {role: round((cpu_seconds(procs) - before[role]) * 1000 / answered, 1)
                                  for role, procs in roles(running).items() if procs}
    return figures


def memory(running: serve.Cluster) -> dict[str, float]:
    """MiB: each Rasa process (with its children), each action server, nginx, all together."""
    def rss(proc: Any, key: str = "VmRSS") -> int:
        return sum(_proc_status(pid).get(key, 0) for pid in _tree(proc.pid))

    rasa = [rss(p) for p in running.rasa]
    actions = [rss(p) for p in running.actions]
    nginx = rss(running.nginx) if running.nginx else 0
    return {"rasa_each": round(sum(rasa) / len(rasa)), "rasa_peak": max(rss(p, "VmHWM") for p in running.rasa),
            "rasa_processes": rasa, "actions_each": round(sum(actions) / len(actions)) if actions else None,
            "actions_processes": actions, "nginx": nginx, "total": sum(rasa) + sum(actions) + nginx}


# ----------------------------------------------------------------------------- the two bots


def _hash_dir(path: Path) -> str:
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file() and ".rasa" not in p.parts and "models" not in p.parts):
        digest.update(item.relative_to(path).as_posix().encode() + b"\n" + item.read_bytes())
    return digest.hexdigest()[:16]


def stock_model(env: dict[str, str]) -> Path:
    """The stock `rasa init` bot, trained once per content and Rasa version."""
    from importlib.metadata import version

    import rasa.cli

    project = WORK / "stock-project"
    if not (project / "domain.yml").exists():  # what `rasa init --no-prompt` copies (it then trains: done below)
        shutil.rmtree(project, ignore_errors=True)
        shutil.copytree(Path(rasa.cli.__file__).parent / "initial_project", project)
    (project / "config.yml").write_text(STOCK_CONFIG, encoding="utf-8")
    name = f"stock-{hashlib.sha256((version('rasa') + _hash_dir(project)).encode()).hexdigest()[:16]}"
    models = WORK / "models"
    model = models / f"{name}.tar.gz"
    if not model.exists():
        print(f"» Entraînement du bot de référence rasa init → {model.name}", file=sys.stderr, flush=True)
        subprocess.run([str(VENV_BIN / "rasa"), "train", "--out", str(models), "--fixed-model-name", name],
                       cwd=project, env=env, check=True, stdout=sys.stderr, timeout=3600)
    return model


def our_model() -> Path:
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "train_if_needed.py")], cwd=REPO, check=True,
                         stdout=subprocess.PIPE, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True, timeout=60)


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    _psql(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def stores(profile: str, bot: str, workdir: Path, database: str | None, prefix: str) -> str:
    """The stores of each bot: ours as scripts/render_config.py writes them, stock as Rasa ships them."""
    store_type = "rasa_components.tracker_store.CapSQLTrackerStore" if bot == "ours" else "SQL"
    if profile == "default":
        return f"tracker_store:\n  type: {store_type}\n  dialect: sqlite\n  db: {workdir / 'tracker.db'}\n"
    lock_type = "rasa_components.lock_store.AtomicRedisLockStore" if bot == "ours" else "redis"
    return (f"tracker_store:\n  type: {store_type}\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
            f"  db: {database}\n"
            f"  username: postgres\nlock_store:\n  type: {lock_type}\n  url: 127.0.0.1\n  port: 6379\n  db: 1\n"
            f"  key_prefix: {prefix}\n")


@contextmanager
def bot_cluster(bot: str, profile: str, model: Path, secrets_env: dict[str, str], rasa_processes: int,
                action_processes: int, database: str | None) -> Iterator[serve.Cluster]:
    workdir = WORK / "run" / profile / bot
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    prefix = f"bench{bot}{uuid.uuid4().hex[:6]}"
    endpoints, credentials = workdir / "endpoints.yml", workdir / "credentials.yml"
    store_yaml = stores(profile, bot, workdir, database, prefix)
    if bot == "ours":
        endpoints.write_text("action_endpoint:\n  url: ${ACTION_SERVER_URL}\n  headers:\n"
                             "    X-Cap-Action-Token: ${ACTION_SERVER_TOKEN}\n" + store_yaml, encoding="utf-8")
        shutil.copy(REPO / "credentials.yml", credentials)
        cwd, actions = REPO, "actions"
    else:
        endpoints.write_text(store_yaml, encoding="utf-8")
        credentials.write_text("rest: {}\n", encoding="utf-8")
        cwd, actions = WORK / "stock-project", None
    env = {**secrets_env, "PYTHONPATH": str(REPO), "SQL_POOL_SIZE": "5", "SQL_MAX_OVERFLOW": "10",
           "CAP_VAR_DIR": str(workdir), "CAP_AS_OF": "2026-03-15", "TRACKER_DB_PATH": str(workdir / "tracker.db")}
    rasa_args = ["--enable-api", f"--auth-token={secrets_env['RASA_AUTH_TOKEN']}"]
    nginx = profile == "production"
    try:
        with serve.cluster(model=model, endpoints=endpoints, credentials=credentials, workdir=workdir,
                           rasa_processes=rasa_processes if nginx else 1,
                           action_processes=action_processes if nginx else 1, env=env, cwd=cwd,
                           actions_module=actions, rasa_args=rasa_args, nginx=nginx) as running:
            yield running
    finally:
        import redis

        client = redis.Redis(host="127.0.0.1", port=6379, db=1, socket_timeout=3)
        try:
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)
        except redis.RedisError:
            pass


# ----------------------------------------------------------------------------- the run


def measure_profile(profile: str, models: dict[str, Path], args: argparse.Namespace,
                    secrets_env: dict[str, str]) -> dict[str, Any]:
    scripts = {"stock": STOCK, "ours": OURS}
    token = secrets_env["RASA_AUTH_TOKEN"]
    with ExitStack() as stack:
        databases: dict[str, str | None] = {"stock": None, "ours": None}
        if profile == "production":
            for bot in databases:
                databases[bot] = stack.enter_context(postgres_database(f"cap_bench_{bot}_{uuid.uuid4().hex[:8]}"))
        print(f"» Profil {profile} : démarrage des deux bots", file=sys.stderr, flush=True)
        running = {bot: stack.enter_context(bot_cluster(bot, profile, models[bot], secrets_env, args.rasa_processes,
                                                        args.action_processes, databases[bot]))
                   for bot in ("stock", "ours")}
        for bot in ("stock", "ours"):  # warm-up: first turns load what is lazy
            load(running[bot].url, token, scripts[bot], conversations=4, concurrency=2)
        seq: dict[str, list[tuple[float, bool]]] = {"stock": [], "ours": []}
        walls = {"stock": 0.0, "ours": 0.0}
        for i in range(args.sequential):  # interleaved, one conversation each at a time
            for bot in ("stock", "ours") if i % 2 == 0 else ("ours", "stock"):
                samples, wall = asyncio.run(_load(running[bot].url, token, [scripts[bot][i % len(scripts[bot])]], 1, 1,
                                                  120))
                seq[bot] += samples
                walls[bot] += wall
        result: dict[str, Any] = {"sequential": {bot: summarize(seq[bot], walls[bot]) for bot in seq},
                                  "concurrent": {}}
        print(f"  séquentiel : {result['sequential']}", file=sys.stderr, flush=True)
        for n, level in enumerate(args.levels):
            print(f"  {level} conversations à la fois", file=sys.stderr, flush=True)
            both = {}
            for bot in ("stock", "ours") if n % 2 == 0 else ("ours", "stock"):
                both[bot] = measured_load(running[bot], token, scripts[bot], conversations=level * args.rounds,
                                          concurrency=level)
                print(f"    {bot}: {both[bot]}", file=sys.stderr, flush=True)
            result["concurrent"][str(level)] = {"stock": both["stock"], "ours": both["ours"]}
        result["memory_mib"] = {bot: memory(running[bot]) for bot in ("stock", "ours")}
    return result


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, profile in results["profiles"].items():
        levels = [int(level) for level in profile["concurrent"]]
        style = "-" if name == "production" else ":"
        for bot, color in (("stock", "tab:gray"), ("ours", "tab:blue")):
            p95 = [profile["concurrent"][str(level)][bot]["p95_ms"] for level in levels]
            thr = [profile["concurrent"][str(level)][bot]["throughput"] for level in levels]
            label = f"{bot} ({name})"
            axes[0].plot(levels, p95, style, color=color, marker="o", label=label)
            axes[1].plot(levels, thr, style, color=color, marker="o", label=label)
    axes[0].set(xlabel="conversations at once", ylabel="turn p95 (ms)", title="Latency vs concurrency")
    axes[1].set(xlabel="conversations at once", ylabel="turns / s", title="Throughput vs concurrency")
    for ax in axes:
        ax.grid(alpha=.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Cap Reconversion vs stock rasa init — {results['machine']}", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", nargs="+", default=["default", "production"], choices=["default", "production"])
    parser.add_argument("--levels", nargs="+", type=int, default=list(LEVELS))
    parser.add_argument("--rounds", type=int, default=1, help="conversations per level = level × rounds")
    parser.add_argument("--sequential", type=int, default=12, help="conversations played one at a time per bot")
    parser.add_argument("--rasa-processes", type=int, default=2, help="production profile")
    parser.add_argument("--action-processes", type=int, default=1, help="production profile")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    if "production" in args.profiles and not serve.nginx_binary():
        sys.exit("Le profil production a besoin de nginx (apt-get install nginx-light) ; "
                 "sinon : --profiles default")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_DETERMINISTIC_OPS": "1", "PYTHONHASHSEED": "0",
           "TF_CPP_MIN_LOG_LEVEL": "2", "TQDM_MININTERVAL": "20"}
    models = {"stock": stock_model(env), "ours": our_model()}
    secrets_env = {name: secrets.token_hex(24) for name in ("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN",
                                                           "CAP_SESSION_SECRET")}
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start",
        "rasa_processes": args.rasa_processes, "action_processes": args.action_processes,
        "models": {bot: path.name for bot, path in models.items()},
        "note": "stock and ours measured interleaved in the same run; the work per turn differs "
                "(ours: French facts, eligibility engine, action server; stock: greet/mood, no custom action)",
        "profiles": {}}
    descriptions = {"default": "1 Rasa process, SQLite tracker store, in-memory lock store, 1 action server (ours)",
                    "production": f"{args.rasa_processes} Rasa processes behind nginx, PostgreSQL tracker store, "
                                  f"Redis lock store, {args.action_processes} action server(s) (ours)"}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for profile in args.profiles:
        results["profiles"][profile] = {"description": descriptions[profile],
                                        **measure_profile(profile, models, args, secrets_env)}
        (out / "bench-serving.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    plot(results, out / "bench-latency.svg")
    print(format_report(results))
    print(f"\nFigures: {out / 'bench-serving.json'} — plot: {out / 'bench-latency.svg'}\n{results['note']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
