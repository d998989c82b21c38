"""startup, unstartup: start this project at boot (PM2's `startup`), and stop doing so."""

from __future__ import annotations

import typer

from platform_cli.workspace import Workspace


def startup(ctx: typer.Context) -> None:
    """Run `platform up` for this project at boot: a user systemd unit, enabled when a user systemd answers.

    The unit (~/.config/systemd/user/platform-<folder>-<hash>.service) runs `platform -f PROCFILE
    up` at boot and `platform down` when stopped; the Procfile is read at boot, so there is
    nothing to save. Without a user systemd (containers, macOS) the unit is written but nothing is
    enabled, and the crontab line to use instead is printed. Running it again changes nothing.
    """
    from platform_cli.procman.bootunit import UserSystemd, install_unit, make_boot_spec, render_cron_line

    ws: Workspace = ctx.obj
    _ = ws.project  # a Procfile that does not load now would not load at boot either: exit 6 here
    spec = make_boot_spec(ws.settings.procfile, ws.settings.data_dir)
    report = install_unit(spec, UserSystemd())
    print(f"{'wrote' if report.written else 'kept (unchanged)'} {report.unit}")
    if report.enabled:
        print(f"enabled {report.unit.name}: `platform up` runs for this project at boot")
        for note in report.notes:
            print(f"note: {note}")
        return
    print(f"did not enable anything: no user systemd answers here ({report.reason})")
    print("to start this project at boot, either")
    print(f"  on a machine with systemd:  systemctl --user enable {report.unit.name}")
    print(f"                              loginctl enable-linger {_user()}   # so it starts before you log in")
    print("  or add this line with `crontab -e`:")
    print(f"    {render_cron_line(spec)}")


def unstartup(ctx: typer.Context) -> None:
    """Stop running this project at boot: disable and delete the unit `platform startup` wrote."""
    from platform_cli.procman.bootunit import UserSystemd, remove_unit

    ws: Workspace = ctx.obj
    report = remove_unit(ws.settings.procfile, UserSystemd())
    if not report.removed:
        print(f"no startup unit for this project ({report.unit} does not exist)")
    else:
        print(f"removed {report.unit}" + (f" and disabled {report.unit.name}" if report.disabled else f" (not disabled: {report.reason})"))
    print("if you added its @reboot line to your crontab, remove it with `crontab -e`")


def _user() -> str:
    import os

    return os.environ.get("USER") or os.environ.get("LOGNAME") or "$USER"
