"""What procman/daemon_entry.py relies on in supervisor's internals, checked against the installed
supervisor (pristine: install() is never called in the test process).

supervisor offers no public hook for any of these (no spawn/reap/state-change callbacks, no log
line filter): its event listeners run out of process, after the fact. So daemon_entry wraps the
methods, setup.cfg caps supervisor below its next minor release, and each wrapped name has a test
here that says "upstream changed <name>" when its name, signature or the behaviour the wrapper
counts on moves. A new wrap in install() without a test here fails test_every_wrapped_name_is_checked.
"""

from __future__ import annotations

import ast
import inspect
import time
from pathlib import Path

import pytest
from supervisor import dispatchers, events, http, process, supervisord
from supervisor.medusa import asynchat_25
from supervisor.states import ProcessStates
from supervisor.tests.base import DummyOptions, DummyPConfig, DummyProcess

from platform_cli.procman import daemon_entry
from tests.unit.upstream import expect, expect_signature

CHECKED = {
    "supervisord.Supervisor.runforever",
    "supervisord.Supervisor.reap",
    "process.Subprocess.change_state",
    "process.Subprocess.finish",
    "process.Subprocess._check_and_adjust_for_system_clock_rollback",
    "process.Subprocess.spawn",
    "supervisord.Supervisor.ordered_stop_groups_phase_2",
    "dispatchers.POutputDispatcher._log",
    "dispatchers.POutputDispatcher.close",
    "dispatchers.POutputDispatcher._init_normallog",
    "http.deferring_http_channel.ac_out_buffer_size",
    "event.get_extra_values",  # on every ProcessStateEvent subclass
}


@pytest.fixture(autouse=True)
def no_listeners():
    yield
    events.clear()


def _subprocess(options=None):
    options = options or DummyOptions()
    return process.Subprocess(DummyPConfig(options, "web", "/bin/web"))


def test_every_wrapped_name_is_checked():
    tree = ast.parse(Path(daemon_entry.__file__).read_text())
    install = next((node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "install"), None)
    assert install is not None, "daemon_entry.install() is gone: list what it wraps in CHECKED here"
    wrapped = {ast.unparse(target) for node in ast.walk(install) if isinstance(node, ast.Assign)
               for target in node.targets if isinstance(target, ast.Attribute)}
    assert wrapped == CHECKED, f"daemon_entry.install() wraps {sorted(wrapped ^ CHECKED)} without a test here"


def test_runforever_polls_the_socket_map_it_hands_out():
    name = "supervisor.supervisord.Supervisor.runforever"
    expect_signature(name, supervisord.Supervisor.runforever, "(self)")
    options = DummyOptions()
    options.test = True  # one pass of the loop
    options.poller.result = [42], []
    daemon = supervisord.Supervisor(options)

    turns = []

    class Wakeup:
        def readable(self):
            return True

        def writable(self):
            return False

        def handle_read_event(self):
            turns.append("read")

    options.get_socket_map()[42] = Wakeup()  # what daemon_entry's runforever adds before the loop
    daemon.reap = lambda *args, **kwargs: turns.append("reap")
    daemon.runforever()
    expect(name, "read" in turns, "a readable dispatcher added to options.get_socket_map() is no longer served")
    # daemon_entry's WakeupDispatcher only ends the wait and leaves the reap to the loop, after
    # every dispatcher's turn (reaping amid them closed pipes that later turns still read).
    expect(name, turns == ["read", "reap"], f"runforever no longer reaps after serving the ready dispatchers: {turns}")
    # daemon_entry becomes a child subreaper inside runforever: the flag is not inherited by the
    # fork that daemonizes, so runforever must still run in the daemonized process.
    run = inspect.getsource(supervisord.Supervisor.run)
    expect(name, "daemonize()" in run and run.index("daemonize()") < run.index("runforever()"),
           "Supervisor.run() no longer daemonizes before runforever(): the subreaper flag would be set in the wrong process")


def test_reap_finishes_the_process_of_a_reaped_pid():
    name = "supervisor.supervisord.Supervisor.reap"
    expect_signature(name, supervisord.Supervisor.reap, "(self, once=False, recursionguard=0)")
    options = DummyOptions()
    daemon = supervisord.Supervisor(options)
    finished = []

    class Reaped:
        def finish(self, pid, sts):
            finished.append((pid, sts))

    options.pidhistory[7] = Reaped()
    options.waitpid_return = 7, 256
    daemon.reap(once=True)
    expect(name, finished == [(7, 256)], f"process.finish(pid, sts) not called as before: {finished}")
    expect(name, hasattr(daemon, "process_groups"), "Supervisor.process_groups is gone (reap transitions each group)")
    expect_signature(name, getattr(process.ProcessGroup, "transition", None), "(self)")


def test_change_state_counts_a_backoff_before_setting_its_delay():
    name = "supervisor.process.Subprocess.change_state"
    expect_signature(name, process.Subprocess.change_state, "(self, new_state, expected=True)")
    proc = _subprocess()
    proc.state = ProcessStates.STARTING
    before = time.time()
    proc.change_state(ProcessStates.BACKOFF)
    expect(name, proc.state == ProcessStates.BACKOFF and proc.backoff == 1,
           f"entering BACKOFF no longer sets state and counts the try (backoff={proc.backoff})")
    expect(name, before + 1 <= proc.delay <= time.time() + 1,
           f"the BACKOFF delay is no longer now + tries (delay {proc.delay - before:.3f} s from now)")


def test_spawn_returns_the_child_pid():
    name = "supervisor.process.Subprocess.spawn"
    expect_signature(name, process.Subprocess.spawn, "(self)")
    options = DummyOptions()
    options.forkpid = 4321
    proc = _subprocess(options)
    pid = proc.spawn()
    expect(name, pid == 4321 and proc.config.name == "web", f"spawn() returned {pid!r}, not the child's pid")


def test_finish_takes_the_raw_wait_status():
    name = "supervisor.process.Subprocess.finish"
    expect_signature(name, process.Subprocess.finish, "(self, pid, sts)")
    options = DummyOptions()
    options.forkpid = 99
    proc = _subprocess(options)
    proc.spawn()
    proc.state = ProcessStates.RUNNING
    proc.laststart = time.time() - 100
    proc.finish(99, 3 << 8)  # what os.waitpid gives for exit(3), which describe_exit decodes
    expect(name, proc.exitstatus == 3, f"finish() read wait status 768 as exit status {proc.exitstatus!r}, not 3")
    # A quick crash: daemon_entry restores the exit code stock supervisord drops, once it is BACKOFF.
    quick = _subprocess(options)
    quick.spawn()
    quick.state = ProcessStates.STARTING
    quick.laststart = time.time()
    quick.finish(99, 127 << 8)
    expect(name, quick.state == ProcessStates.BACKOFF, f"a quick exit from STARTING now ends {quick.state!r}, not BACKOFF")


def test_clock_check_still_shortens_a_long_backoff_delay():
    name = "supervisor.process.Subprocess._check_and_adjust_for_system_clock_rollback"
    method = process.Subprocess._check_and_adjust_for_system_clock_rollback
    expect_signature(name, method, "(self, test_time)")
    expect(name, "_check_and_adjust_for_system_clock_rollback" in inspect.getsource(process.Subprocess.transition),
           "transition() no longer calls it: the exponential backoff may need another guard")
    proc = _subprocess()
    proc.state, proc.backoff = ProcessStates.BACKOFF, 1
    now = time.time()
    proc.delay = now + 8  # daemon_entry's 4th backoff: longer than stock's linear one
    method(proc, now)
    expect(name, proc.delay == now + 1, "it no longer cuts a BACKOFF delay down to the linear one "
                                        "(daemon_entry's override may be unneeded or wrong)")


def _dispatcher(tmp_path):
    options = DummyOptions()
    config = DummyPConfig(options, "web", "/bin/web", stdout_logfile=str(tmp_path / "web.log"))
    return dispatchers.POutputDispatcher(DummyProcess(config), events.ProcessCommunicationStdoutEvent, 5)


def test_output_log_writes_what_it_is_given_to_the_child_log(tmp_path):
    name = "supervisor.dispatchers.POutputDispatcher._log"
    expect_signature(name, dispatchers.POutputDispatcher._log, "(self, data)")
    dispatcher = _dispatcher(tmp_path)
    expect(name, dispatcher.childlog is not None, "POutputDispatcher.childlog is gone")
    dispatcher._log(b"12.5 hello\n")
    expect(name, dispatcher.childlog.data == [b"12.5 hello\n"], f"child log got {dispatcher.childlog.data!r}")


def test_output_close_marks_the_dispatcher_closed(tmp_path):
    name = "supervisor.dispatchers.POutputDispatcher.close"
    expect_signature(name, dispatchers.POutputDispatcher.close, "(self)")
    dispatcher = _dispatcher(tmp_path)
    expect(name, dispatcher.closed is False, "POutputDispatcher.closed is gone")
    dispatcher.close()
    expect(name, dispatcher.closed is True, "close() no longer sets closed")


def test_state_events_render_extra_values_into_the_payload():
    name = "supervisor.events.ProcessStateEvent.get_extra_values"
    expect_signature(name, events.ProcessStateEvent.get_extra_values, "(self)")
    subclasses = set(events.ProcessStateEvent.__subclasses__()) | set(events.ProcessStateStartingOrBackoffEvent.__subclasses__())
    for needed in (events.ProcessStateExitedEvent, events.ProcessStateBackoffEvent, events.ProcessStateStoppedEvent,
                   events.ProcessStateRunningEvent, events.ProcessStateFatalEvent):
        expect(name, needed in subclasses, f"{needed.__name__} is no longer found among the state events")
    proc = _subprocess()
    proc.pid = 12

    class Exited(events.ProcessStateExitedEvent):
        def get_extra_values(self):
            return [*super().get_extra_values(), ("at", "1.5")]

    event = Exited(proc, ProcessStates.RUNNING)
    expect(name, event.process is proc, "the event no longer holds its process as .process")
    expect(name, event.payload().endswith("pid:12 at:1.5"), f"extra values not rendered as before: {event.payload()!r}")


def test_state_events_reach_a_subscribed_callback_at_once_with_eagerly_rendered_values():
    # procman/recorder.py: supervisord calls the subscribed callback inside notify(), in its main
    # loop; the callback copies type, process name, from_state and extra_values (rendered when
    # the event is made, so a later change of the process does not alter them) and queues them.
    name = "supervisor.events.subscribe"
    expect_signature(name, events.subscribe, "(type, callback)")
    expect_signature("supervisor.events.notify", events.notify, "(event)")
    taken = []
    events.subscribe(events.ProcessStateEvent, taken.append)
    proc = _subprocess()
    proc.pid = 12
    event = events.ProcessStateExitedEvent(proc, ProcessStates.RUNNING, expected=False)
    events.notify(event)
    expect(name, taken == [event], "a ProcessStateEvent subclass no longer reaches a callback subscribed to ProcessStateEvent")
    proc.pid = 13
    expect(name, ("pid", 12) in event.extra_values and event.process.config.name == "web" and event.from_state == ProcessStates.RUNNING,
           f"the event no longer keeps extra_values, process.config.name and from_state as made: {vars(event)!r}")
    expect("supervisor.events.getEventNameByType", events.getEventNameByType(events.ProcessStateExitedEvent) == "PROCESS_STATE_EXITED",
           "event types are no longer named PROCESS_STATE_<STATE>")


def test_run_clears_subscriptions_before_each_runforever_and_the_loop_ends_by_exitnow():
    # recording() subscribes inside runforever (run() clears callbacks first, at start and at
    # each reload) and drains the queue when runforever ends, which it does by raising ExitNow.
    name = "supervisor.supervisord.Supervisor.run"
    run = inspect.getsource(supervisord.Supervisor.run)
    expect(name, "events.clear()" in run and run.index("events.clear()") < run.index("self.runforever()"),
           "run() no longer clears event callbacks before runforever(): the recorder would be subscribed twice after a reload")
    loop = inspect.getsource(supervisord.Supervisor.runforever)
    expect("supervisor.supervisord.Supervisor.runforever", "raise asyncore.ExitNow" in loop and "shutdown_report()" in loop,
           "runforever() no longer ends with ExitNow once every process has stopped: the drain's moment may have moved")


def test_ordered_stop_groups_phase_2_pops_a_stopped_group_and_keeps_an_unstopped_one():
    # daemon_entry change 8 pops every already-stopped group after the original: it relies on
    # stop_groups being the queue, last first, and on get_unstopped_processes() telling done.
    name = "supervisor.supervisord.Supervisor.ordered_stop_groups_phase_2"
    expect_signature(name, supervisord.Supervisor.ordered_stop_groups_phase_2, "(self)")

    class Group:
        def __init__(self, unstopped):
            self.unstopped = unstopped

        def get_unstopped_processes(self):
            return self.unstopped

    daemon = supervisord.Supervisor(DummyOptions())
    first, stopped, running = Group([]), Group([]), Group(["web"])
    daemon.stop_groups = [first, stopped]
    daemon.ordered_stop_groups_phase_2()
    expect(name, daemon.stop_groups == [first], "a stopped last group is no longer popped from stop_groups")
    daemon.stop_groups = [first, running]
    daemon.ordered_stop_groups_phase_2()
    expect(name, daemon.stop_groups == [first, running], "a last group still stopping is no longer kept in stop_groups")
    expect(name, hasattr(process.ProcessGroup, "get_unstopped_processes"), "ProcessGroup.get_unstopped_processes is gone")


def test_init_normallog_opens_the_log_file_in_init_and_raises_when_it_cannot(tmp_path):
    # daemon_entry change 7 catches the OSError of a log file that cannot be opened (a read-only
    # data dir) and runs the program unlogged: normallog None, which _log must tolerate.
    name = "supervisor.dispatchers.POutputDispatcher._init_normallog"
    expect_signature(name, dispatchers.POutputDispatcher._init_normallog, "(self)")
    expect(name, "_init_normallog" in dispatchers.POutputDispatcher.__init__.__code__.co_names,
           "__init__ no longer calls it")
    expect(name, _dispatcher(tmp_path).normallog is not None, "it no longer sets normallog for a stdout_logfile")
    options = DummyOptions()
    config = DummyPConfig(options, "web", "/bin/web", stdout_logfile=str(tmp_path / "missing" / "web.log"))
    with pytest.raises(OSError):
        dispatchers.POutputDispatcher(DummyProcess(config), events.ProcessCommunicationStdoutEvent, 5)

    class Unlogged(dispatchers.POutputDispatcher):
        def _init_normallog(self):
            self.normallog = None  # what daemon_entry leaves after the OSError

    dispatcher = Unlogged(DummyProcess(config), events.ProcessCommunicationStdoutEvent, 5)
    expect(name, dispatcher.childlog is None, "childlog is no longer normallog")
    dispatcher._log(b"12.5 hello\n")  # must not raise with no log


def test_the_http_channel_sends_replies_in_pieces_of_ac_out_buffer_size():
    # daemon_entry change 9 raises deferring_http_channel.ac_out_buffer_size: it counts on the
    # channel being an async_chat whose initiate_send refills and sends by that attribute.
    name = "supervisor.http.deferring_http_channel.ac_out_buffer_size"
    expect(name, isinstance(http.deferring_http_channel.__dict__.get("ac_out_buffer_size"), int),
           "the class no longer sets its own ac_out_buffer_size")
    expect(name, issubclass(http.deferring_http_channel, asynchat_25.async_chat), "the channel is no longer an async_chat")
    expect(name, "ac_out_buffer_size" in asynchat_25.async_chat.initiate_send.__code__.co_names,
           "async_chat.initiate_send no longer sends by ac_out_buffer_size")
