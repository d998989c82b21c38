"""Side by side: one workload under PM2, stock supervisord, honcho and `platform`, in one run.

    .venv/bin/python -m bench.compare [--rounds 5] [--lines 200000] [--kills 4] [--status-runs 5]
                                      [--managers platform,pm2,supervisord,honcho] [--out table.md]

The managers take turns round by round (each round in a rotated order), so drift in a shared
machine's load falls on all of them alike; each figure is a median over the rounds, and the
ratios compare figures measured in the same run.

Definitions:
- workload: four `bench/apps/hello.py` services (Flask under waitress, `GET /health`) on free
  127.0.0.1 ports, plus one log writer (`tests/e2e/apps/writer.py`); the same two commands under
  every manager, each in a fresh directory per round. No redis.
- cold start → all healthy: from issuing the start command (no daemon running) to all four
  /health answering 200, polled every 10 ms.
- cold start ÷ no-manager floor: each round also spawns the workload's commands directly
  (`subprocess.Popen`, all at once, no manager) and times them to all four healthy; a manager's
  cold start over that round's floor, median and min–max over the rounds (bench/compare/floor.py).
- start all, daemon up → all healthy: every program stopped through the manager, its daemon left
  running, then `platform start --all`, `supervisorctl start all`, `pm2 start all`, timed to all
  four /health answering 200; honcho has no daemon (bench/compare/startall.py).
- SIGKILL → healthy again: SIGKILL one service once it has been up 1.5 s (an ordinary crash,
  not a quick-crash backoff), time until /health answers 200 from a new pid (the services in
  turn). honcho does not restart: it stops everything when one process dies; the table says so
  and gives the time from the kill until every process of honcho's is gone.
- status latency: wall time of `platform status`, `supervisorctl status`, `pm2 status` (the
  table, not `pm2 jlist`); honcho has none.
- daemon memory: PSS (shared pages counted once) of the manager's own processes with the
  workload up, after the burst: platform: supervisord (its recorder and watchdog are threads of it); supervisord; PM2's
  God daemon; honcho's master process + the Python process it forks per program to run it.
  RSS of the same processes at the same moment in its own row: RSS counts a page shared by two
  of them (a fork's) twice, PSS splits it, so PSS is the fairer sum and RSS the familiar figure.
- lines lost from a burst: the writer prints N numbered lines as fast as it can, `burst_delay`
  seconds after it starts (after the services are healthy and the follower is attached); lines
  lost = N − the distinct numbers the manager's live follower showed: `platform logs -f`,
  `pm2 logs --raw`, `supervisorctl tail -f`, honcho's own stdout. Whole burst shown: from the
  writer's first write to the follower showing the last line.
- burst → in the log file: after that, with no follower attached, the writer writes the same
  lines again (SIGUSR1); from its first write until the manager's log file on disk holds the last
  line (read as it grows, every 1 ms): platform's data/logs/writer.log, supervisord's
  stdout_logfile, PM2's writer-out.log; honcho keeps no file (n/a). The no-manager floor: the
  same writer, its stdout a file, timed the same way in the same round; the ratio to it is taken
  round by round. Lines lost or split: counted in what the file gained (bench/compare/logfile.py).
- Each ratio of platform to another comes with its spread, [our min / their max – our max /
  their min], and reads "tie" when each median lies inside the other's min–max.
- stop all: `platform down`, `supervisorctl shutdown`, `pm2 kill` (each stops every process and
  the daemon), SIGTERM to honcho: from issuing it until every process of the manager's (daemon
  and programs) is gone.
"""
