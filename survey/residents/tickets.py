"""The signed ticket a served form carries: which submission it is, where the resident came from,
and when the form was served (for the minimum fill time). Signed, so it cannot be made up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer

from survey.codes import submission_id

CHANNELS = ("link", "qr", "invitation")
SALT = "yiti-survey-ticket"


class TicketError(Exception):
    """The ticket is missing, forged, for another survey, or too old."""

    def __init__(self, message: str, *, expired: bool = False, channel: str = "link") -> None:
        self.expired = expired
        self.channel = channel  # an expired ticket's channel, kept for the renewed form
        super().__init__(message)


@dataclass(frozen=True)
class Ticket:
    """What the server said when it served the form."""

    submission_id: str
    topic: str
    wave: str
    channel: str
    served_at: datetime  # UTC


def channel_of(raw: str | None) -> str:
    """`?channel=` → a known channel; anything else counts as a plain link, never an error."""
    return raw if raw in CHANNELS else "link"


def issue(secret: str, topic: str, wave: str, channel: str, now: datetime) -> str:
    """A signed ticket for a form served at `now`."""
    return _serializer(secret).dumps(
        [submission_id(), topic, wave, channel_of(channel), now.timestamp()]
    )


def read(secret: str, token: str, topic: str, wave: str, max_age: int, now: datetime) -> Ticket:
    """Verify `token` for this topic and wave at `now`; raise TicketError otherwise."""
    try:
        data = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise TicketError("问卷页面的校验信息无效") from exc
    if not _well_formed(data):
        raise TicketError("问卷页面的校验信息无效")
    sid, ticket_topic, ticket_wave, channel, stamp = data
    if (ticket_topic, ticket_wave) != (topic, wave):
        raise TicketError("这份问卷页面属于另一个调查")
    served_at = datetime.fromtimestamp(stamp, UTC)
    if (now - served_at).total_seconds() > max_age:
        raise TicketError("问卷页面打开太久已过期", expired=True, channel=channel_of(channel))
    return Ticket(sid, topic, wave, channel_of(channel), served_at)


@lru_cache(maxsize=4)
def _serializer(secret: str) -> URLSafeSerializer:
    """One serializer per secret: it keeps no state between calls, and making one tries its
    JSON module out each time (about a fiftieth of a questionnaire page, issue 17)."""
    return URLSafeSerializer(secret, salt=SALT)


def _well_formed(data: object) -> bool:
    return (
        isinstance(data, list)
        and len(data) == 5
        and all(isinstance(x, str) for x in data[:4])
        and isinstance(data[4], int | float)
    )
