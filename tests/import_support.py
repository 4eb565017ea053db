"""Helpers shared by the import tests: a file with good and bad rows, stored as an upload."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from tms_domain.kernel.files import StoredFile, new_storage_key
from tms_entrypoints.container import Container

FILE = (
    b"email,first_name,last_name,role,batch,course\n"
    b"ada@example.org,Ada,Lovelace,,,\n"
    b"alan@example.org,Alan,Turing,trainer,,\n"
    b"not-an-address,X,Y,,,\n"
    b"grace@example.org,Grace,Hopper,boss,,\n"
    b"ADA@example.org,Ada,Again,,,\n"
    b"linus@example.org,Linus,T,,B-1,\n"
    b"ken@example.org,Ken,T,,,NOPE\n"
)


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def stored(container: Container, data: bytes, name: str = "people.csv") -> StoredFile:
    now = container.clock().now()
    key = new_storage_key(now)
    await container.files().write(key, chunks(data), content_type="text/csv")
    return StoredFile(
        id=0,
        name=name,
        size=len(data),
        content_type="text/csv",
        storage_key=key,
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=None,
        created_at=now,
    )
