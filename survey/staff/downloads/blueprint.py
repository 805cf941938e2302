"""The downloads blueprint and what its views share: the scope asked for, and who asks.

Views live in `views` (files built in the request) and `background` (files built by the
worker); both register on this one blueprint under /staff/downloads/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from flask import Blueprint, abort

from survey.abuse import source_key
from survey.lazy import lazy
from survey.staff.downloads.scope import Scope, resolve
from survey.staff.sessions import account, staff_context
from survey.state import current_state

if TYPE_CHECKING:
    from survey.staff.downloads import service
else:  # pandas and pyarrow load with the first download a worker serves (survey/lazy.py)
    service = lazy("survey.staff.downloads.service")

downloads = Blueprint("downloads", __name__, url_prefix="/staff/downloads")
downloads.context_processor(staff_context)
ROLES: Final = ("admin", "evaluator")


def scope_for(wave: str, slug: str) -> Scope:
    """The scope of `slug` in `wave` as the account may see it, or 404."""
    scope = resolve(current_state().content, wave, slug, account().sees_topic)
    if scope is None:
        abort(404)
    return scope


def request_for(scope: Scope) -> service.Request:
    """The account's download of `scope`, now, from this address."""
    state = current_state()
    return service.Request(state.db, scope, account().email, state.clock(), source_key())


def attachment(name: str) -> dict[str, str]:
    """Content-Disposition with the UTF-8 name (RFC 6266); slugs are ASCII anyway."""
    return {"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"}
