#!/usr/bin/env python3
"""Summaries for bench/lib.sh's phase_end: printed lines for the reader, `key<TAB>value` lines
for bench/report.py (lib.sh sorts the two apart).

    phase.py redis BEFORE AFTER PHASE EVENTS [DELIVERIES]   INFO commandstats deltas per event/delivery
    phase.py rss SAMPLES PHASE                              RSS samples (t name MB) summed up per process
    phase.py profile NAME PHASE HZ < perf-report-output     top symbols by self time (profile-NAME-PHASE.txt)
"""
import collections
import re
import shutil
import subprocess
import sys


def commandstats(path):
    """({command: calls}, {command: µs}) from INFO commandstats; the calls also hold the
    harness_<command> counts lib.sh appended. A script's µs include the commands it calls;
    reading, parsing and answering the client are in no command's."""
    calls, usec = {}, {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"^(cmdstat_)?([\w|.-]+):calls=(\d+)(?:,usec=(\d+))?", line.strip())
        if m:
            calls[m.group(2)] = int(m.group(3))
            if m.group(1) and m.group(4) is not None:
                usec[m.group(2)] = int(m.group(4))
    return calls, usec


def redis(before, after, phase, events, deliveries=""):
    (b, ub), (a, ua) = commandstats(before), commandstats(after)
    delta = {k: a.get(k, 0) - b.get(k, 0) for k in a if not k.startswith("harness_")}
    # The script's own queries (rcli) and INFO (only this script sends it) are not the gateway's.
    for k in list(delta):
        delta[k] -= a.get("harness_" + k, 0) - b.get("harness_" + k, 0)
    delta.pop("info", None)
    delta = {k: v for k, v in delta.items() if v > 0}
    total = sum(delta.values())
    # No events (the backlog has deliveries only): everything per delivery.
    events = int(events) if events else None
    deliveries = int(deliveries) if deliveries else None
    top = sorted(delta.items(), key=lambda kv: -kv[1])
    per = lambda n, d: n / d if d else 0.0
    unit, count = ("delivery", deliveries) if deliveries and deliveries != events else ("event", events)
    top_text = ", ".join(f"{k} {per(v, count):.2f}" for k, v in top[:8])
    figures = ([f"{per(total, events):.2f} per event"] if events is not None else []) + \
        ([f"{per(total, deliveries):.2f} per delivery"] if deliveries is not None else [])
    print(f"  redis commands (INFO commandstats; calls inside Lua scripts included): {', '.join(figures)}")
    print(f"    by command, per {unit}: {top_text or 'none'}")
    scripts = sum(v for k, v in delta.items() if k in ("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"))
    print(f"    of which script runs (EVAL/EVALSHA): {per(scripts, count):.2f} per {unit}")
    spent = {k: ua[k] - ub.get(k, 0) for k in ua if k != "info" and ua[k] - ub.get(k, 0) > 0}
    if spent:
        timed = ", ".join(f"{k} {per(v, count):.1f}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1])[:8])
        print(f"    Redis's time inside commands, µs per {unit} (a script's includes its calls): {timed}")
    print(f"{phase}.redis_calls\t{total}")
    if events is not None:
        print(f"{phase}.redis_per_event\t{per(total, events):.3f}")
    if deliveries is not None:
        print(f"{phase}.redis_per_delivery\t{per(total, deliveries):.3f}")
    print(f"{phase}.redis_scripts_per_{unit}\t{per(scripts, count):.3f}")
    print(f"{phase}.redis_top\t" + " ".join(f"{k}={per(v, count):.2f}" for k, v in top[:8]) + f" (per {unit})")


def rss(path, phase):
    by = collections.defaultdict(list)
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if len(parts) == 3 and parts[2] != "-":
            by[parts[1]].append(float(parts[2]))
    if not by:
        return
    text = ", ".join(f"{n} {min(v):.1f}–{max(v):.1f} MB (last {v[-1]:.1f})" for n, v in by.items())
    print(f"  RSS sampled each second ({max(len(v) for v in by.values())} samples): {text}")
    for n, v in by.items():
        print(f"{phase}.rss_min.{n}\t{min(v):.1f}")
        print(f"{phase}.rss_max.{n}\t{max(v):.1f}")
        print(f"{phase}.rss_last.{n}\t{v[-1]:.1f}")


def demangle(names):
    """Swift names made readable with swift-demangle (when the toolchain is installed)."""
    tool = shutil.which("swift-demangle")
    if not tool or not names:
        return names
    try:
        out = subprocess.run([tool, "--simplified", "--compact"], input="\n".join(names) + "\n",
                             capture_output=True, text=True, timeout=60).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return names
    return out if len(out) == len(names) else names


def profile(name, phase, hz, top=25):
    rows = []
    # perf report -n --sort dso,symbol:  "  7.45%   261  [kernel.kallsyms]  [k] symbol   -   -"
    pattern = re.compile(r"^\s*([\d.]+)%\s+(\d+)\s+(\S+)\s+\[(.)\]\s+(.*?)\s*(?:\s-\s+-)?\s*$")
    for line in sys.stdin:
        if line.startswith("#") or not line.strip():
            continue
        m = pattern.match(line)
        if m:
            rows.append([int(m.group(2)), m.group(3), m.group(5)])
    total = sum(r[0] for r in rows)
    print(f"# {name}, phase {phase}: {total} samples (cpu-clock, period {1000 / float(hz):.2f} ms); self time by object and symbol")
    print(f"# perf record -a -e cpu-clock -c {1000000000 // int(hz)} -g; perf report --no-children --sort dso,symbol --pid PID "
          f"(Swift names demangled, simplified; top {top})")
    if not total:
        return
    objects = collections.Counter()
    for row in rows:
        # Debian's redis-server is a link to redis-check-rdb, the name perf reports.
        if row[1] == "redis-check-rdb":
            row[1] = "redis-server"
        objects[row[1]] += row[0]
    print("# by object: " + ", ".join(f"{d} {100 * s / total:.1f}%" for d, s in objects.most_common(6)))
    rows.sort(key=lambda r: -r[0])
    shown = rows[:top]
    for row, sym in zip(shown, demangle([r[2] for r in shown])):
        row[2] = sym if len(sym) <= 160 else sym[:157] + "..."
    print(f"{'self':>6} {'samples':>8}  {'object':<22} symbol")
    for samples, dso, sym in shown:
        print(f"{100 * samples / total:5.1f}% {samples:8d}  {dso:<22} {sym}")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "redis":
        redis(*args)
    elif mode == "rss":
        rss(*args)
    elif mode == "profile":
        profile(*args)
    else:
        sys.exit(f"unknown mode {mode}")
