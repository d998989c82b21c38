import xmlrpc.client

import pytest

from platform_cli.errors import DaemonDownError, ExitCode, NotReadyError
from platform_cli.procman.supervisor import ProcessInfo, SupervisorClient, _fault_error


def test_a_missing_socket_means_the_daemon_is_down(tmp_path):
    with pytest.raises(DaemonDownError) as err:
        SupervisorClient(tmp_path / "nothing.sock").processes()
    assert err.value.exit_code == ExitCode.DAEMON_DOWN
    assert "supervisord is not running" in err.value.message and err.value.hint == "start it with `platform up`"


@pytest.mark.parametrize(
    "code, kind, words",
    [
        (50, NotReadyError, "web: supervisord could not spawn it"),
        (10, Exception, "supervisord does not know 'web'"),
        (6, DaemonDownError, "shutting down"),
        (30, Exception, "supervisord refused: FAILED: boom"),
    ],
)
def test_faults_become_plain_messages(code, kind, words):
    error = _fault_error(xmlrpc.client.Fault(code, "FAILED: boom"), ("web",))
    assert isinstance(error, kind) and words in error.message


def test_process_info_keeps_the_exit_status_only_for_a_dead_process():
    base = {"name": "web", "group": "web", "pid": 0, "start": 0, "now": 100, "exitstatus": 3, "spawnerr": "", "description": ""}
    assert ProcessInfo.from_rpc({**base, "statename": "EXITED"}).exit_status == 3
    running = ProcessInfo.from_rpc({**base, "statename": "RUNNING", "pid": 7, "start": 40})
    assert running.exit_status is None and running.uptime == 60 and running.pid == 7
    assert ProcessInfo.from_rpc({**base, "statename": "STOPPED"}).uptime is None
