"""The MkDocs stage's second process: each page's search entries, CSP check and cache entries.

MkDocs builds on one core of the machine's two. Per page, `yiti build` adds the CSP check
(generator/site/csp.py) and, with a build cache, three entries: the page cache's two (its Markdown
conversion and search entries, and its finished HTML: generator/site/pagecache.py) and the check's.
At 100 topics that is 670 checks and about 2,000 files, which this process did one after the
other once MkDocs had finished: over a second of a cold build whose bare `mkdocs build` takes
six. `PageWorker` hands them to one forked process as MkDocs writes each page, so they run on
the other core while MkDocs builds the rest.

With a build cache, the worker also makes each new page's search entries (Material's own
`SearchIndex.add_entry_from_context`, which cuts the Chinese text into words with jieba: a fifth
of a bare build, and loading jieba's dictionary another half second). The page cache has to
store those entries anyway; the pages come back into the index in build order before the
search plugin writes it, so the index is byte for byte the one MkDocs makes alone
(tests/generator/site/test_pagecache.py, test_pageworker.py).

What is stored is unchanged: a check is a fact about a page's text, stored at once (as
`secure_site` stores it); the page cache's entries are staged, under the cache's `staging/`
folder, and moved into place by `commit` only once the whole build has succeeded, so a page
from a failed build is never remembered as good (`close` removes what is still staged).
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.structure.toc import TableOfContents

from generator.site.cache import BuildCache
from generator.site.csp import Checked, remember, secure_text

STAGING = "staging"  # the cache's folder of entries waiting for their build to succeed
BATCH = 16  # jobs sent to the worker together


@dataclass(frozen=True)
class Searchable:
    """What Material's `SearchIndex.add_entry_from_context` reads of a page, sent to the worker
    in place of the page (which holds the whole site through its links)."""

    meta: Mapping[str, Any]
    content: str
    toc: TableOfContents
    url: str
    title: str | None


class PageWorker:
    """One worker process, started at the first page sent; `build_cache` may be None (checks
    only: nothing is stored)."""

    def __init__(self, build_cache: BuildCache | None) -> None:
        self.cache = build_cache
        self.pool: ProcessPoolExecutor | None = None
        self.staging: Path | None = None  # this build's staging folder, made at the first entry
        self.staged: list[Future[Any]] = []
        self.batch: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []
        self.discarded: list[tuple[str, str]] = []  # staged entries not to keep

    def check(self, text: str, key: str = "") -> Future[Checked]:
        """`csp.secure_text` of a page, its check stored in the cache under `key` (the caller
        has it already: it looked the check up) by the worker; "" for no cache."""
        return self._submit(_check, text, key)

    def stage(self, kind: str, key: str, entry: str | dict[str, Any]) -> None:
        """Write a cache entry (a dict is stored as JSON) into this build's staging folder."""
        self.staged.append(self._submit(_stage, self._folder(), kind, key, entry))

    def index(
        self, search_index: Any, page: Searchable, staged: tuple[str, str, dict[str, Any]] | None
    ) -> Future[list[dict[str, Any]]]:
        """A page's search entries, made by the worker with `search_index` (Material's, as the
        search plugin set it up: it segments the page's Chinese text with jieba). `staged`
        (kind, key, entry): the page cache's entry for the page, staged with the entries in it."""
        job = (self._folder(), *staged) if staged is not None else None
        # The index goes as its class and settings: the search plugin's own object carries
        # the page cache's hook (pagecache.py), and its entries are not the worker's business.
        made = (type(search_index), search_index.config)
        future = self._submit(_index, made, page, job)
        if job is not None:
            self.staged.append(future)
        return future

    def flush(self) -> None:
        """Send the jobs not sent yet (waiting for any job's result sends them first)."""
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        sent = self._start().submit(_run_all, [(function, args) for _, function, args in batch])
        sent.add_done_callback(partial(_settle, [future for future, _, _ in batch]))

    def discard(self, kind: str, key: str) -> None:
        """Do not keep an entry staged already (its page changed after it was sent)."""
        self.discarded.append((kind, key))

    def commit(self) -> None:
        """Move the staged entries into place (once the build has succeeded). A write that
        failed in the worker (a full disk) raises here, and the build fails with it."""
        for future in self.staged:
            future.result()
        self.staged.clear()
        if self.staging is not None:
            for kind, key in self.discarded:
                (self.staging / kind / key).unlink(missing_ok=True)
        if self.cache is not None and self.staging is not None:
            self.cache.commit_staged(self.staging)
            self.staging = None

    def close(self) -> None:
        """Stop the worker; what is still staged (the build failed) is removed."""
        for future, _, _ in self.batch:
            future.cancel()
        self.batch.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def _submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """A job for the worker, sent with the next BATCH - 1 others: each submission to a
        process pool wakes two threads of this process, which then take turns with MkDocs for
        the interpreter; sent one by one, the pages' 2,000 jobs cost this process a second."""
        future = _Queued(self)
        self.batch.append((future, function, args))
        if len(self.batch) >= BATCH:
            self.flush()
        return future

    def _folder(self) -> Path:
        if self.cache is None:
            raise ValueError("staging needs a build cache")
        if self.staging is None:
            (self.cache.root / STAGING).mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(dir=self.cache.root / STAGING))
        return self.staging

    def _start(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # fork: the worker needs only what is imported already; spawn would start the
            # caller's main module again. The cache is handed over once, not with each page.
            self.pool = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_adopt,
                initargs=(self.cache,),
            )
        return self.pool


class _Queued(Future[Any]):
    """A job's result, its batch sent before it is waited for (so no wait can hang on a job
    still queued in this process)."""

    def __init__(self, worker: PageWorker) -> None:
        super().__init__()
        self.worker = worker

    def result(self, timeout: float | None = None) -> Any:
        self.worker.flush()
        return super().result(timeout)


def _settle(futures: list[Future[Any]], sent: Future[list[tuple[bool, Any]]]) -> None:
    """Each job's result (or exception) from its batch's (called when the batch is done)."""
    if sent.cancelled() or sent.exception() is not None:
        for future in futures:
            if sent.cancelled():
                future.cancel()
            else:
                future.set_exception(sent.exception())
        return
    for future, (ok, value) in zip(futures, sent.result(), strict=True):
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


def _run_all(jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[tuple[bool, Any]]:
    """What the worker runs for a batch: each job, its result or its exception."""
    results: list[tuple[bool, Any]] = []
    for function, args in jobs:
        try:
            results.append((True, function(*args)))
        except Exception as exc:  # handed to that job's Future, as the pool would
            results.append((False, exc))
    return results


_worker_cache: BuildCache | None = None  # in the worker: the cache of the build it works for


def _adopt(build_cache: BuildCache | None) -> None:
    global _worker_cache
    _worker_cache = build_cache


def _check(text: str, key: str) -> Checked:
    """What the worker runs for a page: its check, stored in the cache under `key`; the text
    sent back only when rewritten (most pages have no drawing with styles), with the key."""
    secured, problems = secure_text(".html", text)
    if _worker_cache is not None and key:
        remember(_worker_cache, key, text, secured, problems)
    return ("" if secured == text else secured), problems, key


def _index(
    made: tuple[type, dict[str, Any]],
    page: Searchable,
    staged: tuple[Path, str, str, dict[str, Any]] | None,
) -> list[dict[str, Any]]:
    """What the worker runs for a page's search entries (and its page cache entry)."""
    index_type, settings = made
    search_index = index_type(**settings)
    search_index.add_entry_from_context(page)
    entries: list[dict[str, Any]] = search_index.entries
    if staged is not None:
        folder, kind, key, entry = staged
        _stage(folder, kind, key, {**entry, "search": entries})
    return entries


def _stage(folder: Path, kind: str, key: str, entry: str | dict[str, Any]) -> None:
    if _worker_cache is None:
        raise ValueError("staging needs a build cache")
    text = entry if isinstance(entry, str) else json.dumps(entry, ensure_ascii=False)
    _worker_cache.stage(folder, kind, key, text)
