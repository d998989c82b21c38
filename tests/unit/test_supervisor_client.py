import xmlrpc.client

import pytest

from platform_cli.errors import DaemonBusyError, DaemonDownError, ExitCode, NotReadyError, PlatformError
from platform_cli.procman.supervisor import ProcessInfo, SupervisorClient, _fault_error


def test_a_missing_socket_means_the_daemon_is_down(tmp_path):
    with pytest.raises(DaemonDownError) as err:
        SupervisorClient(tmp_path / "nothing.sock").processes()
    assert err.value.exit_code == ExitCode.DAEMON_DOWN
    assert "supervisord is not running" in err.value.message and err.value.hint == "start it with `platform up`"


@pytest.mark.parametrize(
    "code, kind, exit_code, words",
    [
        (50, NotReadyError, ExitCode.NOT_READY, "web: supervisord could not spawn it (FAILED: boom)"),
        (10, PlatformError, ExitCode.FAILURE, "supervisord does not know 'web'"),
        (6, DaemonBusyError, ExitCode.DAEMON_DOWN, "supervisord is shutting down"),
        (30, PlatformError, ExitCode.FAILURE, "supervisord refused: FAILED: boom"),
    ],
)
def test_faults_become_plain_messages(code, kind, exit_code, words):
    error = _fault_error(xmlrpc.client.Fault(code, "FAILED: boom"), ("web",))
    assert type(error) is kind, f"fault {code} became a {type(error).__name__}, not a {kind.__name__}"
    assert error.exit_code == exit_code and error.message == words


def test_process_info_keeps_the_exit_status_only_for_a_dead_process():
    base = {"name": "web", "group": "web", "pid": 0, "start": 0, "now": 100, "exitstatus": 3, "spawnerr": "", "description": ""}
    assert ProcessInfo.from_rpc({**base, "statename": "EXITED"}).exit_status == 3
    running = ProcessInfo.from_rpc({**base, "statename": "RUNNING", "pid": 7, "start": 40})
    assert running.exit_status is None and running.uptime == 60 and running.pid == 7
    assert ProcessInfo.from_rpc({**base, "statename": "STOPPED"}).uptime is None
