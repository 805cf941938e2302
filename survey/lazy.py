"""Modules imported on first use, so a gunicorn worker that only serves residents never loads
the analysis stack (pandas, pyarrow, statsmodels: seconds of CPU and a large resident set at
every worker start, issue 17). tests/survey/test_lazy.py checks what the app imports.

Staff modules hold such a module as

    if TYPE_CHECKING:
        from survey.staff.downloads import service
    else:
        service = lazy("survey.staff.downloads.service")

and use `service.build(…)` as before: type checkers see the module, the running code imports it
at the first attribute read. Unlike importlib's LazyLoader (not thread-safe before Python 3.12),
every read goes through `importlib.import_module`, whose import lock makes two gthread threads
asking at once get one fully imported module.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for module `name` until an attribute is read, then hands out the module's."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        module: ModuleType = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy(name: str) -> Any:
    """Module `name`, imported when one of its attributes is first read."""
    return LazyModule(name)
