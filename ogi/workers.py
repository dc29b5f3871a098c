"""Normalise documents in worker processes that can be killed, so one file never loses a run.

Why processes and not threads or a try/except: a reader stuck in C (pdfium, lxml,
LibreOffice) cannot be interrupted from Python, and a file that allocates gigabytes takes
the whole process down.  Each document runs in a worker under a time limit (the parent
kills the worker, its LibreOffice process group and its scratch folder when it is over)
and a memory limit (RLIMIT_AS in the worker: the allocation fails inside the worker).
Either way the document becomes a `failed` row with a clear error and a fresh worker
takes the next one.  Results come back in input order, so `--jobs 1` and `--jobs N`
write identical output.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import multiprocessing.connection
import os
import resource
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from normalize import Provenance, Report, normalize_bytes
from normalize.extract import MAX_BYTES
from normalize.report import _base_meta
from normalize.write import Columns, done_row, report_columns

NO_TABLES = "no national template table"
DEPTH = 2  # documents a worker holds: the one it reads and the next, waiting in its pipe


@dataclass(frozen=True)
class Limits:
    """Per-document bounds (`ogi normalize --timeout/--max-memory/--max-bytes`)."""

    seconds: float = 120.0  # above LibreOffice's own timeout (normalize/extract/office.py)
    memory_mb: int = 2048  # new memory a worker may take on top of its code
    max_bytes: int = MAX_BYTES


@dataclass
class Task:
    """One document to normalise.  The worker reads the file itself: bytes never cross a pipe."""

    key: str  # what marks it done (the sha256 for archive blobs)
    path: str  # the file to read (may hold undecodable bytes as surrogates)
    name: str  # printable file name, for format sniffing and messages
    prov: Provenance = field(default_factory=Provenance)
    sha256: str | None = None  # when known without reading (the archive's blob name)
    link_page: bool = False  # a page that links attachments: dropped when it holds no tables


@dataclass
class Result:
    rows: Columns | None  # None: not a report (a page that only links its attachment)
    done: dict
    status: str
    checks_failed: int
    error: str | None
    restart: bool = False  # the worker must be replaced (it hit its memory limit)
    seconds: float = 0.0  # time the document took (for the killed ones: the time limit)
    peak_mb: float = 0.0  # the worker's peak resident memory so far


def display_path(path: str) -> str:
    """A file name as text: UTF-8, else GB18030 (names unzipped from Windows archives), else escaped."""
    raw = os.fsencode(path)
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "backslashreplace")


def failed_report(task: Task, error: str) -> Report:
    """A `failed` row for a document whose bytes were not (fully) read."""
    meta = _base_meta(b"", task.name, task.prov)
    sha = task.sha256
    meta.update(
        sha256=sha,
        report_id=(sha or hashlib.sha256(f"unread:{task.key}".encode()).hexdigest())[:16],
        error=error,
    )
    return Report(meta)


def _result(task: Task, report: Report, restart: bool = False) -> Result:
    status, error = report.status, report.meta.get("error")
    rows = report_columns(report)
    if task.link_page and status == "failed" and NO_TABLES in (error or ""):
        rows = None  # a short page that only links its report: the attachment is the report
    return Result(
        rows,
        done_row(task.key, report, rows is not None),
        status,
        report.meta.get("checks_failed") or 0,
        error,
        restart,
    )


def _over_memory(task: Task, limits: Limits) -> Result:
    message = (
        f"too_large: reading this file needed more than the per-file memory limit of "
        f"{limits.memory_mb} MB (--max-memory)"
    )
    return _result(task, failed_report(task, message), restart=True)


def normalize_task(task: Task, limits: Limits) -> Result:
    """Read (size checked first) and normalise one document; never raises for bad input."""
    t0 = time.monotonic()
    try:
        result = _normalize_task(task, limits)
    except MemoryError:
        result = _over_memory(task, limits)
    result.seconds = time.monotonic() - t0
    result.peak_mb = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss can carry a parent's over exec)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _normalize_task(task: Task, limits: Limits) -> Result:
    try:
        size = os.stat(task.path).st_size
        if size > limits.max_bytes:
            return _result(
                task,
                failed_report(
                    task,
                    f"too_large: the file is {size:,} bytes, over the "
                    f"per-file limit of {limits.max_bytes:,} (--max-bytes)",
                ),
            )
        with open(task.path, "rb") as fh:
            data = fh.read(size + 1)  # read(n) allocates n bytes: never ask for more than the file
            if len(data) > size and fh.read(limits.max_bytes):
                return _result(
                    task,
                    failed_report(task, "too_large: the file grew past the per-file limit while it was read"),
                )
    except OSError as exc:
        return _result(task, failed_report(task, f"unreadable: cannot read the file ({exc.strerror or exc})"))
    report = normalize_bytes(data, task.name, task.prov)
    if "MemoryError" in (report.meta.get("error") or ""):
        del data
        return _over_memory(task, limits)
    return _result(task, report)


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _watch_run(run_pid: int, scratch: str, lo_group) -> None:
    """End this worker (and its LibreOffice) when the run that started it is gone.

    A run killed with kill -9 cannot stop its workers; a worker busy with a long file would
    go on writing into a scratch folder that the next run has already removed.
    """
    while Path(f"/proc/{run_pid}").exists():
        time.sleep(0.5)
    if lo_group.value:
        with contextlib.suppress(OSError):
            os.killpg(lo_group.value, signal.SIGKILL)
    shutil.rmtree(scratch, ignore_errors=True)
    os._exit(1)


def _worker_main(conn, limits: Limits, scratch: str, lo_group, run_pid: int = 0) -> None:
    """Loop: receive a Task, send a Result; exit on None or after a memory error."""
    from normalize.extract import office

    if run_pid:
        threading.Thread(target=_watch_run, args=(run_pid, scratch, lo_group), daemon=True).start()
    from normalize.extract.ocr import show_ocr_progress

    show_ocr_progress()  # "OCR page 3/12" on stderr: scans take seconds per page
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = scratch  # LibreOffice profiles and copies land here; the parent removes it
    office.GROUP_HOOK = lambda pgid: setattr(lo_group, "value", pgid)
    if limits.memory_mb > 0:
        soft = _vm_bytes() + limits.memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    conn.send("ready")  # the time limit starts counting when a worker can actually work
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            result = normalize_task(task, limits)
        except Exception as exc:  # noqa: BLE001 - a bug outside the readers: one failed row, not a dead run
            result = _result(task, failed_report(task, f"crashed: {exc.__class__.__name__} in the worker"))
        conn.send(result)
        if result.restart:
            os._exit(0)


class _Worker:
    def __init__(self, ctx, limits: Limits):
        self.scratch = tempfile.mkdtemp(prefix=f"ogi-worker-{os.getpid()}-")
        self.conn, child = ctx.Pipe()
        self.lo_group = ctx.Value("i", 0, lock=False)
        self.proc = ctx.Process(
            target=_worker_main, args=(child, limits, self.scratch, self.lo_group, os.getpid()), daemon=True
        )
        self.proc.start()
        child.close()
        self.ready = False
        self.queue: deque[int] = deque()  # indices sent, in order; the head is the one being read
        self.deadline = 0.0  # when the head's time is up

    def check_ready(self) -> bool:
        """True once the worker has started (its first message); raises if it died starting."""
        if not self.ready and self.conn.poll():
            try:
                self.ready = self.conn.recv() == "ready"
            except (EOFError, OSError) as exc:
                self.proc.join(5)
                raise RuntimeError(f"a normalise worker could not start ({_death(self.proc)})") from exc
        return self.ready

    def give(self, index: int, task: Task, seconds: float) -> None:
        if not self.queue:  # an idle worker starts on it now
            self.deadline = time.monotonic() + seconds
        self.queue.append(index)
        self.conn.send(task)

    def done_head(self, seconds: float) -> int:
        """The head document is answered: the next one in the pipe starts now."""
        index = self.queue.popleft()
        self.deadline = time.monotonic() + seconds
        return index

    def stop(self, kill: bool) -> None:
        """End the worker (and any LibreOffice it started); remove its scratch folder."""
        if kill or self.proc.is_alive():
            if self.lo_group.value:
                try:
                    os.killpg(self.lo_group.value, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            if kill:
                self.proc.kill()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _kill_users(folder: Path) -> None:
    """Kill processes still working in `folder`: LibreOffice runs in its own process group,
    so a kill -9 of the run's group leaves it converting (and writing) for up to its timeout."""
    needle = str(folder).encode()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if needle in (proc / "cmdline").read_bytes():
                    os.kill(int(proc.name), signal.SIGKILL)


def _remove_stale_scratch() -> None:
    """Scratch folders of runs that were killed (kill -9 leaves no one to remove them)."""
    for folder in Path(tempfile.gettempdir()).glob("ogi-worker-*-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _kill_users(folder)
            shutil.rmtree(folder, ignore_errors=True)


def _context():
    from ogi.launch import context  # the fork server may be running already (ogi/launch.py)

    return context()


def _death(proc) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        hint = " (out of memory?)" if -code == signal.SIGKILL else ""
        return f"crashed: the reader process was killed by {name}{hint}"
    return f"crashed: the reader process exited with code {code}"


def _timeout(task: Task, limits: Limits) -> Result:
    result = _result(
        task,
        failed_report(
            task,
            f"timeout: reading took longer than the per-file limit of {limits.seconds:g} s "
            "(--timeout); stopped",
        ),
    )
    result.seconds = limits.seconds
    return result


def _answer(w: _Worker, task: Task, limits: Limits) -> tuple[Result | None, bool]:
    """The head document's result if there is one (or its failure if the worker died or ran
    out of time), and whether the worker must be replaced."""
    try:
        if w.conn.poll():
            result = w.conn.recv()
            return result, result.restart
    except (EOFError, OSError):
        w.proc.join(5)
        return _result(task, failed_report(task, _death(w.proc))), True
    if time.monotonic() > w.deadline:
        return _timeout(task, limits), True
    return None, False


def run(
    tasks: Iterable[Task], jobs: int = 0, limits: Limits = Limits(), depth: int = DEPTH
) -> Iterator[tuple[Task, Result]]:
    """Normalise tasks in `jobs` worker processes (0: one per core); yield results in input order.

    Each worker holds up to `depth` documents: the one it reads and the next ones waiting in
    its pipe, so it never idles while the parent writes.  The time limit counts for the
    document being read only (from when the one before it was answered).  When a worker has to
    be replaced, the documents still waiting in its pipe go to the next free worker.
    """
    jobs = jobs or os.cpu_count() or 1
    _remove_stale_scratch()
    ctx = _context()
    source = enumerate(tasks)
    retry: deque[int] = deque()  # documents a replaced worker never started
    workers = [_Worker(ctx, limits) for _ in range(jobs)]
    given: dict[int, Task] = {}
    ready: dict[int, Result] = {}
    window = max(64, jobs * 16)  # results wait here for a slow document before them: keep workers busy
    next_out = 0
    exhausted = False
    try:
        while True:
            for w in sorted(workers, key=lambda w: len(w.queue)):
                while len(w.queue) < depth and w.check_ready():
                    if retry:
                        index = retry.popleft()
                    elif exhausted or len(given) >= window:
                        break
                    else:
                        try:
                            index, task = next(source)
                        except StopIteration:
                            exhausted = True
                            break
                        given[index] = task
                    w.give(index, given[index], limits.seconds)
            while next_out in ready:
                yield given.pop(next_out), ready.pop(next_out)
                next_out += 1
            busy = [w for w in workers if w.queue]
            if not busy and exhausted and not retry:
                return
            starting = [w for w in workers if not w.ready]
            wait = max(0.0, min(w.deadline for w in busy) - time.monotonic()) if busy else 1.0
            mp.connection.wait([w.conn for w in busy + starting], timeout=min(wait, 1.0))
            for i, w in enumerate(workers):
                while w.queue:
                    result, replace = _answer(w, given[w.queue[0]], limits)
                    if result is None:
                        break
                    ready[w.done_head(limits.seconds)] = result
                    if replace:
                        retry.extendleft(reversed(w.queue))  # never started: they go first, in order
                        w.queue.clear()
                        w.stop(kill=True)
                        workers[i] = _Worker(ctx, limits)
                        break
    finally:
        for w in workers:
            try:
                if not w.queue:
                    w.conn.send(None)
            except OSError:
                pass
            w.stop(kill=bool(w.queue))
