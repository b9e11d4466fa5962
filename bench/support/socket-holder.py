"""A stand-in for systemd's socket activation, for the tests and bench:restart (systemd is not PID 1 here).

Binds the proxy and API sockets on 127.0.0.1 and listens without ever accepting, as systemd does for a
.socket unit, so connections queue in the kernel while no agent runs. Prints {"proxy": port, "api": port},
then reads commands on stdin: `start <args…>` starts `skiff agent` with the sockets as fds 3 and 4 and
LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES set as systemd sets them; `stop` sends SIGTERM and waits; `kill`
sends SIGKILL and waits. Each answers one line with the pid or exit status. EOF stops the agent.
"""
import json
import os
import signal
import socket
import subprocess
import sys

def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(511)
    return s

proxy, api = listener(), listener()
print(json.dumps({"proxy": proxy.getsockname()[1], "api": api.getsockname()[1]}), flush=True)
agent = None

def start(args):
    def child():
        os.dup2(proxy.fileno(), 3)
        os.dup2(api.fileno(), 4)
    env = dict(os.environ, LISTEN_FDS="2", LISTEN_FDNAMES="proxy:api")
    # LISTEN_PID must be the agent's own pid: the shell sets it to its pid, then execs node in its place.
    # The agent's output goes to HOLDER_LOG (appended), never to this process's answers on stdout.
    log = open(os.environ.get("HOLDER_LOG", os.devnull), "ab")
    return subprocess.Popen(["sh", "-c", 'LISTEN_PID=$$ exec "$@"', "sh", *args], preexec_fn=child,
                            pass_fds=(3, 4), env=env, stdout=log, stderr=subprocess.STDOUT)

for line in sys.stdin:
    command, *args = line.split()
    if command == "start":
        agent = start(args)
        print(agent.pid, flush=True)
    elif command in ("stop", "kill") and agent:
        agent.send_signal(signal.SIGTERM if command == "stop" else signal.SIGKILL)
        print(agent.wait(), flush=True)
        agent = None
if agent:
    agent.send_signal(signal.SIGTERM)
    agent.wait()
