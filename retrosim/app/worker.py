"""The page's runs, each in a process of its own: the server stays free for every visitor.

A run of the page (:func:`retrosim.app.outcome.run`) may take seconds to minutes; run on the
server's event loop it would hold up every other visitor's page. :class:`Runner` runs it in
a fresh process (forked from a fork server that imported the run path once: nothing of the
server's threads or sockets is copied, and a run starts at once; ``spawn`` where there is no
fork server) and awaits the answer without blocking the loop; the server calls it from a
Shiny extended task, so the visitor can cancel it. Each visitor (a Shiny session) has a
runner and a budget (:class:`Budget`): one run at a time, at most :attr:`Budget.run_s`
seconds a run and :attr:`Budget.session_s` seconds in all, and an address space
(``RLIMIT_AS``) of :attr:`Budget.memory_share` of the memory free when the run starts, which
the run's own memory budget (:mod:`retrosim.model.budget`) then sees. A run that is
cancelled or over its time is killed at once; what it asked for that does not fit is one
line, as on the command line.

A fit of an uploaded recording (:mod:`retrosim.app.fitting`) is a run too: :meth:`Runner.call`
runs any module-level function the same way, and :func:`runner_for` gives each visit one
runner, so a visitor's runs and fits take turns and share one budget.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psutil

from retrosim.app import outcome
from retrosim.errors import InputError, RetrosimError
from retrosim.model.budget import available_memory


@dataclass(frozen=True)
class Budget:
    """What one visitor's runs may take."""

    run_s: float = 300.0            # seconds of one run
    session_s: float = 1800.0       # seconds of all runs of a session
    memory_share: float = 0.5       # of the memory free when a run starts


class Runner:
    """One visitor's runs: one at a time, each in its own process, within ``budget``."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self.used_s = 0.0
        self.busy = False

    async def run(self, data: dict[str, Any], source: str, subjects: int | None, *,
                  work: Callable[[dict[str, Any], str, int | None], Any] = outcome.run
                  ) -> Any:
        """``work`` (:func:`retrosim.app.outcome.run`, or another module-level function of
        the same arguments) in a process of its own; its answer, or the InputError it raised
        (one line), or RetrosimError if it died or ran out of time. Cancelling the awaiting
        task kills the process."""
        return await self.call(work, (data, source, subjects), what="run",
                               smaller="fewer people or a shorter protocol on this page, or "
                                       "'retrosim run' on the downloaded scenario")

    async def call(self, target: Callable[..., Any], args: tuple[Any, ...], *, what: str,
                   smaller: str) -> Any:
        """``target(*args)`` (a module-level function) in a process of its own, within the
        budget: its answer, or the InputError it raised, or RetrosimError if it died; over
        its time, an InputError naming ``what`` took too long and suggesting ``smaller``."""
        left = self.budget.session_s - self.used_s
        if left <= 0:
            raise InputError("people", f"this page's runs have taken {self.used_s:,.0f} s, its "
                             "budget", f"{self.budget.session_s:,.0f} s a visit: reload the "
                             "page, or run the downloaded scenario with 'retrosim run'")
        if self.busy:
            raise InputError(what, "a run or a fit is under way",
                             "one at a time: wait, or cancel it")
        seconds = min(self.budget.run_s, left)
        memory = int(self.budget.memory_share * available_memory())
        ctx = _context()
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, target, args, memory),
                           daemon=True, name=f"retrosim-page-{what}")
        self.busy = True
        started = time.monotonic()
        proc.start()
        send.close()
        loop = asyncio.get_running_loop()
        try:
            answer = await asyncio.wait_for(loop.run_in_executor(None, _receive, receive),
                                            seconds)
        except TimeoutError:
            raise InputError("people" if what == "run" else what,
                             f"the {what} took more than {seconds:g} s", smaller) from None
        finally:
            if proc.is_alive():
                proc.kill()                       # cancelled, or out of time: at once
            proc.join()
            receive.close()
            self.used_s += time.monotonic() - started
            self.busy = False
        kind, payload = answer
        if kind == "ok":
            return payload
        if kind == "input":
            raise InputError(*payload)
        raise RetrosimError(payload)


_RUNNERS: weakref.WeakKeyDictionary[Any, Runner] = weakref.WeakKeyDictionary()


def runner_for(owner: Any, budget: Budget | None = None) -> Runner:
    """The one runner of ``owner`` (a visit): made at its first call, with ``budget``."""
    if owner not in _RUNNERS:
        _RUNNERS[owner] = Runner(budget)
    return _RUNNERS[owner]


#: Modules the fork server imports once (a run's own imports take about 2 s otherwise).
PRELOAD = ["retrosim.app.worker", "retrosim.app.outcome", "retrosim.api",
           "retrosim.model.scenario", "retrosim.engine.simulate", "retrosim.engine.controlled",
           "retrosim.engine.programme", "retrosim.events", "retrosim.results.dataset",
           "retrosim.results.intervals", "retrosim.results.programme",
           "retrosim.fit.workflow", "retrosim.fit.formats"]


def _context() -> Any:
    """Where run processes come from: a fork server that has imported the run path once
    (each run starts in milliseconds, from a process with no threads and no sockets of the
    server's), else (Windows) a fresh interpreter (``spawn``)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")       # pragma: no cover (Windows)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _receive(receive: Any) -> tuple[str, Any]:
    try:
        return receive.recv()
    except (EOFError, OSError):
        return "died", ("the run stopped without an answer (it may have run out of memory: "
                        "try fewer people)")


def _child(send: Any, target: Callable[..., Any], args: tuple[Any, ...], memory: int) -> None:
    """The run (``target(*args)``), in the worker process: its address space limited to
    ``memory`` more than it holds now, its answer sent back as ("ok", the answer), ("input",
    the InputError's fields) or ("crash", one line)."""
    _confine(memory)
    try:
        answer: tuple[str, Any] = ("ok", target(*args))
    except InputError as err:
        answer = ("input", (err.key, err.problem, err.allowed, err.source))
    except MemoryError:
        answer = ("crash", "the run ran out of memory: try fewer people")
    except Exception as err:                        # one line for the page, never a trace
        text = (str(err).splitlines() or [""])[0]
        answer = ("crash", f"the run failed: {type(err).__name__}: {text}")
    try:
        send.send(answer)
    except MemoryError:                                      # pragma: no cover
        send.send(("crash", "the result is too large to show: try fewer people"))
    finally:
        send.close()


def _confine(memory: int) -> None:
    """Limit this process's address space to what it holds now plus ``memory`` bytes."""
    try:
        import resource
    except ImportError:                                      # pragma: no cover (Windows)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = int(psutil.Process().memory_info().vms) + max(memory, 0)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
