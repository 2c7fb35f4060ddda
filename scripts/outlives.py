#!/usr/bin/env python3
"""What a command leaves behind.

    python3 scripts/outlives.py REPORT -- COMMAND [ARG...]

Runs COMMAND (its standard streams inherited; SIGINT and SIGTERM passed on to it) as
the child of a child subreaper, so that whatever it starts and does not collect comes
here when it ends. Once COMMAND has exited, lists every process adopted meanwhile —
running, or dead and never collected by the command — and writes to REPORT:

    {"code": <COMMAND's exit status>, "left": [{"pid", "state", "name", "cmdline"}]}

Exits with COMMAND's status. Only the processes of this one command are looked at,
never every process of a kind (an unrelated Xvfb or browser on the machine is not
this command's). Used by tests/integration/keeper.rs and scripts/demo-check.sh.
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def adopted(me):
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % pid) as f:
                stat = f.read()
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmdline = f.read().replace(b'\0', b' ').decode(errors='replace').strip()
        except OSError:
            continue
        fields = stat[stat.rindex(')') + 2:].split(' ')
        if int(fields[1]) == me:
            found.append({'pid': int(pid), 'state': fields[0],
                          'name': stat[stat.index('(') + 1:stat.rindex(')')],
                          'cmdline': cmdline[:300]})
    return found


def main():
    if len(sys.argv) < 4 or sys.argv[2] != '--':
        sys.exit('usage: outlives.py REPORT -- COMMAND [ARG...]')
    report, command = sys.argv[1], sys.argv[3:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit('outlives.py: cannot become a child subreaper')
    child = subprocess.Popen(command)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda s, _f: child.send_signal(s))
    code = child.wait()
    me = os.getpid()
    left = {}
    # a moment for what the command's end orphans to be handed over, then collect
    for _ in range(3):
        time.sleep(0.1)
        for p in adopted(me):
            left.setdefault(p['pid'], p)
            try:
                os.waitpid(p['pid'], os.WNOHANG)
            except ChildProcessError:
                pass
    with open(report, 'w') as f:
        json.dump({'code': code, 'left': list(left.values())}, f)
    # what outlived is not left running for the next command to meet
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == '__main__':
    main()
