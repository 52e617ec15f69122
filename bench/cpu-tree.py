"""CPU time of a whole process tree, for the synth benches.

Usage: python3 bench/cpu-tree.py OUT.json COMMAND [ARGS...]

Runs COMMAND as a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER), so processes its
descendants leave behind (esbuild's service process outlives the worker that started it) are
reparented here and reaped too; their CPU would otherwise be lost from `RUSAGE_CHILDREN`.
Writes {"status", "wall", "user", "sys"} (seconds) to OUT.json; COMMAND's output passes through.
Node has no getrusage(RUSAGE_CHILDREN) nor prctl, hence Python (on every machine the project
supports).
"""

import ctypes
import json
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main() -> int:
    out, command = sys.argv[1], sys.argv[2:]
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    t0 = time.monotonic()
    status = subprocess.call(command)
    # Reap every orphan left behind, so its CPU counts (and the tree has ended when we report).
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    wall = time.monotonic() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w", encoding="utf8") as f:
        json.dump({"status": status, "wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime}, f)
    return status


if __name__ == "__main__":
    sys.exit(main())
