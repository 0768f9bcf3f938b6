"""Tests that look inside the running server through /proc (netlab.procinfo): zombie children,
descriptors left open per connection, a listening socket kept by the children, a process that
spins the CPU after its client left (section 4.7)."""
import os
import signal

from lineclient import Client, wait_no_children
from netlab import procinfo
from netlab.feedback import Failure


def test_no_zombies(server):
    clients = [Client(server, "::1" if i % 2 else "127.0.0.1") for i in range(20)]
    for c in clients:
        c.ask(b"PING\n", b"PONG\n")
    for c in clients[:10]:
        c.close()
    for c in clients[10:]:
        c.ask(b"QUIT\n", b"BYE\n")
        c.close()
    wait_no_children(server, "20 clients connected, got PONG and left (10 of them with QUIT)")
    # Ten children exit while the server is stopped: when it goes on, the ten SIGCHLD have become
    # one, which must be enough to reap them all.
    clients = [Client(server) for _ in range(10)]
    for c in clients:
        c.ask(b"PING\n", b"PONG\n")
    os.kill(server.pid, signal.SIGSTOP)
    try:
        for c in clients:
            c.close()
        procinfo.wait_until(lambda: len(procinfo.zombies(server.pid)) == 10, 5 * server.factor)
    finally:
        os.kill(server.pid, signal.SIGCONT)
    wait_no_children(server, "10 clients left while the server was stopped (SIGSTOP), so that "
                     "their children's ten SIGCHLD reached it as one; then let it go on (SIGCONT)",
                     hint="signals of one kind do not queue: one SIGCHLD may stand for several "
                     "children, so reap in a loop, waitpid(-1, NULL, WNOHANG) until it returns 0 "
                     "(section 3.4)")


def test_no_descriptor_leak(server):
    before = procinfo.open_fds(server.pid)
    for i in range(40):
        with Client(server, "::1" if i % 2 else "127.0.0.1") as c:
            c.ask(b"PING\n", b"PONG\n")
    wait_no_children(server, "40 clients, one after the other, connected, got PONG and left")
    if not procinfo.wait_until(lambda: procinfo.fd_count(server.pid) <= len(before), 5 * server.factor):
        after = procinfo.open_fds(server.pid)
        extra = {fd: what for fd, what in after.items() if before.get(fd) != what}
        raise Failure("served 40 clients one after the other, and looked at /proc/PID/fd of the "
                      "server (the parent process)",
                      f"as many descriptors open as before: {len(before)}",
                      f"{len(after)}; new ones: " + ", ".join(f"{fd} -> {w}" for fd, w in list(extra.items())[:8]),
                      "after fork(), the parent closes its copy of the connected socket: the child "
                      "has its own (section 3.4)")


def test_child_closes_listener(server):
    listening = {s.inode for s in procinfo.tcp_find(local_port=server.port, state="LISTEN")}
    with Client(server) as c:
        c.ask(b"PING\n", b"PONG\n")
        kids = [k for k in procinfo.children(server.pid) if not k.zombie]
        if len(kids) != 1:
            raise Failure(c.did(), "one child process serving the connection", f"{len(kids)}",
                          "fork() one process per connection (section 3.4)")
        sockets = procinfo.socket_inodes(kids[0].pid)
        kept = [fd for fd, inode in sockets.items() if inode in listening]
        if kept:
            raise Failure(c.did() + ", and looked at /proc/PID/fd of the child serving it",
                          "the child holds its connection, not the listening socket",
                          f"the listening socket is open in the child as descriptor {kept[0]}",
                          "close the listening socket in the child right after fork(): a child that "
                          "keeps it keeps the port listening after the server stopped (section 3.4)")
        if len(sockets) != 1:
            raise Failure(c.did() + ", and looked at /proc/PID/fd of the child serving it",
                          "exactly one socket open in the child: its connection",
                          f"{len(sockets)} sockets (descriptors {', '.join(map(str, sockets))})",
                          "the child needs its connection only (section 3.4)")


def test_no_spinning(server):
    with Client(server) as c:
        c.ask(b"PING\n", b"PONG\n")
    with Client(server, "127.0.0.1") as c:
        c.send(b"ECHO unfinished")
        c.wait_server_read_all()
    wait_no_children(server, "two clients left, one of them in the middle of a line")
    used = procinfo.cpu_during([server.pid], 0.5)[server.pid]
    if used > 0.1:
        raise Failure("let the server sit idle for 0.5 s with no client", "about no CPU used",
                      f"{used:.2f} s of CPU", "wait for connections in a blocking call (pselect or "
                      "accept), never in a loop that polls (section 3.5)")
