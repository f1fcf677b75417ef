"""The brief's charts drawn by a forked child while the parent renders (``ChartsDrawing``)."""

import contextlib
import ctypes
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable

# A child that sends nothing for this long is stopped and the charts it owes are drawn here: a
# fork of a process with threads can, rarely, inherit a lock some other thread held, and the brief
# must not wait on it forever (the nine charts take about a second).
CHILD_SILENCE_S = 60.0

class ChartsDrawing:
    """Charts being drawn by a forked child while this process goes on (the template, the PDF's
    layout): ``drawing[name]`` is a chart's SVG, waiting for it if it is not drawn yet.

    matplotlib is pure CPU under one interpreter lock, and the brief's nine charts were a fifth of
    its render; the child draws them in the order given (the order they appear in the brief), one
    message each. Each drawing forks its own child: nothing to keep between renders, nothing to
    import. Where fork is not available, or with ``fork=False``, a chart is drawn here when asked;
    so are the charts a child still owes after ``silence_s`` without a message."""

    def __init__(self, jobs: dict[str, Callable[[], str]], fork: bool = True,
                 silence_s: float = CHILD_SILENCE_S):
        self._jobs, self._drawn, self._child, self._silence_s = dict(jobs), {}, None, silence_s
        if fork and len(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._child = context.Process(target=_draw_into, args=(send, self._receive, self._jobs, os.getpid()),
                                          name="flopcast-charts")
            self._child.start()
            send.close()

    def __contains__(self, name: str) -> bool:
        return name in self._jobs

    def __getitem__(self, name: str) -> str:
        if name not in self._jobs:
            raise KeyError(name)
        if self._child is None:
            if name not in self._drawn:
                self._drawn[name] = self._jobs[name]()
            return self._drawn[name]
        while name not in self._drawn:
            if not self._receive.poll(self._silence_s):
                self._stop_child()  # silent too long: draw what is left here
                return self[name]
            try:
                kind, key, payload = self._receive.recv()
            except EOFError:
                self.close()
                raise RuntimeError("the chart drawing process ended without drawing every chart") from None
            if kind == "error":
                self.close()
                raise RuntimeError(f"drawing the chart {key} failed:\n{payload}")
            self._drawn[key] = payload
        return self._drawn[name]

    def all(self) -> dict[str, str]:
        """Every chart's SVG, in the order of the jobs (the child ends here)."""
        try:
            return {name: self[name] for name in self._jobs}
        finally:
            self.close()

    def close(self) -> None:
        if self._child is not None:
            self._receive.close()
            self._child.join()
            self._child = None

    def _stop_child(self) -> None:
        self._receive.close()
        self._child.kill()
        self._child.join()
        self._child = None


def _die_with(parent: int) -> None:
    """Linux: this child is killed when the parent dies (``PR_SET_PDEATHSIG``). A killed run must
    not leave it drawing on: it holds copies of the parent's files, the run lock's among them."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the request
        os._exit(1)


def _draw_into(send, receive, jobs: dict[str, Callable[[], str]], parent: int) -> None:
    _die_with(parent)
    receive.close()  # the parent's end, inherited: with it open here a send could wait for itself
    name = None
    try:
        for name, job in jobs.items():
            send.send(("svg", name, job()))
    except BrokenPipeError:
        pass  # the parent stopped listening (it failed, or closed the drawing early): nothing to tell
    except BaseException:  # noqa: BLE001 - the parent raises it, with the child's traceback
        with contextlib.suppress(OSError):
            send.send(("error", name, traceback.format_exc()))
    finally:
        send.close()
