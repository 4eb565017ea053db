"""Password hashing with argon2id; hashes of the earlier system (passlib's pbkdf2-sha256)
still verify, and ask to be rehashed."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher, Type
from argon2.exceptions import Argon2Error

_ARGON2_PREFIX = "$argon2"
_PBKDF2_SHA256_PREFIX = "$pbkdf2-sha256$"
_PBKDF2_SHA256 = re.compile(
    r"\$pbkdf2-sha256\$(?P<rounds>[1-9][0-9]{0,9})\$(?P<salt>[A-Za-z0-9./]*)"
    r"\$(?P<checksum>[A-Za-z0-9./]+)"
)
_PBKDF2_MAX_ROUNDS = 2**32 - 1
_PBKDF2_SHA256_SIZE = 32

DEFAULT_TIME_COST = 2
DEFAULT_MEMORY_KIB = 19 * 1024
DEFAULT_PARALLELISM = 1
"""OWASP's recommended argon2id parameters (Password Storage Cheat Sheet): 19 MiB, 2
passes, 1 lane."""


class Argon2PasswordHasher:
    """Hashes passwords with argon2id (argon2-cffi) off the event loop.

    Rules:
    - parameters default to OWASP's recommended argon2id configuration: ``memory_cost``
      19 MiB (in KiB), ``time_cost`` 2 passes, ``parallelism`` 1 lane (one thread per hash,
      so a pool of one thread per core hashes as many passwords at once as there are cores);
    - work runs in a pool of ``max_workers`` threads (default: one per CPU), so at most that
      many hashes hold their memory at once; argon2 and pbkdf2 release the GIL meanwhile;
    - ``verify`` never raises: a malformed or unknown hash simply does not match;
    - every verification costs at least one argon2 verification with this hasher's
      parameters: a pbkdf2 one spends that time too, so a sign-in takes as long whatever
      the account (or none) and its hash;
    - ``needs_rehash`` is True for anything but argon2id with this hasher's parameters,
      including the earlier system's pbkdf2-sha256 hashes, which still verify;
    - ``hashes_as_typed``: the earlier system's hashes were made over the password as typed.
    """

    def __init__(
        self,
        *,
        time_cost: int = DEFAULT_TIME_COST,
        memory_cost: int = DEFAULT_MEMORY_KIB,
        parallelism: int = DEFAULT_PARALLELISM,
        max_workers: int | None = None,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=Type.ID,
        )
        self._pool = ThreadPoolExecutor(
            max_workers=max_workers or os.cpu_count() or 1,
            thread_name_prefix="password-hashing",
            initializer=yield_cpu_to_requests,
        )
        self._dummy_hash = _unmatchable_hash(self._hasher)

    async def hash(self, password: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches; never raises for a malformed hash."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._verify_now, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash uses another scheme or outdated parameters."""
        if not password_hash.startswith(_ARGON2_PREFIX):
            return True
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except ValueError:
            return True

    async def burn(self, password: str) -> None:
        """Spend the time of one verification (for unknown users, so timing leaks nothing)."""
        await self.verify(self._dummy_hash, password)

    def hashes_as_typed(self, password_hash: str) -> bool:
        return password_hash.startswith(_PBKDF2_SHA256_PREFIX)

    def shutdown(self) -> None:
        """Stop the thread pool once the hashes under way are done."""
        self._pool.shutdown(wait=True)

    def _verify_now(self, password_hash: str, password: str) -> bool:
        if password_hash.startswith(_PBKDF2_SHA256_PREFIX):
            matches = _verify_pbkdf2_sha256(password_hash, password)
            # Far cheaper than argon2: alone it would tell these accounts from the others.
            self._verify_now(self._dummy_hash, password)
            return matches
        try:
            return self._hasher.verify(password_hash, password)
        # InvalidHashError and UnicodeEncodeError (a lone surrogate) are ValueErrors.
        except (Argon2Error, ValueError):
            return False


HASHING_NICENESS = 10
"""How much lower than the event loop's the hashing threads' CPU priority is (Linux)."""


def yield_cpu_to_requests() -> None:
    """Run in each hashing thread as it starts. Hashing takes every core it is given (argon2
    spreads one hash over its lanes' threads, which inherit this priority), so at equal
    priority the event loop would queue behind it and every other request would wait for
    the hashes. At a lower priority, hashing still uses all the CPU the requests leave.
    Linux keeps a niceness per thread; elsewhere the whole process would be affected, so
    this does nothing there."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


def _unmatchable_hash(hasher: PasswordHasher) -> str:
    """A well-formed hash with the hasher's parameters that no password matches in practice:
    verifying against it costs what a real verification costs."""
    salt = _b64_unpadded(bytes(hasher.salt_len))
    digest = _b64_unpadded(bytes(hasher.hash_len))
    parameters = f"m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
    return f"$argon2id$v=19${parameters}${salt}${digest}"


def _b64_unpadded(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _verify_pbkdf2_sha256(password_hash: str, password: str) -> bool:
    """passlib's ``$pbkdf2-sha256$<rounds>$<salt>$<checksum>``, salt and checksum in its
    "adapted base64" (``.`` for ``+``, no padding), over the UTF-8 password."""
    match = _PBKDF2_SHA256.fullmatch(password_hash)
    if match is None:
        return False
    rounds = int(match["rounds"])
    try:
        salt = _ab64_decode(match["salt"])
        checksum = _ab64_decode(match["checksum"])
        secret = password.encode("utf-8")
    except (binascii.Error, UnicodeEncodeError):
        return False
    if rounds > _PBKDF2_MAX_ROUNDS or len(checksum) != _PBKDF2_SHA256_SIZE:
        return False
    derived = hashlib.pbkdf2_hmac("sha256", secret, salt, rounds, dklen=len(checksum))
    return hmac.compare_digest(derived, checksum)


def _ab64_decode(text: str) -> bytes:
    standard = text.replace(".", "+")
    return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
