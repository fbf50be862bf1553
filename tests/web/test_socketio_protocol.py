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


def test_installed_python_socketio_keeps_enter_room_synchronous() -> None:
    import socketio

    assert not inspect.iscoroutinefunction(socketio.AsyncServer.enter_room), (
        "python-socketio >= 5.10 breaks Rasa 3.6's session_persistence: keep it pinned below 5.10"
    )


async def _chat_once(url: str, session_id: str, text: str) -> list[dict]:
    """Connect, request the session, send one message; the answers received in the room."""
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
        assert await asyncio.wait_for(confirmed, 10) == session_id
        await client.emit("user_uttered", {"message": text, "session_id": session_id},
                          callback=lambda *_: done.done() or done.set_result(True))
        await asyncio.wait_for(done, 30)  # Rasa acknowledges once it has answered
        await asyncio.sleep(0.3)
    finally:
        await client.disconnect()
    return answers


@pytest.mark.servers
def test_answers_reach_the_session_room_again_after_reconnecting(rasa_server) -> None:
    session_id = str(uuid.uuid4())
    first = asyncio.run(_chat_once(rasa_server.url, session_id, "/greet"))
    assert first, "no bot_uttered in the session room: is python-socketio >= 5.10 installed?"
    # A new socket (a reload) asking for the same session gets the answers too.
    second = asyncio.run(_chat_once(rasa_server.url, session_id, "/greet"))
    assert second
    assert all(isinstance(a, dict) for a in first + second)
