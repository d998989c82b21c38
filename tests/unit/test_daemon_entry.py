import os
import signal

from platform_cli.procman.daemon_entry import backoff_delay, describe_exit


def test_backoff_doubles_from_one_second_up_to_the_cap():
    assert [backoff_delay(tries, cap=10) for tries in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_exit_is_described_as_a_code_or_a_signal_name():
    assert describe_exit(3 << 8) == "3"
    assert describe_exit(0) == "0"
    assert describe_exit(signal.SIGKILL) == "SIGKILL"
    assert describe_exit(signal.SIGTERM) == "SIGTERM"
    assert os.WIFSIGNALED(60) and describe_exit(60) == "SIG60"


def test_the_supervisor_internals_daemon_entry_patches_are_still_there():
    from supervisor import dispatchers, http, process, supervisord

    for owner, name in ((supervisord.Supervisor, "runforever"), (supervisord.Supervisor, "reap"),
                        (supervisord.Supervisor, "ordered_stop_groups_phase_2"), (supervisord.Supervisor, "stop_groups"),
                        (process.Subprocess, "spawn"), (process.Subprocess, "change_state"), (process.Subprocess, "finish"),
                        (process.Subprocess, "_check_and_adjust_for_system_clock_rollback"),
                        (dispatchers.POutputDispatcher, "_log"), (dispatchers.POutputDispatcher, "close"),
                        (dispatchers.POutputDispatcher, "_init_normallog"),
                        (http.deferring_http_channel, "ac_out_buffer_size")):
        assert hasattr(owner, name) or name in getattr(owner.__init__, "__code__").co_names, f"upstream changed {owner.__name__}.{name}"
