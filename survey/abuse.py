"""Abuse defences: CSRF and hard rate limits refuse; everything doubtful is flagged, not dropped.

Many residents share one network address (mobile carriers' NAT, a building's Wi-Fi), so a busy
address is a reason for an evaluator to look twice, not for losing answers. Hard limits
(`YITI_POST_LIMIT`, 429) only stop floods.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from functools import lru_cache

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError, CSRFProtect
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage

from survey.codes import keyed_hash
from survey.counters import hit_all
from survey.residents.tickets import Ticket

# Flask-WTF's reason (CSRFProtect.protect) when an HTTPS post's Referer is another site's;
# here, not in survey.errors, which imports this module (limiter).
FOREIGN_REFERRER = "The referrer does not match the host."


def source_key() -> str:
    """The client address as a keyed hash: what limits count and responses keep, never the IP."""
    return keyed_hash(current_app.config["SECRET_KEY"], request.remote_addr or "unknown")


def stored_source(wave: str) -> str:
    """What a response keeps of the address: a keyed hash scoped to one wave, so evaluators can
    group one wave's bulk submissions but nobody can follow an address from wave to wave."""
    address = request.remote_addr or "unknown"
    return keyed_hash(current_app.config["SECRET_KEY"], f"{wave}|{address}")


def device_key() -> str:
    """A random id kept in the signed session cookie: one browser, whatever its address."""
    if "device" not in session:
        session["device"] = secrets.token_hex(8)
    return str(session["device"])


def post_limit() -> str:
    """The hard limit on submissions per address, from configuration."""
    return str(current_app.config["YITI_POST_LIMIT"])


class SiteCSRFProtect(CSRFProtect):  # type: ignore[misc]  # Flask-WTF ships no types
    """Flask-WTF's check, with a Referer it cannot parse refused as another site's, not a 500."""

    def protect(self, apply_exemptions: bool = False) -> None:
        """Check the token, then the Referer; "https://[::1" or port 99999 made urlparse raise."""
        try:
            super().protect(apply_exemptions)
        except ValueError as exc:  # its token errors (also ValueErrors) are CSRFErrors by now
            raise CSRFError(FOREIGN_REFERRER) from exc


class LocalCounts(MemoryStorage):
    """limits' in-process counters (`memory://`) without a thread per hit.

    limits' MemoryStorage starts a 10 ms timer thread on a hit whenever the last one has ended,
    to drop expired counters: a worker taking a submission every few tens of milliseconds
    started a thread for nearly every POST, about a tenth of a submission's CPU (issue 17).
    Here a counter whose window has ended is dropped when next read, as limits does, and the
    others at most once a minute, inline, so counters of devices never seen again do not pile up.
    """

    STORAGE_SCHEME = ["yiti-memory"]  # noqa: RUF012  (limits reads it as the class says)
    SWEEP_SECONDS = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: str) -> None:
        super().__init__(uri, wrap_exceptions, **_)
        self.next_sweep = time.time() + self.SWEEP_SECONDS

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count `amount` hits on `key`, whose window lasts `expiry` seconds from its first."""
        self.get(key)  # drops the counter if its window has ended
        self.sweep()
        with self.locks[key]:
            self.storage[key] += amount
            if self.storage[key] == amount:
                self.expirations[key] = time.time() + expiry
        return int(self.storage.get(key, 0))

    def sweep(self) -> None:
        """Drop every counter whose window has ended, if the last sweep is a minute old."""
        now = time.time()
        if now < self.next_sweep:
            return
        self.next_sweep = now + self.SWEEP_SECONDS
        for key, until in list(self.expirations.items()):
            if until <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


def storage_uri(configured: str) -> str:
    """The limits storage for a configured URI: `memory://` is counted by LocalCounts."""
    return "yiti-memory://" if configured == "memory://" else configured


# Every limit here is on POSTs (answers, logins): a page view is never counted, and saying so
# up front spares each GET Flask-Limiter's search for limits (issue 17). A limit on reading
# pages would have to change this.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SiteLimiter(Limiter):
    """Flask-Limiter, whose check before each request returns at once for a page view.

    The `reading` filter already exempts such requests, but only after Flask-Limiter has looked
    up the view, its blueprint's limits and the exemptions, and evaluated an empty list: about
    a twentieth of a questionnaire page's CPU under gunicorn (issue 17). Limits on views
    (`@limiter.limit`) still consult the filter as before.
    """

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if in_middleware and reading():
            return
        super()._check_request_limit(callable_name, in_middleware)


csrf = SiteCSRFProtect()
limiter = SiteLimiter(key_func=source_key)


@limiter.request_filter
def reading() -> bool:
    """Whether the request only reads (no limit applies to it)."""
    return request.method in SAFE_METHODS


def flags_for(honeypot: str | None, ticket: Ticket, now: datetime) -> tuple[str, ...]:
    """Reasons to look twice at a submission, for evaluators; empty for an ordinary one."""
    config = current_app.config
    flags = []
    if honeypot:
        flags.append("honeypot")
    if (now - ticket.served_at).total_seconds() < config["YITI_MIN_FILL_SECONDS"]:
        flags.append("too_fast")
    busy_address, busy_device = _within(
        (config["YITI_FLAG_IP_LIMIT"], "flag-ip", source_key()),
        (config["YITI_FLAG_DEVICE_LIMIT"], "flag-device", device_key()),
    )
    if not busy_address:
        flags.append("busy_address")
    if not busy_device:
        flags.append("busy_device")
    return tuple(flags)


def _within(*counters: tuple[str, str, str]) -> list[bool]:
    """Count one hit against each limit of each (limits, scope, key); per counter, False if any
    of its limits is exceeded. One Redis round trip for all of them (survey.counters)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return [True] * len(counters)
    # Direct hits skip Flask-Limiter's own key prefix, so add it: deployments sharing a Redis
    # keep their counts apart.
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    hits = [
        (index, item, (prefix, scope, key))
        for index, (limits, scope, key) in enumerate(counters)
        for item in _parsed(limits)
    ]
    results = hit_all(limiter.limiter, [(item, ids) for _, item, ids in hits])
    within = [True] * len(counters)
    for (index, _, _), ok in zip(hits, results, strict=True):
        within[index] = within[index] and ok
    return within


@lru_cache(maxsize=16)
def _parsed(limits: str) -> tuple[RateLimitItem, ...]:
    """A configured limit string's limits, parsed once per worker rather than per submission."""
    return tuple(parse_many(limits))
