"""The storage interface and the pure helpers: keys, type detection, file names."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories.documents import HTML, PDF, office_zip
from tests.factories.files import StoredFiles
from workmate.documents import sniff
from workmate.documents.endpoints import content_disposition
from workmate.documents.service import safe_filename
from workmate.documents.storage import (
    LocalStorage,
    StorageError,
    TooLarge,
    check_key,
    get_storage,
)


def files_in(root: Path) -> list[Path]:
    return list(root.rglob("*"))


async def chunks_of(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "../../etc/passwd",
        "/etc/passwd",
        "ab/../../x",
        "ab/" + "a" * 63 + "\x00",
        "AB/" + "A" * 64,
        "ab\\" + "a" * 64,
        "%2e%2e%2f",
        "",
    ],
)
def test_only_server_made_keys_are_accepted(key: str, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    with pytest.raises(StorageError):
        check_key(key)
    with pytest.raises(StorageError):
        storage.delete(key)
    assert list(tmp_path.iterdir()) == []


async def test_put_stream_hashes_and_stores_by_content(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files")
    stored = await storage.put_stream(chunks_of(PDF), max_bytes=len(PDF))
    sha = hashlib.sha256(PDF).hexdigest()
    assert (stored.key, stored.sha256, stored.size) == (f"{sha[:2]}/{sha}", sha, len(PDF))
    assert b"".join(storage.open(stored.key)) == PDF
    assert storage.sha256(stored.key) == sha


async def test_put_stream_stops_at_the_limit_and_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    with pytest.raises(TooLarge):
        await storage.put_stream(chunks_of(PDF), max_bytes=len(PDF) - 1)
    assert files_in(tmp_path) == []


async def test_a_refusing_accept_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)

    def refuse(path: Path, head: bytes) -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        await storage.put_stream(chunks_of(PDF), max_bytes=10_000, accept=refuse)
    assert files_in(tmp_path) == []


def test_text_check_refuses_markup_binary_and_bad_utf8() -> None:
    for data, ok in (
        ("Grüße\tund\r\nmehr".encode(), True),
        (HTML, False),
        (b"  \n<svg onload=x>", False),
        (b"a\x00b", False),
        (b"\xc3", False),  # a cut-off UTF-8 sequence
        (b"\xff\xfe", False),
    ):
        check = sniff.TextCheck()
        for i in range(len(data)):
            check.feed(data[i : i + 1])  # split anywhere, even inside a character
        assert check.finish() is ok, data


def test_zip_detection(tmp_path: Path) -> None:
    for kind, expected in (("docx", sniff.DOCX), ("xlsx", sniff.XLSX), ("odt", sniff.ODT)):
        path = tmp_path / kind
        path.write_bytes(office_zip(kind))
        assert sniff.zip_kind(path) == expected
    plain = tmp_path / "plain"
    plain.write_bytes(office_zip("zip"))
    assert sniff.zip_kind(plain) is None
    broken = tmp_path / "broken"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert sniff.zip_kind(broken) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../x", "x"),
        ("..\\x", "x"),
        ("%2e%2e%2f", "%2e%2e%2f"),
        ("a\x00b", "ab"),
        ("..", "file"),
        ("", "file"),
        (".bashrc", "bashrc"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("C:\\Users\\me\\Rechnung.pdf", "Rechnung.pdf"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_safe_filename(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


def test_content_disposition_is_attachment_with_both_names() -> None:
    header = content_disposition('Ärger "x";\r\n.pdf')
    assert header.startswith('attachment; filename="')
    assert "\r" not in header
    assert "\n" not in header
    assert "filename*=UTF-8''%C3%84rger%20%22x%22%3B%0D%0A.pdf" in header


class TestBothBackends:
    """The same rules for files on disk and in S3 (files_settings runs each test on both)."""

    async def test_refused_or_too_large_uploads_leave_nothing(self, files_settings: Any) -> None:
        storage = get_storage()

        def refuse(path: Path, head: bytes) -> None:
            raise ValueError("no")

        with pytest.raises(TooLarge):
            await storage.put_stream(chunks_of(PDF), max_bytes=len(PDF) - 1)
        with pytest.raises(ValueError, match="no"):
            await storage.put_stream(chunks_of(PDF), max_bytes=10_000, accept=refuse)
        files = StoredFiles(files_settings)
        assert files.stored_keys() == []
        assert files.local_files() == []

    async def test_streams_in_and_out_and_lists_keys(self, files_settings: Any) -> None:
        storage = get_storage()
        big = bytes(range(256)) * 40_000  # 10 MiB: more than one S3 part
        stored = await storage.put_stream(chunks_of(big, 65536), max_bytes=len(big))
        again = await storage.put_stream(chunks_of(big, 65536), max_bytes=len(big))
        assert again.key == stored.key
        chunks = list(storage.open(stored.key))
        assert len(chunks) > 1
        assert max(len(c) for c in chunks) <= 1024 * 1024
        assert b"".join(chunks) == big
        assert storage.sha256(stored.key) == hashlib.sha256(big).hexdigest()
        assert [key for key, _ in storage.list_keys()] == [stored.key]
        storage.ready()
        storage.delete(stored.key)
        assert not storage.exists(stored.key)
        with pytest.raises(FileNotFoundError):
            b"".join(storage.open(stored.key))
