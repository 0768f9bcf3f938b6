"""netlab.procinfo against processes and sockets made here, whose truth is known: children and
zombies, descriptors and their flags, TCP sockets and their queues, CPU time, waiting."""
import os
import socket
import subprocess
import sys
import time

import pytest

from netlab import procinfo

# Forks a child that exits at once (never waited for: a zombie) and one that sleeps.
PARENT = """
import os, signal, sys, time
if os.fork() == 0:
    os._exit(0)
if os.fork() == 0:
    signal.pause()
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def parent():
    proc = subprocess.Popen([sys.executable, "-c", PARENT], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, start_new_session=True)
    assert proc.stdout.readline() == b"ready\n"
    try:
        yield proc
    finally:
        os.killpg(proc.pid, 9)
        proc.wait(timeout=10)


def test_children_and_zombies(parent):
    assert procinfo.wait_until(lambda: len(procinfo.zombies(parent.pid)) == 1, 10)
    kids = procinfo.children(parent.pid)
    assert len(kids) == 2 and {k.state for k in kids} >= {"Z"}
    assert all(k.ppid == parent.pid and k.pgrp == parent.pid for k in kids)
    assert [k.pid for k in procinfo.descendants(parent.pid)] == [k.pid for k in kids]
    assert {st.pid for st in procinfo.group(parent.pid)} == {parent.pid} | {k.pid for k in kids}
    assert procinfo.alive(parent.pid) and not procinfo.alive(procinfo.zombies(parent.pid)[0].pid)
    assert procinfo.state(parent.pid) in ("S", "R")


def test_a_process_that_is_gone():
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert procinfo.stat(proc.pid) is None and procinfo.state(proc.pid) is None
    assert procinfo.open_fds(proc.pid) == {} and procinfo.cpu_seconds(proc.pid) == 0.0
    assert procinfo.fd_flags(proc.pid, 0) is None


def _unread(client):
    """Bytes the other end of client's connection received but did not read."""
    side = procinfo.peer_of(client)
    return side.rx_queue if side else None


def test_descriptors_sockets_and_queues():
    listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    listener.bind(("::1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = socket.create_connection(("::1", port), timeout=10)
    server_side, _ = listener.accept()
    try:
        listening = procinfo.tcp_find(local_port=port, state="LISTEN")
        assert [s.local for s in listening] == [("::1", port)]
        inodes = procinfo.socket_inodes(os.getpid())
        assert inodes[listener.fileno()] == listening[0].inode
        assert procinfo.open_fds(os.getpid())[listener.fileno()].startswith("socket:[")
        client.sendall(b"0123456789")  # the server side does not read: 10 bytes wait in its queue
        assert procinfo.wait_until(lambda: _unread(client) == 10, 10)
        side = procinfo.peer_of(client)
        assert side.state == "ESTABLISHED" and side.local == ("::1", port)
        assert side.remote == ("::1", client.getsockname()[1])
        server_side.recv(10)
        assert procinfo.wait_until(lambda: _unread(client) == 0, 10)
        assert procinfo.is_nonblocking(os.getpid(), server_side.fileno()) is False
        server_side.setblocking(False)
        assert procinfo.is_nonblocking(os.getpid(), server_side.fileno()) is True
    finally:
        for s in (client, server_side, listener):
            s.close()


def test_ipv4_addresses_are_read_in_the_right_byte_order():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.2", 0))
    listener.listen(1)
    try:
        port = listener.getsockname()[1]
        assert [s.local for s in procinfo.tcp_find(local_port=port)] == [("127.0.0.2", port)]
    finally:
        listener.close()


def test_cpu_during_tells_spinning_from_sleeping():
    spin = subprocess.Popen([sys.executable, "-c", "print('go', flush=True)\nwhile True: pass"],
                            stdout=subprocess.PIPE)
    sleep = subprocess.Popen([sys.executable, "-c", "import time; print('go', flush=True); "
                              "time.sleep(60)"], stdout=subprocess.PIPE)
    try:
        assert spin.stdout.readline() == sleep.stdout.readline() == b"go\n"
        used = procinfo.cpu_during([spin.pid, sleep.pid], 1.0)
        assert used[spin.pid] > 0 and used[sleep.pid] == 0, used
    finally:
        for p in (spin, sleep):
            p.kill()
            p.wait(timeout=10)


def test_wait_until_ends_when_the_condition_holds_or_at_the_deadline():
    t0 = time.monotonic()
    assert procinfo.wait_until(lambda: 42, 10) == 42
    assert time.monotonic() - t0 < 1
    t0 = time.monotonic()
    assert procinfo.wait_until(lambda: [], 0.2) == []
    assert 0.2 <= time.monotonic() - t0 < 5
