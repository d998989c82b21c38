import pytest

from platform_cli.errors import ConfigError
from platform_cli.procman.procfile import load_dotenv, load_procfile


def write(tmp_path, text):
    path = tmp_path / "Procfile"
    path.write_text(text)
    return path


def test_reads_processes_in_order_skipping_comments_and_blank_lines(tmp_path):
    path = write(tmp_path, "# services\nweb: python app.py --port $PORT\n\nworker:  python worker.py\n")
    assert load_procfile(path) == {"web": "python app.py --port $PORT", "worker": "python worker.py"}


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("web: a\nnot a process line\n", 2, "malformed Procfile line: 'not a process line'"),
        ("web: a\n  indented: b\n", 2, "malformed"),
        ("web.1: a\n", 1, "malformed"),
        ("web:\n", 1, "malformed"),
        ("a: x\nb: y\na: z\n", 3, "duplicate process name 'a' (first defined on line 1)"),
        ("platform-events: x\n", 1, "reserved"),
    ],
)
def test_bad_lines_are_errors_with_their_line_number(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_procfile(path)
    assert err.value.message.startswith(f"{path}:{line}: ")
    assert words in err.value.message


def test_an_empty_procfile_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="declares no processes"):
        load_procfile(write(tmp_path, "# nothing yet\n"))


def test_a_missing_procfile_says_where_it_looked(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_procfile(tmp_path / "Procfile")
    assert err.value.message == f"no Procfile at {tmp_path / 'Procfile'}"
    assert err.value.hint


def test_dotenv_is_read_with_honchos_rules(tmp_path):
    (tmp_path / ".env").write_text("A=1\nB='two words'\n# comment\nC=x=y\n")
    assert load_dotenv(tmp_path / ".env") == {"A": "1", "B": "two words", "C": "x=y"}
    assert load_dotenv(tmp_path / "missing.env") == {}


@pytest.mark.parametrize("line, words", [('SECRET="abc', "cannot read this line"), ("just words", "not a KEY=value line")])
def test_a_bad_dotenv_line_is_named(tmp_path, line, words):
    (tmp_path / ".env").write_text(f"GOOD=1\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_dotenv(tmp_path / ".env")
    assert err.value.message.startswith(f"{tmp_path / '.env'}:2: {words}")


def test_the_daemons_own_name_is_reserved(tmp_path):
    with pytest.raises(ConfigError, match="'supervisord' is reserved"):
        load_procfile(write(tmp_path, "supervisord: x\n"))
