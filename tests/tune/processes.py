"""Processes a test started, found by their session id: each server or Ray node is started in a new
session, and everything it spawns stays in that session. Tests end only these, never by name."""

from __future__ import annotations

import ipaddress
import os
import signal
import time

import psutil


def in_session(sid: int) -> list[psutil.Process]:
    found = []
    for pid in psutil.pids():
        try:
            if os.getsid(pid) == sid:
                found.append(psutil.Process(pid))
        except (OSError, psutil.Error):
            continue
    return found


def end_session(sid: int, sig: int = signal.SIGKILL, timeout: float = 30) -> None:
    """Send ``sig`` to every process of the session; wait until none is left."""
    deadline = time.monotonic() + timeout
    while (left := in_session(sid)) and time.monotonic() < deadline:
        for process in left:
            try:
                process.send_signal(sig)
            except psutil.Error:
                pass
        psutil.wait_procs(left, timeout=2)
    if left:
        raise TimeoutError(f"processes of session {sid} still alive: {[p.pid for p in left]}")


def listening(processes: list[psutil.Process]) -> list[tuple[int, str, str, int]]:
    """(pid, name, address, port) of every listening TCP socket of ``processes``."""
    found = []
    for process in processes:
        try:
            for connection in process.net_connections(kind="inet"):
                if connection.status == psutil.CONN_LISTEN:
                    found.append((process.pid, process.name(), connection.laddr.ip, connection.laddr.port))
        except psutil.Error:
            continue
    return found


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_loopback or bool(getattr(ip, "ipv4_mapped", None) and ip.ipv4_mapped.is_loopback)
