"""daemon_entry's wakeup dispatcher: it ends supervisord's wait for events and does nothing else."""

import os

from platform_cli.procman.daemon_entry import WakeupDispatcher


class NoCalls:
    """A supervisor that fails any use: the dispatcher must not reap (or do anything) amid the
    loop's turns, where a reap closes pipes the same turn still reads (see WakeupDispatcher)."""

    def __getattr__(self, name):
        raise AssertionError(f"the wakeup dispatcher used supervisor.{name}")


def test_it_drains_the_wakeup_pipe_and_leaves_the_reap_to_the_loop():
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    try:
        os.write(write_fd, b"\x11" * 3000)  # many signals since the last turn
        WakeupDispatcher(read_fd, NoCalls()).handle_read_event()
        try:
            left = os.read(read_fd, 1)
        except BlockingIOError:
            left = b""
        assert left == b""
    finally:
        os.close(read_fd)
        os.close(write_fd)
