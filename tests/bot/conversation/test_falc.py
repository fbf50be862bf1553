"""The easy-to-read mode (FALC, issue 13): every message has its FALC wording, written by hand,
and the wording follows the `easy_read` slot at render time without changing what is decided."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import dialogue
from bot.conversation.texts import AS_OF, PROFILES
from bot.eligibility.engine import evaluate
from bot.reading import easy, easy_read

ROOT = Path(__file__).resolve().parents[3]
NORMAL = yaml.safe_load((ROOT / "bot/conversation/messages.yml").read_text("utf-8"))
FALC = yaml.safe_load((ROOT / "bot/conversation/messages_falc.yml").read_text("utf-8"))


def _texts(node: Any, path: str = "") -> list[str]:
    """Paths of the texts of a catalogue (button titles and payloads left out: they may stay)."""
    if isinstance(node, dict):
        return [p for k, v in node.items() if k not in ("buttons", "button") for p in _texts(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [] if all(isinstance(v, dict) for v in node) else [f"{path}[]"]
    return [path] if isinstance(node, str) else []


def _get(node: Any, path: str) -> Any:
    for key in path.strip(".").replace("[]", "").split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


@pytest.mark.parametrize("path", _texts(NORMAL))
def test_every_message_has_a_falc_version(path):
    assert _get(FALC, path) is not None, f"messages_falc.yml: {path} is missing"


def test_the_falc_catalogue_has_no_key_the_normal_one_lacks():
    extra = [p for p in _texts(FALC) if _get(NORMAL, p) is None]
    assert not extra, extra


def test_every_domain_response_has_a_falc_variant():
    responses = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]
    for name, variants in responses.items():
        falc = [v for v in variants if v.get("condition") == [{"type": "slot", "name": "easy_read", "value": True}]]
        plain = [v for v in variants if not v.get("condition")]
        assert falc and plain, name


def test_the_mode_is_chosen_at_render_time_and_does_not_leak():
    assert dialogue.question("age").text == NORMAL["questions"]["age"]["text"]
    with easy_read():
        assert easy()
        assert dialogue.question("rqth").text == FALC["questions"]["rqth"]["text"]
        with easy_read(False):
            assert dialogue.question("rqth").text == NORMAL["questions"]["rqth"]["text"]
    assert not easy()
    assert dialogue.question("rqth").text == NORMAL["questions"]["rqth"]["text"]


@pytest.mark.parametrize("profile", PROFILES)
def test_falc_changes_the_words_never_the_verdicts(profile):
    normal = evaluate(profile, AS_OF)
    with easy_read():
        falc = evaluate(profile, AS_OF)
    for key in ("recommended", "to_check", "not_eligible", "other_options"):
        assert [i["id"] for i in falc[key]] == [i["id"] for i in normal[key]], key
        for a, b in zip(falc[key], normal[key], strict=True):
            assert [c["ok"] for c in a.get("conditions", [])] == [c["ok"] for c in b.get("conditions", [])]
            assert a.get("eligible_in_months") == b.get("eligible_in_months")
    assert falc["questions"] == normal["questions"]


def test_a_rule_text_with_a_falc_version_is_said_in_falc():
    from bot.eligibility.falc import pairs

    normal_first_step = evaluate(PROFILES[0], AS_OF)
    with easy_read():
        falc_first_step = evaluate(PROFILES[0], AS_OF)
    steps = {i["id"]: i["next_step"] for i in normal_first_step["recommended"]}
    changed = [i for i in falc_first_step["recommended"] if i["next_step"] != steps[i["id"]]]
    assert changed, "no FALC first step for the first persona's schemes"
    assert all(" ".join(i["next_step"].split()) in " ".join(pairs().values()) or "http" in i["next_step"]
               for i in changed)


def _tracker(slots: dict[str, Any], intent: str = "ask_easy_read", active_loop: str | None = None) -> Tracker:
    return Tracker("falc", slots, {"intent": {"name": intent}, "entities": [], "text": ""}, [], False, None,
                   {"name": active_loop} if active_loop else {}, "rest")


def test_the_switch_confirms_in_falc_and_sets_the_slot():
    from actions.misc import ActionEasyRead, ActionNormalRead

    dispatcher = CollectingDispatcher()
    events = ActionEasyRead().run(dispatcher, _tracker({}), {})
    assert dispatcher.messages[0]["text"] == FALC["reading"]["enabled"]
    assert events == [{"event": "slot", "timestamp": None, "name": "easy_read", "value": True}]
    dispatcher = CollectingDispatcher()
    events = ActionNormalRead().run(dispatcher, _tracker({"easy_read": True}, "ask_normal_read"), {})
    assert dispatcher.messages[0]["text"] == NORMAL["reading"]["disabled"]
    assert events[0]["value"] is False


def test_an_action_speaks_falc_when_the_slot_is_on():
    from actions.profile_form import ask_field

    normal, falc = CollectingDispatcher(), CollectingDispatcher()
    ask_field("sick_leave_cause", normal, _tracker({}))
    ask_field("sick_leave_cause", falc, _tracker({"easy_read": True}))
    assert normal.messages[0]["text"] == NORMAL["questions"]["sick_leave_cause"]["text"]
    assert falc.messages[0]["text"] == FALC["questions"]["sick_leave_cause"]["text"]
    assert [b["payload"] for b in falc.messages[0]["buttons"]] == [b["payload"] for b in normal.messages[0]["buttons"]]
    assert not easy()


def test_restart_keeps_the_reading_mode():
    from actions.misc import ActionRestart

    events = ActionRestart().run(CollectingDispatcher(), _tracker({"easy_read": True}, "restart"), {})
    assert events[0]["event"] == "restart" and events[1]["name"] == "easy_read" and events[1]["value"] is True


@pytest.mark.parametrize(("typed", "payload"), [("FACILE", "/ask_easy_read"), ("facil", "/ask_easy_read"),
                                                ("Facile !", "/ask_easy_read"), ("NORMAL", "/ask_normal_read"),
                                                ("normale", "/ask_normal_read"), ("facile à dire", None),
                                                ("EFFACER", None)])
def test_text_channels_read_the_mode_commands(typed, payload):
    from channels.text_channel import reading_command

    assert reading_command(typed) == payload
