"""tts say / voices."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from platform_cli.errors import PlatformError
from platform_cli.workspace import Workspace

app = typer.Typer(help="Text to speech, through the tts service.", no_args_is_help=True)


@app.command()
def say(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="What to say; `-` reads it from stdin."),
    lang: str = typer.Option("en", "--lang", "-l", help="Language code, e.g. en, pt, ko (see `platform tts voices`)."),
    engine: str = typer.Option("auto", "--engine", "-e", help="auto (gTTS when Google answers, else espeak), gtts or espeak."),
    output: Optional[str] = typer.Option(
        None, "-o", "--output", metavar="FILE",
        help="Write the MP3 to FILE (`-` for stdout). Without it nothing is written: it says where the MP3 is.",
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON, for scripts."),
) -> None:
    """Turn text into an MP3, and say which engine made it and where it is."""
    from platform_cli.ui.orders_view import print_json

    ws: Workspace = ctx.obj
    if output == "-" and as_json:
        raise typer.BadParameter("-o - writes the MP3 to stdout, where --json would write too: choose one")
    if output == "-" and sys.stdout.isatty():
        raise typer.BadParameter("-o - writes binary MP3 to stdout, and stdout is a terminal: pipe it, or give a file")
    if text == "-":
        text = sys.stdin.read()
    client = ws.service("tts")
    made = client.post("tts", body={"text": text, "lang": lang, "engine": engine})
    path = made["url"]
    made = {**made, "url": client.base_url + path}  # where to fetch it from (through the gateway: with the login)
    if output is not None:
        _write(output, client.download(path))
    result = {**made, "file": None if output is None else output}
    where = "from the cache" if made["cached"] else "newly made"
    if as_json:
        print_json(result)
    elif output == "-":
        print(f"{made['duration_s']:.1f} s, {made['bytes']:,} bytes, by {made['engine']} ({where})", file=sys.stderr)
    elif output is not None:
        ws.out.print(f"wrote {output}: {made['duration_s']:.1f} s, {made['bytes']:,} bytes, by {made['engine']} ({where})",
                     markup=False, soft_wrap=True)
    else:
        ws.out.print(f"made {made['duration_s']:.1f} s, {made['bytes']:,} bytes, by {made['engine']} ({where}): {made['url']}",
                     markup=False, soft_wrap=True)
        ws.out.print("not saved: -o FILE writes it, -o - pipes it", style="dim", soft_wrap=True)


def _write(output: str, audio: bytes) -> None:
    """The MP3 to a file the user named, or to stdout for `-o -`."""
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(audio)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    try:
        path.write_bytes(audio)
    except OSError as exc:
        raise PlatformError(f"cannot write {path}: {exc.strerror}") from None


@app.command()
def voices(
    ctx: typer.Context,
    engine: str = typer.Option("espeak", "--engine", "-e", help="auto, gtts or espeak."),
    as_json: bool = typer.Option(False, "--json", help="JSON, for scripts."),
) -> None:
    """The languages an engine speaks."""
    from platform_cli.ui.orders_view import print_json

    ws: Workspace = ctx.obj
    found = ws.service("tts").get("tts", "voices", query={"engine": engine})
    if as_json:
        print_json(found)
    else:
        ws.out.print(f"{found['engine']}: {len(found['languages'])} languages")
        ws.out.print(" ".join(found["languages"]), soft_wrap=False)
