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
class _Tally:
    """One counter's recent failures, its attempts still being checked, and its lock."""

    failures: list[float] = field(default_factory=list)
    in_flight: list[float] = field(default_factory=list)
    locked_until: float = 0.0

    def failed(self, now: float, window: float) -> int:
        """Failures inside the window (older ones are dropped)."""
        self.failures = [t for t in self.failures if now - t < window]
        return len(self.failures)

    def recent(self, now: float, window: float) -> int:
        """Failures inside the window plus attempts in flight (each may yet be a failure)."""
        return self.failed(now, window) + len(self.in_flight)

    def idle(self, now: float, window: float) -> bool:
        """Whether forgetting this counter would change nothing."""
        return not self.in_flight and self.locked_until <= now and all(now - t >= window for t in self.failures)


@dataclass(frozen=True)
class Ticket:
    """A reserved attempt (``wait == 0``), or a refusal for ``wait`` more seconds."""

    key: str
    started: float
    wait: float = 0.0


@dataclass(frozen=True)
class Attempt:
    """What a sign-in attempt came to: accepted, or why not."""

    ok: bool
    locked_for: float = 0.0
    tries_left: int = 0


@dataclass
class LockOut:
    """Refuse every password for ``lock_seconds`` after ``attempts`` failures from one client,
    or ``global_attempts`` failures from all clients together, within ``window_seconds``.

    Kept in process memory behind a lock, because Streamlit serves each session on its own
    thread and a counter in the session would restart with every page reload. An attempt
    is reserved, counting as a failure, before its password is hashed (:meth:`reserve`),
    and only a right password gives its place back (:meth:`succeed`): so a burst of
    simultaneous attempts hashes at most ``attempts`` passwords, instead of all of them
    passing the check while the first ones are still being hashed. The global count stops
    an attacker with many addresses (or a way to make them up) from guessing
    ``attempts`` times per address; its price is that such an attacker can lock every
    editor out of password sign-in while the attack lasts. ``clock`` is injectable so tests
    can step time.
    """

    attempts: int = 5
    global_attempts: int = 20
    window_seconds: float = 15 * 60
    lock_seconds: float = 15 * 60
    clock: Callable[[], float] = time.monotonic
    _tallies: dict[str, _Tally] = field(default_factory=dict, repr=False)
    _everyone: _Tally = field(default_factory=_Tally, repr=False)
    _mutex: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def locked_for(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        with self._mutex:
            return self._wait(key, self.clock())

    def reserve(self, key: str) -> Ticket:
        """Count an attempt for ``key`` and for everyone before it is checked, or refuse it."""
        with self._mutex:
            now = self.clock()
            self._forget_old(now)
            wait = self._wait(key, now)
            if wait > 0:
                return Ticket(key, now, wait)
            self._tallies.setdefault(key, _Tally()).in_flight.append(now)
            self._everyone.in_flight.append(now)
            return Ticket(key, now)

    def succeed(self, ticket: Ticket) -> None:
        """A right password gives its place back and clears its client's failures."""
        with self._mutex:
            tally = self._release(ticket)
            tally.failures.clear()

    def fail(self, ticket: Ticket) -> Attempt:
        """A wrong password becomes a failure; at the limit its client, or everyone, is locked out."""
        with self._mutex:
            now = self.clock()
            tally = self._release(ticket)
            tally.failures.append(ticket.started)
            self._everyone.failures.append(ticket.started)
            for counter, limit in ((tally, self.attempts), (self._everyone, self.global_attempts)):
                if counter.failed(now, self.window_seconds) >= limit:
                    counter.locked_until = now + self.lock_seconds
                    counter.failures.clear()
            return Attempt(False, locked_for=self._wait(ticket.key, now), tries_left=self._left(ticket.key, now))

    def _release(self, ticket: Ticket) -> _Tally:
        """Take a reserved attempt out of flight (its client's and everyone's); returns its client's tally."""
        tally = self._tallies.setdefault(ticket.key, _Tally())
        for counter in (tally, self._everyone):
            if ticket.started in counter.in_flight:
                counter.in_flight.remove(ticket.started)
        return tally

    def _wait(self, key: str, now: float) -> float:
        """How long ``key`` must wait: a lock's remaining time, or a whole lock's length while
        attempts in flight fill its (or everyone's) allowance."""
        waits = [0.0]
        for counter, limit in ((self._tallies.get(key), self.attempts), (self._everyone, self.global_attempts)):
            if counter is None:
                continue
            if counter.locked_until > now:
                waits.append(counter.locked_until - now)
            elif counter.recent(now, self.window_seconds) >= limit:
                waits.append(self.lock_seconds)
        return max(waits)

    def _left(self, key: str, now: float) -> int:
        """Tries left before a lock-out, for the client or everyone, whichever is fewer."""
        if self._wait(key, now) > 0:
            return 0
        tally = self._tallies.get(key) or _Tally()
        return min(
            self.attempts - tally.recent(now, self.window_seconds),
            self.global_attempts - self._everyone.recent(now, self.window_seconds),
        )

    def _forget_old(self, now: float) -> None:
        """Drop idle counters, so a stream of addresses cannot grow memory without bound."""
        for key in [k for k, tally in self._tallies.items() if tally.idle(now, self.window_seconds)]:
            del self._tallies[key]


def sign_in(password: str, encoded: object, key: str, lockout: LockOut) -> Attempt:
    """Check ``password`` for the client ``key``; while locked out even the right one is refused.

    The attempt is reserved before hashing and counts as a failure unless the password is
    right, also if the check raises. A refused attempt is not hashed at all, so hammering
    the button costs no CPU.
    """
    ticket = lockout.reserve(key)
    if ticket.wait > 0:
        return Attempt(False, locked_for=ticket.wait)
    try:
        right = verify_password(password, encoded)
    except BaseException:
        lockout.fail(ticket)
        raise
    if not right:
        return lockout.fail(ticket)
    lockout.succeed(ticket)
    return Attempt(True)
