"""Every example in README.md runs as written, the way doctest keeps docstrings true.

README.md is read when the tests run, so an edited README is what gets checked. Its conventions:

- Each line of a ```sh block is one command, run by bash in a temp project (a copy of the repo's
  Procfile, platform.toml, supervisord.conf and services/, on free ports, with its own data dir),
  in README order, sharing that project: a later block sees what an earlier one did. A comment
  after `#` is the reader's; bash ignores it. The command must exit 0, or N when its comment says
  `(exit N)`.
- In a block whose lines start with `$ `, those lines are the commands and the lines under one are
  its stdout, compared line by line (spaces collapsed; `…` stands for any text within a line, and
  a line of only `…` for any number of lines). A command shown without output is not compared.
- A placeholder in capitals (`ORDER_ID`) is bound by an HTML comment, invisible on the rendered
  page, above the block that first needs it: `<!-- readme-test: ORDER_ID = COMMAND => a.0.b -->`
  runs COMMAND when a line first uses ORDER_ID and takes that path from its JSON output.
- A password prompt is answered with PASSWORD (every command's stdin, unless it has a pipe).
- A ```toml block is a platform.toml: it must load with a Procfile that has its processes.
- A line that cannot run here is in NOT_RUN below with the reason, and shows up as a skip with
  that reason; one that is in NOT_RUN but no longer in README.md fails, so the list stays true.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PASSWORD = "a readme password 1"
# A skip whose reason says this is one the suite means to make, listed with its reason but never
# taken for a README claim left unchecked (tests/conftest.py): this test checks NOT_RUN itself.
BY_DESIGN = "by design"
# The line as README writes it (without its comment) -> why this test does not run it.
NOT_RUN = {
    "make up": "creates .venv and runs `platform up` in the repository itself, on its data/ and its ports; "
               "this test runs `platform up` in a temp project in its place, before the first block",
    "make test": "the whole suite, this test included: it cannot run itself",
}
BINDING = re.compile(r"<!--\s*readme-test:\s*([A-Z][A-Z0-9_]*)\s*=\s*(.+?)\s*=>\s*(\S+)\s*-->")
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.S | re.M)
EXPECTED_EXIT = re.compile(r"\(exit (\d+)\)")


@dataclass
class Command:
    line: str  # as README writes it, comment included
    line_no: int = 0  # in README.md
    expected_output: list[str] | None = None  # stdout lines, for a `$ ` block

    @property
    def command(self) -> str:
        return _without_comment(self.line)

    @property
    def exit_code(self) -> int:
        found = EXPECTED_EXIT.search(self.line[len(self.command):])
        return int(found.group(1)) if found else 0


@dataclass
class Block:
    kind: str
    text: str
    line_no: int
    bindings: dict[str, tuple[str, str]] = field(default_factory=dict)  # defined just above it

    def commands(self) -> list[Command]:
        lines = [(self.line_no + i, line) for i, line in enumerate(self.text.splitlines()) if line.strip()]
        if not any(line.startswith("$ ") for _, line in lines):
            return [Command(line, n) for n, line in lines if not line.lstrip().startswith("#")]
        found: list[Command] = []
        for n, line in lines:
            if line.startswith("$ "):
                found.append(Command(line[2:], n, expected_output=[]))
            elif found:
                found[-1].expected_output.append(line)
            else:
                raise AssertionError(f"README.md:{self.line_no}: output before any `$ ` command: {line!r}")
        for command in found:  # output is checked where README shows some, not where it shows none
            command.expected_output = command.expected_output or None
        return found


def read_blocks(text: str) -> list[Block]:
    blocks, bindings = [], {}
    position = 0
    for match in BLOCK.finditer(text):
        for name, command, path in BINDING.findall(text[position:match.start()]):
            bindings[name] = (command, path)
        blocks.append(Block(match.group(1), match.group(2), text.count("\n", 0, match.start()) + 2, dict(bindings)))
        position = match.end()
    return blocks


def _without_comment(line: str) -> str:
    """The line up to an unquoted `#` that starts a word, as bash reads it."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def matches(expected: list[str], actual: list[str]) -> bool:
    """doctest's ELLIPSIS for lines: `…` is any text in a line; a line of `…` is any lines."""
    def norm(line: str) -> str:
        return " ".join(line.split())

    if not expected:
        return not actual
    head, rest = norm(expected[0]), expected[1:]
    if head == "…":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    pattern = ".*".join(re.escape(part) for part in head.split("…"))
    return bool(actual) and re.fullmatch(pattern, norm(actual[0])) is not None and matches(rest, actual[1:])


def _free_base_port() -> int:
    """A base port whose five processes' ports (base + 100 × position) are all free. Drawn below
    the kernel's ephemeral range (32768 up), where other tests' port-0 sockets never land."""
    import random

    for base in random.sample(range(10000, 32000 - 500, 100), 200):
        # The next two ports of each block too: "Scaling and reload" runs orders.2 and a surge orders.3.
        if all(_free(base + 100 * i + k) for i in range(5) for k in range(3)):
            return base
    raise AssertionError("no free base port")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Shell:
    """Runs README lines in the temp project: bash, the venv's `platform` first on PATH."""

    def __init__(self, root: Path):
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
        self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{self.env.get('PATH', '')}"
        self.values: dict[str, str] = {}

    def run(self, command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-c", command], cwd=self.root, env=self.env, input=f"{PASSWORD}\n{PASSWORD}\n",
            capture_output=True, text=True, timeout=timeout,
            start_new_session=True,  # no terminal: a password prompt reads stdin, as a script's would
        )

    def bind(self, command: str, bindings: dict[str, tuple[str, str]]) -> str:
        for name in bindings:
            if re.search(rf"\b{name}\b", command) and name not in self.values:
                source, path = bindings[name]
                result = self.run(source)
                assert result.returncode == 0, f"binding {name}: `{source}` exited {result.returncode}\n{result.stderr}"
                value = json.loads(result.stdout)
                for key in path.split("."):
                    value = value[int(key)] if isinstance(value, list) else value[key]
                self.values[name] = str(value)
        for name, value in self.values.items():
            command = re.sub(rf"\b{name}\b", value, command)
        return command


def _make_project(root: Path) -> socket.socket:
    for name in ("Procfile", "platform.toml", "supervisord.conf"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "services", root / "services", ignore=shutil.ignore_patterns("__pycache__"))
    closed = socket.socket()  # bound, never listening: Google's address refuses at once, so `auto` uses espeak
    closed.bind(("127.0.0.1", 0))
    (root / ".env").write_text(
        f"PLATFORM_BASE_PORT={_free_base_port()}\n"
        f"GTTS_URL=http://127.0.0.1:{closed.getsockname()[1]}\nGTTS_TIMEOUT=1\n"
    )
    return closed


def _all_commands():
    return [(block, command) for block in read_blocks(README.read_text()) if block.kind == "sh" for command in block.commands()]


@pytest.fixture
def readme_project(project):
    closed = _make_project(project.root)
    yield project
    closed.close()


def test_every_readme_shell_example_runs_as_written(readme_project):
    shell = Shell(readme_project.root)
    commands = [(b, c) for b, c in _all_commands() if c.command not in NOT_RUN]
    assert commands, "README.md has no ```sh examples"
    up = shell.run("platform up")  # what `make up` does, in this project
    assert up.returncode == 0, up.stdout + up.stderr
    for block, cmd in commands:
        command = shell.bind(cmd.command, block.bindings)
        where = f"README.md:{cmd.line_no}: `{cmd.command}`"
        assert not re.search(r"\b[A-Z]+_ID\b", command), f"{where}: a placeholder with no readme-test binding above it"
        result = shell.run(command)
        assert result.returncode == cmd.exit_code, (
            f"{where} exited {result.returncode}, not {cmd.exit_code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}")
        assert "Traceback" not in result.stderr, f"{where}\n{result.stderr}"
        if cmd.expected_output is not None:
            actual = result.stdout.rstrip("\n").splitlines() if result.stdout.strip() else []
            assert matches(cmd.expected_output, actual), (
                f"{where}: README shows\n" + "\n".join(cmd.expected_output) + "\n--- it printed\n" + result.stdout)


@pytest.mark.parametrize("line", sorted(NOT_RUN))
def test_examples_this_test_cannot_run_are_named_with_the_reason(line):
    assert line in [c.command for _, c in _all_commands()], f"NOT_RUN names {line!r}, which README.md no longer shows"
    if line.startswith("make ") and shutil.which("make"):  # the target exists, at least: make's dry run
        dry = subprocess.run(["make", "-n", *line.split()[1:]], cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert dry.returncode == 0, dry.stderr
    pytest.skip(f"README example `{line}` not run ({BY_DESIGN}): {NOT_RUN[line]}")


def test_every_toml_example_is_a_platform_toml_that_loads(tmp_path):
    blocks = [b for b in read_blocks(README.read_text()) if b.kind == "toml"]
    assert blocks
    for block in blocks:
        names = re.findall(r"^\[([\w-]+)\]", block.text, re.M)
        needed = {d for match in re.findall(r"depends_on\s*=\s*\[(.*?)\]", block.text) for d in re.findall(r'"([\w-]+)"', match)}
        project = tmp_path / f"line{block.line_no}"
        project.mkdir()
        (project / "Procfile").write_text("".join(f"{n}: sleep 100\n" for n in dict.fromkeys([*needed, *names])))
        (project / "platform.toml").write_text(block.text)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
        result = subprocess.run([sys.executable, "-m", "platform_cli", "status"], cwd=project, env=env,
                                capture_output=True, text=True, timeout=30)
        # 4: the file loaded and only the daemon is missing; a bad platform.toml is exit 6.
        assert result.returncode == 4, f"README.md:{block.line_no}: {result.stderr}"


# -- the harness's own rules, without processes ---------------------------------------------------

def test_comments_are_cut_where_bash_cuts_them():
    assert _without_comment('platform order create --coffee "a # b" --price 5   # note') == 'platform order create --coffee "a # b" --price 5'
    assert _without_comment("echo x#y  # z") == "echo x#y"


def test_expected_output_with_ellipses():
    assert matches(["stopped gateway", "stopped redis"], ["stopped  gateway", "stopped redis"])
    assert not matches(["stopped gateway"], ["stopped gateway", "stopped redis"])
    assert matches(["name state …", "…", "redis RUNNING …"], ["name state pid", "orders RUNNING 3", "redis RUNNING 4"])
    assert not matches(["redis RUNNING …"], ["redis STOPPED 4"])


def test_blocks_bindings_and_exit_codes_are_read_from_markdown():
    text = ("<!-- readme-test: ORDER_ID = platform order list --json => orders.0.order_id -->\n"
            "```sh\nplatform order show ORDER_ID   # note (exit 9)\n```\n\n```sh\n$ platform stop --all\nstopped web\n```\n")
    first, second = read_blocks(text)
    assert first.bindings == {"ORDER_ID": ("platform order list --json", "orders.0.order_id")}
    [show] = first.commands()
    assert (show.command, show.exit_code, show.expected_output, show.line_no) == ("platform order show ORDER_ID", 9, None, 3)
    [stop] = second.commands()
    assert (stop.command, stop.expected_output, second.line_no) == ("platform stop --all", ["stopped web"], 7)
