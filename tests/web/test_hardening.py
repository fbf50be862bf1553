"""channels/hardening.py: Rasa's own log paths lose the message text; long messages are cut."""

from __future__ import annotations

import io
import json
import logging

from channels import hardening


def test_rest_failure_log_of_rasa_keeps_no_text() -> None:
    """`rest.message.received.failure text=…` (rasa/core/channels/rest.py) through Rasa's structlog setup."""
    import structlog
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)
    hardening.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(handler)
    try:
        structlog.get_logger("rasa.core.channels.rest").error(
            "rest.message.received.failure", text="j'ai une RQTH depuis mon arrêt maladie")
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert "rest.message.received.failure" in out
    assert "RQTH" not in out and "maladie" not in out


def test_standard_log_lines_mask_the_message_being_handled() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    hardening.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("rasa.core.processor")
    log.addHandler(handler)
    old_level = log.level
    log.setLevel(logging.DEBUG)
    try:
        text = "je touche le RSA et j'habite à Roubaix"
        UserMessage(text, CollectingOutputChannel(), "someone")
        log.debug(f"Received user message '{text}' with intent ...")
        log.debug("Predicted next action using %s", "RulePolicy")
    finally:
        log.removeHandler(handler)
        log.setLevel(old_level)
    out = stream.getvalue()
    assert "Roubaix" not in out and hardening.MASK in out
    assert "RulePolicy" in out


def test_user_message_is_capped_whatever_the_channel() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    hardening.install()
    message = UserMessage("x" * 32000, CollectingOutputChannel(), "someone")
    assert len(message.text) == hardening.max_chars() == 2000
    assert json.dumps(hardening.TOO_LONG_FR, ensure_ascii=False)


def test_action_server_responses_are_still_checked_without_rechecking_the_schema(monkeypatch) -> None:
    """Rasa checked its (constant) response schema against the meta-schema on every response: ~80 % of a turn."""
    import pytest
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    hardening.install()
    schema_checks = []
    cls = validator_for(RemoteAction.action_response_format_spec())
    original = cls.check_schema
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s, *a, **k: schema_checks.append(1) or
                                                         original.__func__(c, s, *a, **k)))
    action = RemoteAction("action_show_results", None)
    good = {"events": [{"event": "slot", "name": "age", "value": 31}],
            "responses": [{"text": "Je note : vous avez 31 ans."}]}
    for _ in range(5):
        assert action._validate_action_result(good)
    assert schema_checks == []
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": [{"event": "slot", "name": 3}], "responses": "oops"})
