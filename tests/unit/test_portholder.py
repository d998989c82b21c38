"""How exit 8 names the holder of a port, seen or not."""

from platform_cli.procman.portholder import PortHolder

def test_a_holder_we_may_see_is_named_by_pid_and_command():
    assert PortHolder(4242, "python -m http.server 5000").describe() == "pid 4242 (python -m http.server 5000)"

def test_a_holder_we_may_not_see_is_said_to_be_hidden_not_guessed():
    text = PortHolder(None, None).describe()
    assert "cannot see" in text and "pid" not in text
