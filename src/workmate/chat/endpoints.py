"""HTTP and WebSocket routes for project chat (thin: validate, call the service)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket

from workmate.chat import live
from workmate.chat.auth import ChatRead, ChatSocket, ChatWrite, still_allowed
from workmate.chat.schemas import ChatMessageCreate, ChatMessageRead, ChatPage
from workmate.chat.service import chat_service
from workmate.db import SessionDep
from workmate.pagination import MAX_LIMIT

router = APIRouter(prefix="/projects", tags=["chat"])


@router.get("/{project_id}/messages", response_model=ChatPage)
async def list_messages(
    project_id: uuid.UUID,
    who: ChatRead,
    db: SessionDep,
    before: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> ChatPage:
    """A project's chat, newest first; only for employees on the project."""
    return await chat_service.list(db, who, project_id, before=before, limit=limit)


@router.post("/{project_id}/messages", response_model=ChatMessageRead, status_code=201)
async def post_message(
    project_id: uuid.UUID, data: ChatMessageCreate, who: ChatWrite, db: SessionDep
) -> ChatMessageRead:
    """Post to a project's chat; every connected client of every app process receives it."""
    return await chat_service.post(db, who, project_id, data)


@router.websocket("/{project_id}/chat/ws")
async def chat_socket(websocket: WebSocket, project_id: uuid.UUID, who: ChatSocket) -> None:
    """Live feed of a project's new messages (session cookie or Bearer token); access is
    checked again before every delivery and the socket closed once it has ended."""
    await live.serve(websocket, project_id, who, lambda: still_allowed(websocket, project_id))
