"""Start, watch and stop the processes a benchmark or ``make prod-local`` runs (Linux only).

Every process is started in its own session (process group) with its output in a log file and,
when asked, its PID in a file, so that whoever started it can stop exactly it and its children.
CPU time and memory are read from ``/proc``: utime+stime survive a noisy machine better than
wall-clock figures, and PSS counts shared pages fairly between gunicorn workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    name: str
    pid: int
    log: Path
    pidfile: Path | None = None

    def alive(self) -> bool:
        return alive(self.pid)


def spawn(name: str, argv: list[str], *, log: Path, env: Mapping[str, str] | None = None, cwd: Path | None = None,
          pidfile: Path | None = None) -> Proc:
    """Start ``argv`` in a new session; output (stdout and stderr) goes to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        child = subprocess.Popen(  # noqa: S603 — argv is built by our own scripts
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
            env=dict(env) if env is not None else None, start_new_session=True,
        )
    if pidfile is not None:
        pidfile.parent.mkdir(parents=True, exist_ok=True)
        pidfile.write_text(f"{child.pid}\n")
    return Proc(name, child.pid, log, pidfile)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def stop(pid: int, timeout: float = 10.0, sig: int = signal.SIGTERM) -> None:
    """Stop the process group led by ``pid`` (SIGTERM, then SIGKILL after ``timeout`` seconds)."""
    for current in (sig, signal.SIGKILL):
        try:
            os.killpg(pid, current)
        except ProcessLookupError:
            _reap(pid)
            return
        except PermissionError:
            os.kill(pid, current)
        deadline = time.monotonic() + (timeout if current != signal.SIGKILL else 5)
        while time.monotonic() < deadline:
            _reap(pid)
            if not alive(pid):
                return
            time.sleep(0.05)


def stop_pidfile(pidfile: Path, timeout: float = 10.0) -> bool:
    """Stop the process whose PID the file holds, then remove the file. False when nothing ran."""
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    running = alive(pid)
    if running:
        stop(pid, timeout)
    pidfile.unlink(missing_ok=True)
    return running


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(host: str, port: int, timeout: float = 30.0, proc: Proc | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited before listening on {host}:{port}; see {proc.log}")
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


def wait_port_closed(host: str, port: int, timeout: float = 10.0) -> None:
    """Until ``port`` refuses connections: a killed server's socket keeps accepting them (into a
    backlog nobody reads) until the last process holding it is gone. Only a refusal counts: a
    connection that times out (a full backlog) means the socket is still there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
        except ConnectionRefusedError:
            return
        except OSError:
            pass
        time.sleep(0.01)
    raise TimeoutError(f"{host}:{port} still accepts connections after {timeout:.0f} s")


def wait_http(url: str, timeout: float = 30.0, proc: Proc | None = None) -> None:
    """Wait until ``url`` answers with a status below 500."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 — a local URL we built
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
            last = exc
        except OSError as exc:
            last = exc
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited before answering {url}; see {proc.log}")
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s (last: {last})")


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (for gunicorn: its workers)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(x) for x in task.read_text().split())
        except OSError:
            continue
    return found


def cpu_seconds(pids: Iterable[int]) -> float:
    """utime + stime of the given processes, in seconds (processes that are gone count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def machine_cpu_seconds() -> float:
    """All CPU time the machine has spent busy (user+nice+system+irq+softirq+steal), in seconds."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def pss_kb(pid: int) -> int:
    """Proportional set size of one process, in KiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
