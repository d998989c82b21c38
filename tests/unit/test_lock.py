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
    # exclusive: the temporary copy is written whole, then linking it over an existing file fails.
    with pytest.raises(FileExistsError):
        write_atomic(target, "new", exclusive=True)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["record.json"]
    # A rename that fails (a non-empty folder where the file should be) leaves no temp file either.
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "inside").touch()
    with pytest.raises(OSError):
        write_atomic(tmp_path / "taken", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.json", "taken"]


def test_an_atomic_write_is_0600_unless_given_a_mode(tmp_path):
    import stat

    write_atomic(tmp_path / "secret", "s")
    write_atomic(tmp_path / "public", "p", mode=0o644)
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "public").stat().st_mode) == 0o644


def test_disk_errors_name_the_directory_and_the_cause(tmp_path):
    error = data_dir_error(OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x")), tmp_path)
    assert isinstance(error, DataDirError) and error.exit_code == ExitCode.DATA_DIR
    assert error.message.startswith(f"cannot write the data dir {tmp_path}: no space left on device")
    assert "read-only file system" in data_dir_error(OSError(errno.EROFS, "Read-only file system"), tmp_path).message
