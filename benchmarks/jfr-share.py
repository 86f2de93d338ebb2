#!/usr/bin/env python3
"""The share of a thread's JFR execution samples whose stack holds a frame.

  jfr print --json --stack-depth 64 --events jdk.ExecutionSample ledger-single.jfr > samples.json
  python3 benchmarks/jfr-share.py samples.json 'ledger-api-position-poller' 'PgConnection\\.addTimerTask'

Threads and frames are regular expressions, searched in the thread's Java name and in each frame written
as package/Class.method:line. `jfr print` keeps 5 frames of each stack unless told --stack-depth: a frame
further from the leaf would be missed, so a share "inside" a method needs the whole stack.
"""
import json
import re
import sys


def frames(event):
    stack = event['values'].get('stackTrace') or {}
    return [f"{f['method']['type']['name']}.{f['method']['name']}:{f.get('lineNumber')}" for f in stack.get('frames', [])]


def main(path, thread, frame):
    events = json.load(open(path))['recording']['events']
    threads = [e for e in events if re.search(thread, e['values']['sampledThread'].get('javaName') or '')]
    hits = sum(1 for e in threads if any(re.search(frame, f) for f in frames(e)))
    share = 100 * hits / len(threads) if threads else 0
    print(f"{hits} of {len(threads)} samples of threads /{thread}/ ({share:.1f}%) hold /{frame}/; "
          f"the threads have {len(threads)} of the JVM's {len(events)} samples")


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
