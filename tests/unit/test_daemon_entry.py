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


