"""The blank questionnaire page, rendered once and filled in per request.

Rendering 13 fieldsets with Jinja and WTForms took about 4 ms of a 4.3 ms GET, and the result is
the same for every resident of one survey except three values: the CSRF token, the signed ticket
and the invitation code from the link. So the page is rendered once with a random marker in
each of those places, cut at the markers, and each GET joins the pieces around its own values,
HTML-escaped as WTForms escapes them. Pages with errors or notices are rendered in full.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from markupsafe import escape


class PageCacheError(Exception):
    """A marker did not come out of the render exactly once: the page cannot be cut safely."""


@dataclass(frozen=True)
class BlankPage:
    """A rendered page cut at its slots: `parts[0] slot[0] parts[1] … slot[-1] parts[-1]`."""

    parts: tuple[str, ...]
    slots: tuple[str, ...]

    def fill(self, values: Mapping[str, str]) -> str:
        """The page with each slot's value, escaped for an HTML attribute."""
        out = [self.parts[0]]
        for slot, after in zip(self.slots, self.parts[1:], strict=True):
            out.append(str(escape(values[slot])))
            out.append(after)
        return "".join(out)


def markers(slots: tuple[str, ...]) -> dict[str, str]:
    """A fresh marker per slot: letters and digits only, so escaping leaves them as they are."""
    return {slot: f"yiti{secrets.token_hex(16)}" for slot in slots}


def cut(rendered: str, marks: Mapping[str, str]) -> BlankPage:
    """`rendered` cut at each marker, which must occur exactly once."""
    found = []
    for slot, mark in marks.items():
        count = rendered.count(mark)
        if count != 1:
            raise PageCacheError(f"marker for {slot} found {count} times, expected once")
        found.append((rendered.index(mark), slot, mark))
    parts: list[str] = []
    slots: list[str] = []
    start = 0
    for position, slot, mark in sorted(found):
        parts.append(rendered[start:position])
        slots.append(slot)
        start = position + len(mark)
    parts.append(rendered[start:])
    return BlankPage(tuple(parts), tuple(slots))


class PageCache:
    """Blank pages by key (survey, questionnaire version, mount point), built on first use.

    Lives in the app's state, so content loaded by a new app (a restart) is rendered anew.
    Two threads may build the same page at once; both results are equal, and one is kept.
    """

    def __init__(self) -> None:
        self._pages: dict[tuple[str, ...], BlankPage] = {}

    def get(
        self, key: tuple[str, ...], render: Callable[[], tuple[str, dict[str, str]]]
    ) -> BlankPage:
        """The blank page for `key`; `render()` draws it and says which marker is in which slot."""
        page = self._pages.get(key)
        if page is None:
            page = self._pages.setdefault(key, cut(*render()))
        return page

    def __len__(self) -> int:
        return len(self._pages)
