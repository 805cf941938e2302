"""Invitation codes minted from the admin page: the codes live only in the CSV handed back.

The same storage as `yiti survey invite` (survey.storage.repository.create_invitations): only a hash of
each code is stored, so the download is the one and only copy; nothing here keeps the codes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC

from generator.content.models import Wave
from survey.staff.admin.store import Actor
from survey.staff.admin.waves import invitation_topics
from survey.state import AppState
from survey.storage.audit import append
from survey.storage.repository import create_invitations
from survey.waves import wave_name

CSV_HEADER = ("code", "topic", "wave", "batch")  # as `yiti survey invite` writes them


@dataclass(frozen=True)
class Issued:
    """A batch of new codes and the file they go out in."""

    filename: str
    body: bytes
    count: int


def choices(state: AppState) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(topics, waves) an admin may mint codes for: invitation-only topics of unfinished waves."""
    now = state.clock()
    waves = [w for w in state.content.site.waves if now < w.closes]
    topics = {t.slug: t.title for w in waves for t in invitation_topics(state, w)}
    return (
        [(slug, f"{title}（{slug}）") for slug, title in sorted(topics.items())],
        [(w.id, wave_name(w.id)) for w in sorted(waves, key=lambda w: w.opens)],
    )


def refusal(state: AppState, slug: str, wave: Wave) -> str:
    """Why codes cannot be minted for this topic and wave, or empty."""
    if slug not in {t.slug for t in invitation_topics(state, wave)}:
        return (
            f"该议题在{wave_name(wave.id)}不使用邀请码（问卷是开放式的，或该议题没有参加这一批次）"
        )
    return ""


def issue(state: AppState, actor: Actor, slug: str, wave: Wave, count: int) -> Issued:
    """Mint `count` codes, audit it (invitations.create), and return the only copy as a CSV."""
    batch = "web-" + actor.at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    codes = create_invitations(state.db, slug, wave.id, count, batch)
    detail = {"count": count, "batch": batch, "via": "admin page"}
    append(
        state.db,
        actor.at,
        actor.email,
        "invitations.create",
        target=f"{slug}/{wave.id}",
        detail=detail,
        source=actor.source,
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows([code, slug, wave.id, batch] for code in codes)
    filename = f"invitations-{slug}-{wave.id}-{batch}.csv"
    return Issued(filename, out.getvalue().encode("utf-8"), count)
