"""Editor passwords: salted scrypt hashes, compared in constant time, with a lock-out.

Standard library only, so ``python -m community_eval hash-password`` makes a hash without
importing Streamlit, and the tests can check every step against ``hashlib.scrypt`` itself.
The password is never stored, logged or kept longer than the call that checks it.

A hash is one line of text, safe to paste into ``.streamlit/secrets.toml``::

    scrypt$16384$8$1$<salt, base64>$<key, base64>

The cost parameters travel with the hash, so a stronger setting later does not invalidate
the hashes already deployed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SCHEME = "scrypt"
#: scrypt's cost: 2**14 × 8 takes 16 MiB and ~50 ms per check, enough to make guessing a
#: stolen hash slow and cheap enough for a sign-in button.
COST_N, BLOCK_R, PARALLEL_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
#: Bounds on the parameters a hash may ask for, so a mistyped secrets file cannot make a
#: sign-in allocate gigabytes.
MAX_N, MAX_R, MAX_P = 2**20, 32, 16


@dataclass(frozen=True)
class PasswordHash:
    """A parsed hash: scrypt's parameters, the salt and the derived key."""

    n: int
    r: int
    p: int
    salt: bytes
    key: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _maxmem(n: int, r: int, p: int) -> int:
    """The memory scrypt needs for these parameters (OpenSSL refuses to go over ``maxmem``)."""
    return 128 * r * (n + 2) + 128 * r * p + 2**20


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_maxmem(n, r, p), dklen=length)


def hash_password(
    password: str, *, salt: bytes | None = None, n: int = COST_N, r: int = BLOCK_R, p: int = PARALLEL_P
) -> str:
    """The secrets line's value for ``password``, with a fresh random salt unless one is given."""
    if not password:
        raise ValueError("an empty password cannot be hashed")
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    key = _derive(password, salt, n, r, p, KEY_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(key)}"


def _valid_cost(n: int, r: int, p: int) -> bool:
    return 1 < n <= MAX_N and n & (n - 1) == 0 and 0 < r <= MAX_R and 0 < p <= MAX_P


def parse_hash(encoded: object) -> PasswordHash | None:
    """The parts of a hash, or None when it is not one this module wrote (never raises)."""
    if not isinstance(encoded, str):
        return None
    parts = encoded.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME or not all(part.isdigit() for part in parts[1:4]):
        return None
    n, r, p = (int(part) for part in parts[1:4])
    try:
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (binascii.Error, ValueError):
        return None
    if not _valid_cost(n, r, p) or len(salt) < 8 or len(key) != KEY_BYTES:  # a cut-off paste is refused
        return None
    return PasswordHash(n, r, p, salt, key)


def verify_password(password: str, encoded: object) -> bool:
    """Whether ``password`` matches the hash; a malformed hash matches nothing.

    The keys are compared with :func:`hmac.compare_digest`, whose time does not depend on
    where they first differ, so response times leak nothing about the stored key.
    """
    parsed = parse_hash(encoded)
    if parsed is None or not password:
        return False
    candidate = _derive(password, parsed.salt, parsed.n, parsed.r, parsed.p, len(parsed.key))
    return hmac.compare_digest(candidate, parsed.key)


# ---- lock-out ---------------------------------------------------------------------------


@dataclass
class LockOut:
    """Refuse every password for ``lock_seconds`` after ``attempts`` failures in ``window_seconds``.

    Kept in process memory behind a lock, because Streamlit serves each session on its own
    thread and a counter in the session would restart with every page reload. ``clock``
    is injectable so tests can step time.
    """

    attempts: int = 5
    window_seconds: float = 15 * 60
    lock_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, list[float]] = field(default_factory=dict, repr=False)
    _locked_until: dict[str, float] = field(default_factory=dict, repr=False)
    _mutex: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def locked_for(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        with self._mutex:
            return max(0.0, self._locked_until.get(key, 0.0) - self.clock())

    def fail(self, key: str) -> int:
        """Count a failure; returns the tries left before the lock-out (0: locked now)."""
        with self._mutex:
            now = self.clock()
            self._forget_old(now)
            recent = [t for t in self._failures.get(key, []) if now - t < self.window_seconds]
            recent.append(now)
            if len(recent) >= self.attempts:
                self._locked_until[key] = now + self.lock_seconds
                self._failures.pop(key, None)
                return 0
            self._failures[key] = recent
            return self.attempts - len(recent)

    def succeed(self, key: str) -> None:
        """A right password clears the key's failures."""
        with self._mutex:
            self._failures.pop(key, None)

    def _forget_old(self, now: float) -> None:
        """Drop expired entries, so a stream of addresses cannot grow memory without bound."""
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]
        for key in [k for k, times in self._failures.items() if now - times[-1] >= self.window_seconds]:
            del self._failures[key]


@dataclass(frozen=True)
class Attempt:
    """What a sign-in attempt came to: accepted, or why not."""

    ok: bool
    locked_for: float = 0.0
    tries_left: int = 0


def sign_in(password: str, encoded: object, key: str, lockout: LockOut) -> Attempt:
    """Check ``password`` for the client ``key``; while locked out even the right one is refused.

    A locked-out attempt is not hashed at all, so hammering the button costs no CPU.
    """
    waiting = lockout.locked_for(key)
    if waiting > 0:
        return Attempt(False, locked_for=waiting)
    if verify_password(password, encoded):
        lockout.succeed(key)
        return Attempt(True)
    left = lockout.fail(key)
    return Attempt(False, locked_for=lockout.locked_for(key), tries_left=left)
