"""Rasa's socket.io channel with `session_persistence: true` (the room bug of python-socketio 5.10).

Rasa 3.6.21 calls `sio.enter_room(sid, session_id)` without `await`; python-socketio 5.10 made
it a coroutine, so the socket never joins the room and answers silently stop
(shared/reference/rasa-platform.md §0.1). The browser tests catch it end to end; these catch it
without a browser.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid

import pytest

from tests.web.widget import SESSION_TOKEN_RE


def test_installed_python_socketio_keeps_enter_room_synchronous() -> None:
    import socketio

    assert not inspect.iscoroutinefunction(socketio.AsyncServer.enter_room), (
        "python-socketio >= 5.10 breaks Rasa 3.6's session_persistence: keep it pinned below 5.10"
    )


async def _chat_once(url: str, session_id: str | None, text: str,
                     claim: str | None = None) -> tuple[str, list[dict]]:
    """Connect, request the session, send one message; (the confirmed session token, answers).

    ``claim`` is the ``session_id`` put in the message (default: the confirmed token).
    """
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    answers: list[dict] = []
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    done: asyncio.Future = asyncio.get_running_loop().create_future()

    @client.on("session_confirm")
    async def _confirm(data) -> None:
        if not confirmed.done():
            confirmed.set_result(data)

    @client.on("bot_uttered")
    async def _answer(data) -> None:
        answers.append(data)

    # Polling only: python-engineio's websocket client needs a newer aiohttp than Rasa's.
    await client.connect(url, socketio_path="/socket.io", transports=["polling"], wait_timeout=10)
    try:
        await client.emit("session_request", {"session_id": session_id})
        token = await asyncio.wait_for(confirmed, 10)
        await client.emit("user_uttered", {"message": text, "session_id": claim or token},
                          callback=lambda *_: done.done() or done.set_result(True))
        try:
            await asyncio.wait_for(done, 30)  # Rasa acknowledges once it has answered
        except asyncio.TimeoutError:
            pass
        await asyncio.sleep(0.3)
    finally:
        await client.disconnect()
    return token, answers


@pytest.mark.servers
def test_answers_reach_the_session_room_again_after_reconnecting(rasa_server) -> None:
    token, first = asyncio.run(_chat_once(rasa_server.url, None, "/greet"))
    assert SESSION_TOKEN_RE.match(token), token  # issued by the server
    assert first, "no bot_uttered in the session room: is python-socketio >= 5.10 installed?"
    # A new socket (a reload) presenting the same token resumes the same session.
    again, second = asyncio.run(_chat_once(rasa_server.url, token, "/greet"))
    assert again == token
    assert second
    assert all(isinstance(a, dict) for a in first + second)


@pytest.mark.servers
def test_nobody_can_claim_someone_elses_conversation(rasa_server, rasa_api) -> None:
    victim, _ = asyncio.run(_chat_once(rasa_server.url, None, "/greet"))
    before = len(rasa_api.tracker_messages(victim))
    sender = victim.split(".")[0]
    # the bare id, a forged signature, a random uuid: each gets a fresh, empty conversation
    for claim in (sender, f"{sender}.{'A' * 43}", str(uuid.uuid4())):
        token, _ = asyncio.run(_chat_once(rasa_server.url, claim, "/greet"))
        assert token != victim and not token.startswith(sender)
        assert SESSION_TOKEN_RE.match(token)
    # a confirmed socket that puts the victim's token in its messages: ignored
    asyncio.run(_chat_once(rasa_server.url, None, "/greet", claim=victim))
    assert len(rasa_api.tracker_messages(victim)) == before


@pytest.mark.servers
def test_a_very_long_message_gets_a_calm_answer_and_is_not_kept(rasa_server, rasa_api) -> None:
    token, answers = asyncio.run(_chat_once(rasa_server.url, None, "bonjour " * 1000))
    assert any("trop long" in (a.get("text") or "") for a in answers), answers
    assert all(len(m.get("text") or "") < 2001 for m in rasa_api.tracker_messages(token))
    assert not any("bonjour bonjour" in (m.get("text") or "") for m in rasa_api.tracker_messages(token))
