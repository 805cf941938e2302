"""Which waves and topics a logged-in account may open: unknown or out of scope is 404.

A topic outside an evaluator's scope is never listed and answers 404 like one that does not
exist, so its existence is not confirmed to someone who may not read it.
"""

from __future__ import annotations

from flask import abort

from generator.content.models import Topic, Wave
from survey.staff.sessions import account, require_topic
from survey.state import current_state


def waves() -> list[Wave]:
    """Every wave of the calendar, newest first."""
    return sorted(current_state().content.site.waves, key=lambda w: w.opens, reverse=True)


def wave_or_404(wave_id: str) -> Wave:
    """The calendar's wave `wave_id`, or 404."""
    found = next((w for w in current_state().content.site.waves if w.id == wave_id), None)
    if found is None:
        abort(404)
    return found


def visible_topics(wave: Wave) -> list[Topic]:
    """The topics that run in `wave` and that the logged-in account may see."""
    me = account()
    return [
        t for t in current_state().content.topics if wave.id in t.waves and me.sees_topic(t.slug)
    ]


def topic_or_404(wave: Wave, slug: str) -> Topic:
    """Topic `slug` of `wave` if the account may see it; otherwise 404."""
    require_topic(slug)
    found = next((t for t in current_state().content.topics if t.slug == slug), None)
    if found is None or wave.id not in found.waves:
        abort(404)
    return found
