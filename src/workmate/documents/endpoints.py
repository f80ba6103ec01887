"""HTTP routes for documents (thin: validate, call the service, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from workmate.db import SessionDep
from workmate.documents.auth import (
    DocumentsDelete,
    DocumentsRead,
    DocumentsUpload,
    DocumentsWrite,
)
from workmate.documents.schemas import Category, DocumentRead, DocumentUpdate, LinkedModule
from workmate.documents.service import document_service, download_name
from workmate.documents.storage import Storage, storage_dependency
from workmate.models import Document
from workmate.pagination import Page, Paging

router = APIRouter(prefix="/documents", tags=["documents"])

StorageDep = Annotated[Storage, Depends(storage_dependency)]


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback name and the exact name as RFC 5987 filename*."""
    fallback = (
        "".join(c if 32 <= ord(c) < 127 and c not in '"\\;%' else "_" for c in filename).strip()
        or "file"
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentRead,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "title": {"type": "string"},
                            "category": {"type": "string"},
                            "linked_module": {"type": "string"},
                            "linked_id": {"type": "string", "format": "uuid"},
                            "is_confidential": {"type": "boolean"},
                        },
                    }
                }
            },
        }
    },
)
async def upload_document(
    request: Request, upload: DocumentsUpload, db: SessionDep, storage: StorageDep
) -> Document:
    """Upload one file (multipart field `file`), streamed to disk: over the size limit is 413,
    a type not recognised from its bytes is 415, a link to a missing object is 422."""
    return await document_service.upload(
        db,
        upload.who,
        storage,
        upload.body,
        content_type=request.headers.get("content-type"),
        content_length=request.headers.get("content-length"),
    )


@router.get("", response_model=Page[DocumentRead])
async def list_documents(
    who: DocumentsRead,
    db: SessionDep,
    paging: Paging,
    linked_module: Annotated[LinkedModule | None, Query()] = None,
    linked_id: Annotated[uuid.UUID | None, Query()] = None,
    category: Annotated[Category | None, Query()] = None,
) -> Page[DocumentRead]:
    """Documents the caller may see, optionally those of one customer, project, invoice,
    employee or expense."""
    items, total = await document_service.list_documents(
        db,
        who,
        linked_module=linked_module,
        linked_id=linked_id,
        category=category,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page(
        items=[DocumentRead.model_validate(d) for d in items],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/{document_id}", response_model=DocumentRead)
async def get_document(document_id: uuid.UUID, who: DocumentsRead, db: SessionDep) -> Document:
    """One document's details; confidential documents of others are 404."""
    return await document_service.get(db, who, document_id)


@router.get(
    "/{document_id}/download",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_document(
    document_id: uuid.UUID, who: DocumentsRead, db: SessionDep, storage: StorageDep
) -> StreamingResponse:
    """The file, after its SHA-256 is re-checked, always as an attachment."""
    document, chunks = await document_service.open_verified(db, who, storage, document_id)
    return StreamingResponse(
        chunks,
        media_type=document.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(download_name(document)),
            "Content-Length": str(document.size_bytes),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.patch("/{document_id}", response_model=DocumentRead)
async def update_document(
    document_id: uuid.UUID, data: DocumentUpdate, who: DocumentsWrite, db: SessionDep
) -> Document:
    """Change title, category or (owner only) confidentiality."""
    return await document_service.update(db, who, document_id, data)


@router.delete("/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_document(
    document_id: uuid.UUID, who: DocumentsDelete, db: SessionDep, storage: StorageDep
) -> Response:
    """Delete a document (409 while it belongs to an issued invoice)."""
    await document_service.delete(db, who, storage, document_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
