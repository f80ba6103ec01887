"""Live chat delivery across app processes via PostgreSQL LISTEN/NOTIFY.

A message is announced with pg_notify in the transaction that stores it, so PostgreSQL sends
the notification to every listening process exactly when the message is committed (never for a
rolled-back one). Each app process holds one LISTEN connection; on a notification for a project
that has sockets open here, it loads the message once and hands it to those sockets. Nothing is
broadcast in-process on posting: the database is the only source, so every process delivers
alike, including the one that stored the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from workmate.auth.principal import Principal
from workmate.chat.repository import CHANNEL
from workmate.chat.schemas import ChatMessageRead
from workmate.chat.service import chat_service
from workmate.db import transaction
from workmate.errors import WorkmateError

log = logging.getLogger(__name__)

# A slow socket must not hold up the others; beyond this backlog it is closed.
QUEUE_SIZE = 100
RECONNECT_SECONDS = 1.0
# An idle socket's access is checked this often too (deliveries are checked every time).
RECHECK_SECONDS = 30.0


def connect_kwargs(engine: AsyncEngine) -> dict[str, Any]:
    """asyncpg connection arguments from the engine's URL (TCP or Unix socket)."""
    url = engine.url
    host = url.host or url.query.get("host")
    ssl = url.query.get("ssl")
    return {
        **({"ssl": ssl} if isinstance(ssl, str) else {}),
        "host": host if isinstance(host, str) else None,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "database": url.database,
        "server_settings": {"application_name": "workmate-chat-listener"},
    }


class ChatHub:
    """This process's subscribers per project and its LISTEN connection."""

    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]):
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.subscribers: dict[uuid.UUID, set[asyncio.Queue[ChatMessageRead | None]]] = defaultdict(
            set
        )
        self.ready = asyncio.Event()
        self._lost = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None

    def subscribe(self, project_id: uuid.UUID) -> asyncio.Queue[ChatMessageRead | None]:
        queue: asyncio.Queue[ChatMessageRead | None] = asyncio.Queue(QUEUE_SIZE)
        self.subscribers[project_id].add(queue)
        return queue

    def unsubscribe(self, project_id: uuid.UUID, queue: asyncio.Queue[Any]) -> None:
        queues = self.subscribers.get(project_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.subscribers[project_id]

    def _on_notification(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        try:
            data = json.loads(payload)
            project_id, message_id = uuid.UUID(data["project_id"]), uuid.UUID(data["id"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring malformed chat notification")
            return
        if project_id not in self.subscribers:
            return
        task = asyncio.get_running_loop().create_task(self._deliver(project_id, message_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, project_id: uuid.UUID, message_id: uuid.UUID) -> None:
        try:
            async with self.sessionmaker() as db, transaction(db):
                message = await chat_service.get_for_delivery(db, message_id)
        except Exception:
            log.exception("cannot load chat message for delivery")
            return
        if message is None:
            return
        for queue in list(self.subscribers.get(project_id, ())):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                # Tell the socket to close; it can reload the history over HTTP.
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                queue.put_nowait(None)

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(**connect_kwargs(self.engine))
        try:
            self._lost.clear()
            conn.add_termination_listener(lambda _conn: self._lost.set())
            await conn.add_listener(CHANNEL, self._on_notification)
            self.ready.set()
            await self._lost.wait()
        finally:
            self.ready.clear()
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def run(self) -> None:
        """Keep one LISTEN connection open, reconnecting after a loss."""
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("chat listener lost (%s); reconnecting", type(exc).__name__)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def start(self) -> None:
        self._runner = asyncio.get_running_loop().create_task(self.run())
        # Serve only once live delivery works, so "server is up" means "chat is live".
        ready = asyncio.ensure_future(self.ready.wait())
        done, _ = await asyncio.wait(
            {ready, self._runner}, timeout=10, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            log.warning("chat listener not ready yet; live chat starts once it connects")

    async def stop(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        for task in list(self._tasks):
            task.cancel()
        for queues in self.subscribers.values():
            for queue in queues:
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(None)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Per-process listener: started with the app, stopped with it."""
    hub = ChatHub(app.state.engine, app.state.sessionmaker)
    app.state.chat_hub = hub
    await hub.start()
    try:
        yield
    finally:
        await hub.stop()


async def serve(
    websocket: WebSocket,
    project_id: uuid.UUID,
    who: Principal,
    allowed: Callable[[], Awaitable[bool]],
) -> None:
    """Push the project's new messages to this socket until either side closes, or until
    `allowed` (asked before every delivery and every RECHECK_SECONDS) says access has ended:
    logout, expiry, deactivation, a role without chat.read, removal from the project."""
    hub: ChatHub | None = getattr(websocket.app.state, "chat_hub", None)
    if hub is None:
        await websocket.close(status.WS_1011_INTERNAL_ERROR, "live chat is not running")
        return
    try:
        async with hub.sessionmaker() as db, transaction(db):
            await chat_service.ensure_on_project(db, who, project_id)
    except WorkmateError as exc:
        await websocket.close(status.WS_1008_POLICY_VIOLATION, exc.detail)
        return
    # Subscribe before accepting: once the client sees the socket open, nothing is missed.
    queue = hub.subscribe(project_id)
    try:
        await websocket.accept()
        receiver = asyncio.create_task(_drain(websocket))
        getter: asyncio.Task[ChatMessageRead | None] | None = None
        while True:
            getter = getter or asyncio.create_task(queue.get())
            done, _ = await asyncio.wait(
                {getter, receiver}, timeout=RECHECK_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if receiver in done:
                getter.cancel()
                return
            if getter not in done:
                # Idle: the caller's access is checked as it stands now, as before a delivery.
                if not await allowed():
                    await _close(websocket, getter, receiver)
                    return
                continue
            message, getter = getter.result(), None
            if message is None:
                receiver.cancel()
                await websocket.close(status.WS_1013_TRY_AGAIN_LATER, "reload the history")
                return
            if not await allowed():
                await _close(websocket, None, receiver)
                return
            await websocket.send_json(
                {"type": "message", "message": message.model_dump(mode="json")}
            )
    except WebSocketDisconnect:
        return
    finally:
        hub.unsubscribe(project_id, queue)


async def _close(
    websocket: WebSocket, getter: asyncio.Task[Any] | None, receiver: asyncio.Task[None]
) -> None:
    if getter is not None:
        getter.cancel()
    receiver.cancel()
    await websocket.close(status.WS_1008_POLICY_VIOLATION, "access has ended")


async def _drain(websocket: WebSocket) -> None:
    # The socket is push-only; reading notices the client leaving (messages are posted by HTTP).
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            event = await websocket.receive()
            if event["type"] == "websocket.disconnect":
                return
