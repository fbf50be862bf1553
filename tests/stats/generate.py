"""A few thousand conversations written through Rasa's own SQLTrackerStore, with the truth to expect.

Sentinels: every conversation carries free text and identifiers (sender id, messages, the commune
as typed, the target field as typed, an unknown scheme id) that the statistics must never show.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tests.conftest import REPO

SENTINELS = ("SENTINELLE-NOM-Zorglub", "sentinelle-id-", "Sentinelleville", "SENTINELLE-METIER", "SENTINEL_SCHEME",
             "06 99 99 99 99", "zorglub@exemple.fr")
MONTHS = ("2026-01", "2026-02", "2026-03")
#: commune → (département key, a structure of the catalogue within 30 km, fields with a training within 30 km)
COMMUNES = {
    "59350": ("59", True, {"aide_soignant"}),   # Lille
    "62041": ("62", True, set()),   # Arras
    "80021": ("80", True, set()),   # Amiens
    "60057": ("60", False, {"aide_soignant"}),   # Beauvais
    "02691": ("02", True, {"aide_soignant"}),   # Saint-Quentin
    "29019": ("autre", False, set()),  # Brest: far from the whole catalogue
}
#: weights: the Aisne and "autre" stay small so that suppression happens
WEIGHTS = {"59350": 40, "62041": 25, "80021": 14, "60057": 12, "02691": 0.8, "29019": 0.7}
SCHEMES = ("cpf", "ptp", "vae", "mon_cep_hdf", "france_travail", "bilan_competences", "aif", "mission_locale")
FIELDS = {"plomberie": "je veux devenir plombier", "aide_soignant": "aide-soignante", "non_reconnu": "astronaute lunaire"}
GOALS = ("change_job", "get_qualification", "validate_experience", "create_business", "find_job")


@dataclass
class Truth:
    """What the statistics must find (before suppression)."""

    results: Counter = field(default_factory=Counter)  # (month, dept)
    no_scheme: Counter = field(default_factory=Counter)
    no_structure: Counter = field(default_factory=Counter)
    no_training: Counter = field(default_factory=Counter)
    no_training_goal: Counter = field(default_factory=Counter)  # (month, dept, goal)
    schemes: Counter = field(default_factory=Counter)  # (month, dept, scheme)
    conversations: int = 0


def _ts(month: str, rng: random.Random) -> float:
    y, m = map(int, month.split("-"))
    return datetime(y, m, rng.randint(1, 27), rng.randint(7, 21), tzinfo=timezone.utc).timestamp()


def conversations(n: int, seed: int = 7) -> tuple[list[tuple[str, list[Any]]], Truth]:
    """`n` conversations (sender id, Rasa events), about 85 % reaching results, and their truth."""
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        Restarted,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    rng = random.Random(seed)
    truth = Truth()
    out = []
    codes, weights = list(WEIGHTS), list(WEIGHTS.values())
    for i in range(n):
        month = rng.choice(MONTHS)
        t = _ts(month, rng)
        code = rng.choices(codes, weights)[0]
        dept, structure, trained = COMMUNES[code]
        field_id = rng.choice(list(FIELDS))
        goal = rng.choice(GOALS)
        reached = rng.random() < 0.85
        recos = [] if rng.random() < 0.2 else rng.sample(SCHEMES, rng.randint(1, 4))
        sender = f"{SENTINELS[1]}{i:05d}"
        said = (f"Bonjour je suis {SENTINELS[0]}, j'habite {SENTINELS[2]}, {SENTINELS[5]}, {SENTINELS[6]}, "
                "je veux changer de métier")

        def at(step: int, t: float = t) -> float:
            return t + step

        events = [ActionExecuted("action_session_start", timestamp=at(0)), SessionStarted(timestamp=at(0)),
                  ActionExecuted("action_listen", timestamp=at(0)),
                  UserUttered(said, intent={"name": "tell_situation", "confidence": 1.0}, timestamp=at(1)),
                  SlotSet("commune", f"{SENTINELS[2]} {i}", timestamp=at(1)),
                  SlotSet("code_insee", code, timestamp=at(1)),
                  SlotSet("goal", goal, timestamp=at(1)),
                  SlotSet("target_field", f"{FIELDS[field_id]} {SENTINELS[3]}", timestamp=at(1)),
                  BotUttered(f"Je note : {SENTINELS[2]}", timestamp=at(2))]
        if reached:
            shown = [*recos, f"{SENTINELS[4]}_{i}"] if recos and i % 5 == 0 else recos
            events += [ActionExecuted("action_show_results", timestamp=at(3)),
                       SlotSet("recommendations", shown, timestamp=at(3)),
                       BotUttered("Voici votre plan", timestamp=at(3))]
            truth.results[month, dept] += 1
            truth.no_scheme[month, dept] += not recos
            truth.no_structure[month, dept] += not structure
            if field_id != "non_reconnu" and field_id not in trained:
                truth.no_training[month, dept] += 1
                truth.no_training_goal[month, dept, goal] += 1
            for s in recos:
                truth.schemes[month, dept, s] += 1
            if i % 7 == 0:  # starts again and stops before new results: still counted once
                events += [Restarted(timestamp=at(4)), SlotSet("code_insee", "62041", timestamp=at(5))]
        else:  # a profile without results: not counted
            events += [ActionExecuted("profile_form", timestamp=at(3))]
        events.append(ActionExecuted("action_listen", timestamp=at(6)))
        out.append((sender, events))
    truth.conversations = n
    return out, truth


def write(store_kwargs: dict[str, Any], convs: list[tuple[str, list[Any]]]) -> None:
    """Save the conversations with Rasa's SQLTrackerStore (the real table, the real serialisation)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(REPO / "domain.yml"))
    store = SQLTrackerStore(domain, **store_kwargs)
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")

    async def save_all() -> None:
        for sender, events in convs:
            await store.save(DialogueStateTracker.from_events(sender, events, domain.slots))

    asyncio.run(save_all())
    store.engine.dispose()
