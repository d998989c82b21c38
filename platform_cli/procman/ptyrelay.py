"""A process with `tty = true`: run under a pseudo-terminal that `platform attach` can reach.

supervisord gives a program pipes, not a terminal, so an interactive debugger (a Python
`breakpoint()`, pdb, irb) has no keyboard. A program with `tty = true` is launched through this
small parent instead:

    python -m platform_cli.procman.ptyrelay SOCKET -- COMMAND

It runs COMMAND (through /bin/sh) on a new pseudo-terminal, copies everything the program writes
to its own stdout (so supervisord's log and `platform logs` still have it) and to the one client
attached on the unix socket SOCKET (0600 in a 0700 folder of the data dir), and passes what that
client types to the program. A client that disconnects (`platform attach` detaches on Ctrl-])
leaves the program running. Signals are forwarded to the program's process group (it has a
session of its own, as a terminal's foreground job does), and the program is killed with this
parent (PR_SET_PDEATHSIG), so supervisord's stop and kill still reach it.
"""

from __future__ import annotations

import ctypes
import errno
import os
import pty
import selectors
import signal
import socket
import sys

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> int:
    try:
        split = argv.index("--")
        (socket_path,) = argv[:split]
        command = " ".join(argv[split + 1:])
    except ValueError:
        print("usage: ptyrelay SOCKET -- COMMAND", file=sys.stderr)
        return 2
    pid, master = pty.fork()
    if pid == 0:  # the program: on the terminal, killed if this parent dies
        if sys.platform == "linux":
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        os.execv("/bin/sh", ["/bin/sh", "-c", command])
    for sig in FORWARDED:
        signal.signal(sig, lambda signum, frame: _forward(pid, signum))
    server = _listen(socket_path)
    try:
        return _relay(pid, master, server)
    finally:
        server.close()
        try:
            os.unlink(socket_path)
        except FileNotFoundError:
            pass


def _forward(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass


def _listen(path: str) -> socket.socket:
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    try:
        os.unlink(path)  # a socket left by a run that was killed
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)  # 0600 from the start: nobody else may type into the program
    try:
        server.bind(path)
    finally:
        os.umask(old)
    server.listen(1)
    server.setblocking(False)
    return server


def _relay(pid: int, master: int, server: socket.socket) -> int:
    selector = selectors.DefaultSelector()
    selector.register(master, selectors.EVENT_READ, "pty")
    selector.register(server, selectors.EVENT_READ, "server")
    client: socket.socket | None = None
    out = sys.stdout.buffer
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.data == "pty":
                try:
                    data = os.read(master, 65536)
                except OSError as exc:  # EIO: the program closed the terminal (it exited)
                    if exc.errno != errno.EIO:
                        raise
                    data = b""
                if not data:
                    return _exit_status(pid)
                out.write(data.replace(b"\r\n", b"\n"))  # the log wants lines, not a terminal's CR LF
                out.flush()
                if client is not None:
                    try:
                        client.sendall(data)
                    except OSError:
                        selector.unregister(client)
                        client.close()
                        client = None
            elif key.data == "server":
                incoming, _ = server.accept()
                if client is not None:  # one at a time: the newer one takes over
                    selector.unregister(client)
                    client.close()
                client = incoming
                selector.register(client, selectors.EVENT_READ, "client")
            else:
                data = client.recv(4096) if client is not None else b""
                if data:
                    os.write(master, data)
                elif client is not None:  # detached
                    selector.unregister(client)
                    client.close()
                    client = None


def _exit_status(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
