import errno

import pytest

from platform_cli.errors import DaemonBusyError, DataDirError, ExitCode
from platform_cli.procman.atomicfile import write_atomic
from platform_cli.procman.datadir import data_dir_error
from platform_cli.procman.lock import DataDirLock


def test_a_second_holder_waits_and_gives_up_at_its_deadline(tmp_path):
    with DataDirLock(tmp_path):
        with pytest.raises(DaemonBusyError, match="another platform command"):
            with DataDirLock(tmp_path, wait_s=0.1):
                pass
    with DataDirLock(tmp_path, wait_s=0.1):  # released on exit
        pass


def test_the_lock_is_created_in_the_data_dir_even_when_it_does_not_exist_yet(tmp_path):
    with DataDirLock(tmp_path / "new" / "data") as lock:
        assert lock.path.exists()


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "record.json"
    write_atomic(target, "old")

    class Boom(Exception):
        pass

    class Exploding(str):
        def encode(self):
            raise Boom

    with pytest.raises(Boom):
        write_atomic(target, Exploding("new"))
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_disk_errors_name_the_directory_and_the_cause(tmp_path):
    error = data_dir_error(OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x")), tmp_path)
    assert isinstance(error, DataDirError) and error.exit_code == ExitCode.DATA_DIR
    assert error.message.startswith(f"cannot write the data dir {tmp_path}: no space left on device")
    assert "read-only file system" in data_dir_error(OSError(errno.EROFS, "Read-only file system"), tmp_path).message
