"""Read-ahead in a thread: order, errors, and stopping early."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import pandas as pd
import pytest

from generator.monitor.prefetch import prefetch
from generator.monitor.reading import InputError


def test_prefetch_yields_in_order_and_passes_errors_on() -> None:
    def batches(fail: bool) -> Iterator[pd.DataFrame]:
        yield pd.DataFrame({"a": [1]})
        yield pd.DataFrame({"a": [2]})
        if fail:
            raise InputError("broken")

    assert [int(b["a"].iloc[0]) for b in prefetch(batches(fail=False))] == [1, 2]
    with pytest.raises(InputError, match="broken"):
        list(prefetch(batches(fail=True)))


def test_prefetch_stops_its_thread_when_the_reader_stops_early() -> None:
    endless = (pd.DataFrame({"a": [i]}) for i in itertools.count())
    reader = prefetch(endless, depth=1)
    assert int(next(reader)["a"].iloc[0]) == 0
    reader.close()
    assert not any(t.name == "monitor-csv-reader" for t in threading.enumerate())
