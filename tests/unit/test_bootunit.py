"""The boot unit and cron line quote what systemd and cron would otherwise expand or split."""

from pathlib import Path

import pytest

from platform_cli.errors import ConfigError
from platform_cli.procman.bootunit import BootSpec, make_boot_spec, render_cron_line, render_unit, unit_name

SPEC = BootSpec(Path("/home/ann/my app %h/Procfile"), Path("/home/ann/my app %h/data"), ("/venv/bin/platform",), "/venv/bin:/usr/bin:/bin")


def test_exec_lines_quote_spaces_and_escape_specifiers():
    lines = render_unit(SPEC).splitlines()
    assert 'ExecStart=/venv/bin/platform -f "/home/ann/my app %%h/Procfile" --data-dir "/home/ann/my app %%h/data" up' in lines
    assert "WorkingDirectory=/home/ann/my app %%h" in lines


def test_exec_lines_escape_dollars_which_systemd_would_expand():
    spec = BootSpec(Path("/srv/$HOME/Procfile"), Path("/srv/$HOME/data"), ("/venv/bin/platform",), "/usr/bin")
    assert 'ExecStop=/venv/bin/platform -f "/srv/$$HOME/Procfile" --data-dir "/srv/$$HOME/data" down' in render_unit(spec).splitlines()


def test_the_cron_line_quotes_for_the_shell_and_escapes_percent_signs():
    line = render_cron_line(SPEC)
    assert line.startswith("@reboot cd '/home/ann/my app \\%h' && ")
    assert "-f '/home/ann/my app \\%h/Procfile' --data-dir '/home/ann/my app \\%h/data' up >> '/home/ann/my app \\%h/data/boot.log' 2>&1" in line


def test_two_checkouts_of_one_project_get_two_units():
    first, second = unit_name(Path("/a/shop/Procfile")), unit_name(Path("/b/shop/Procfile"))
    assert first.startswith("platform-shop-") and second.startswith("platform-shop-") and first != second


def test_a_path_with_a_line_break_is_refused_rather_than_written_into_the_unit():
    with pytest.raises(ConfigError, match="line break"):
        make_boot_spec(Path("/tmp/a\nExecStartPre=/bin/evil/Procfile"), Path("/tmp/data"))
