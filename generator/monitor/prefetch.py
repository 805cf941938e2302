"""Read ahead in a thread: the next batches are parsed while the caller checks this one.

Arrow parses CSV without holding the GIL, so on two cores reading and checking overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from queue import Full, Queue
from typing import TypeVar

T = TypeVar("T")


def prefetch(batches: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """Read the next batches in a thread while the caller validates this one.

    Arrow parses CSV without holding the GIL, so on two cores reading and validating overlap.
    Errors in the thread are raised here; stopping early stops the thread.
    """
    queue: Queue[tuple[T | None, BaseException | None]] = Queue(maxsize=depth)
    stop = threading.Event()
    thread = threading.Thread(
        target=_fill, args=(batches, queue, stop), name="monitor-csv-reader", daemon=True
    )
    thread.start()
    try:
        while True:
            batch, error = queue.get()
            if error is not None:
                raise error
            if batch is None:
                return
            yield batch
    finally:
        stop.set()
        thread.join()


def _fill(
    batches: Iterator[T], queue: Queue[tuple[T | None, BaseException | None]], stop: threading.Event
) -> None:
    """Put each batch, then (None, None) at the end or (None, error); give up once stopped."""
    try:
        for batch in batches:
            if not _put(queue, (batch, None), stop):
                return
        _put(queue, (None, None), stop)
    except BaseException as exc:  # handed to the consumer, never lost
        _put(queue, (None, exc), stop)


def _put(
    queue: Queue[tuple[T | None, BaseException | None]],
    item: tuple[T | None, BaseException | None],
    stop: threading.Event,
) -> bool:
    """Put `item` unless the consumer has stopped; whether it was put."""
    while not stop.is_set():
        try:
            queue.put(item, timeout=0.1)
            return True
        except Full:
            continue
    return False
