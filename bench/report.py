#!/usr/bin/env python3
"""One table of every measure against its target, from what bench/all.sh's benchmarks recorded
in DIR (run.tsv, ingest.tsv, e2e.tsv, backlog.tsv, backlog-progress.tsv, profile-*.txt).

    python3 bench/report.py DIR        (Markdown on stdout; bench/all.sh writes it to DIR/results.md)
"""
import glob
import os
import re
import sys

out = sys.argv[1]


def load(name):
    values = {}
    try:
        for line in open(os.path.join(out, name), encoding="utf-8"):
            if "\t" in line:
                k, v = line.rstrip("\n").split("\t", 1)
                values[k] = v
    except FileNotFoundError:
        pass
    return values


run, ingest, e2e, backlog = load("run.tsv"), load("ingest.tsv"), load("e2e.tsv"), load("backlog.tsv")
floor = load("floor.tsv")


def num(d, k):
    try:
        return float(d[k])
    except (KeyError, ValueError):
        return None


def fmt(v, digits=0):
    return "—" if v is None else f"{v:,.{digits}f}"


def verdict(ok):
    return "—" if ok is None else ("yes" if ok else "**no**")


rows = []  # (measure, benchmark, result, target, met)


def row(measure, bench, result, target, ok):
    rows.append((measure, bench, result, target, verdict(ok)))


# --- ingest ------------------------------------------------------------------------------------
ceiling, edge_rps = num(ingest, "nginx.ceiling_rps"), num(ingest, "edge.rps")
ratio = num(ingest, "edge.ratio")
if edge_rps is not None:
    row("verified ingest, closed loop (wrk, 64 connections; server on core 1, wrk on core 0)", "ingest",
        f"{fmt(edge_rps)} req/s accepted = **{ratio:.3f}×** nginx's {fmt(ceiling)} req/s; p50 {ingest.get('edge.p50_ms', '—')} ms, "
        f"p99 {ingest.get('edge.p99_ms', '—')} ms", "≥ 0.30× nginx (wrk)", ratio is not None and ratio >= 0.30)
    pairs, median = ingest.get("edge.pair_ratios"), num(ingest, "edge.pair_ratio_median")
    if pairs and median is not None:
        each = ingest.get("edge.pair_seconds", "?")
        row(f"the same ratio in alternating pairs (nginx, then the edge, {each} s each, back to back)", "ingest",
            f"median **{median:.3f}×** ({', '.join(pairs.split())}×)", "—", None)
    non202 = num(ingest, "edge.non202")
    row("answers other than 202 in that run", "ingest", f"{fmt(non202)} ({ingest.get('edge.statuses', '')}; socket errors: "
        f"{ingest.get('edge.socket_errors', '—')})", "0", non202 == 0 if non202 is not None else None)
e_cpu, r_cpu = num(ingest, "ingest.cpu_us_per_event.edge"), num(ingest, "ingest.cpu_us_per_event.redis")
if e_cpu is not None and r_cpu is not None:
    row("edge + Redis CPU per event (user+sys)", "ingest", f"**{e_cpu + r_cpu:.1f} µs** (edge {e_cpu:.1f}, Redis {r_cpu:.1f})",
        "≤ 20 µs", e_cpu + r_cpu <= 20)
for part, label in (("quarter", "a quarter"), ("half", "half")):
    p99, offered, achieved = num(ingest, f"open_{part}.p99_ms"), num(ingest, f"open_{part}.offered"), num(ingest, f"open_{part}.achieved")
    if p99 is None:
        continue
    kept = "" if achieved is None or offered is None or achieved >= 0.95 * offered else f"; only {fmt(achieved)} req/s achieved"
    over, seconds = ingest.get(f"open_{part}.seconds_over_5ms"), ingest.get(f"open_{part}.seconds")
    if over is not None and seconds:
        kept += f"; p99 above 5 ms in {over} of its {seconds} seconds"
    row(f"ingest latency, open loop at {label} of the edge's maximum ({fmt(offered)} req/s)", "ingest",
        f"p50 {ingest.get(f'open_{part}.p50_ms', '—')} ms, **p99 {p99:.2f} ms**{kept}",
        "p99 ≤ 5 ms" if part == "half" else "—", p99 <= 5 if part == "half" else None)
if "ingest.redis_per_event" in ingest:
    row("Redis commands per event at ingest", "ingest", f"{num(ingest, 'ingest.redis_per_event'):.2f} ({ingest.get('ingest.redis_top', '')})", "—", None)

# --- end to end --------------------------------------------------------------------------------
def delivered(d, phase):
    got, want = num(d, f"{phase}.delivered"), num(d, f"{phase}.expected")
    return got, want


if "e2e-x1.events_per_s" in e2e:
    got, want = delivered(e2e, "e2e-x1")
    row("end to end, fan-out ×1", "e2e ×1", f"**{fmt(num(e2e, 'e2e-x1.events_per_s'))} events/s**; ingest→delivery p50 "
        f"{e2e.get('e2e-x1.latency_p50_ms')} ms, p99 {e2e.get('e2e-x1.latency_p99_ms')} ms; {fmt(got)} of {fmt(want)} delivered",
        "≥ 15,000 events/s", num(e2e, "e2e-x1.events_per_s") >= 15000)
    v = num(e2e, "e2e-x1.redis_per_event")
    row("Redis commands per event, fan-out ×1", "e2e ×1", f"**{v:.2f}** ({e2e.get('e2e-x1.redis_top', '')})", "≤ 4", v <= 4)
if "e2e-x10.deliveries_per_s" in e2e:
    got, want = delivered(e2e, "e2e-x10")
    row("end to end, fan-out ×10", "e2e ×10", f"**{fmt(num(e2e, 'e2e-x10.deliveries_per_s'))} deliveries/s**; ingest→delivery p50 "
        f"{e2e.get('e2e-x10.latency_p50_ms')} ms, p99 {e2e.get('e2e-x10.latency_p99_ms')} ms", "≥ 40,000 deliveries/s",
        num(e2e, "e2e-x10.deliveries_per_s") >= 40000)
    row("every delivery made, fan-out ×10", "e2e ×10", f"{fmt(got)} of {fmt(want)}", "all", got is not None and got >= want)
    v = num(e2e, "e2e-x10.cpu_us_per_delivery.worker")
    row("worker CPU per delivery, fan-out ×10", "e2e ×10", f"**{v:.1f} µs**", "≤ 25 µs", v <= 25)
    v = num(e2e, "e2e-x10.redis_per_delivery")
    row("Redis commands per delivery, fan-out ×10", "e2e ×10", f"**{v:.2f}** ({e2e.get('e2e-x10.redis_top', '')})", "≤ 1.5", v <= 1.5)

# --- backlog -----------------------------------------------------------------------------------
def rss_trend():
    """Worker RSS against drain progress: the mean over 10–30% drained against the last 20%."""
    path = os.path.join(out, "backlog-progress.tsv")
    total = num(backlog, "backlog.backlog")
    if not os.path.exists(path) or not total:
        return None
    samples = []
    for line in open(path, encoding="utf-8"):
        parts = line.split("\t")
        if len(parts) == 4 and parts[0] != "t_s" and parts[3].strip() not in ("-", ""):
            done = 1 - (int(parts[1]) + int(parts[2])) / total
            samples.append((done, float(parts[3])))
    if len(samples) < 3:
        return None
    base = [r for d, r in samples if 0.10 <= d <= 0.30] or [next(r for d, r in samples if d >= 0.10)]
    end = [r for d, r in samples if d >= 0.80] or [samples[-1][1]]
    b, e = sum(base) / len(base), sum(end) / len(end)
    # Least-squares slope of RSS against deliveries made, after the first 10%.
    xs = [(d * total, r) for d, r in samples if d >= 0.10]
    slope = None
    if len(xs) >= 3:
        mx, my = sum(x for x, _ in xs) / len(xs), sum(y for _, y in xs) / len(xs)
        var = sum((x - mx) ** 2 for x, _ in xs)
        slope = sum((x - mx) * (y - my) for x, y in xs) / var * 100000 if var else None
    return b, e, min(r for _, r in xs) if xs else b, max(r for _, r in xs) if xs else e, len(samples), slope


if "backlog.delivered" in backlog:
    n, rate, outcome = num(backlog, "backlog.backlog"), num(backlog, "backlog.deliveries_per_s"), backlog.get("backlog.outcome")
    got, received = num(backlog, "backlog.delivered"), num(backlog, "backlog.received")
    row(f"worker draining a backlog of {fmt(n)} deliveries", "backlog", f"{fmt(rate)} deliveries/s; {outcome} in "
        f"{backlog.get('backlog.elapsed_s')} s", "—", None)
    row("every delivery made, backlog drains", "backlog", f"{fmt(got)} of {fmt(n)} acknowledged, {fmt(received)} received by the sink",
        "all", outcome == "drained" and received is not None and received >= n)
    v = num(backlog, "backlog.cpu_us_per_delivery.worker")
    row("worker CPU per delivery, backlog", "backlog", f"**{v:.1f} µs**", "≤ 25 µs", v <= 25)
    v = num(backlog, "backlog.redis_per_delivery")
    row("Redis commands per delivery, backlog", "backlog", f"**{v:.2f}** ({backlog.get('backlog.redis_top', '')})", "≤ 1.5", v <= 1.5)
    trend = rss_trend()
    if trend:
        b, e, lo, hi, count, slope = trend
        flat = e - b <= max(2.0, 0.05 * b)
        trend_text = f"; trend {slope:+.2f} MB per 100,000 deliveries" if slope is not None else ""
        row("worker RSS while draining", "backlog", f"{b:.1f} MB at 10–30% drained → {e:.1f} MB over the last 20% "
            f"({e - b:+.1f} MB; {lo:.1f}–{hi:.1f} MB after the first 10%{trend_text}; {count} samples, one a second)",
            "flat (last 20% within 5% or 2 MB of 10–30%)", flat)

edge_peaks = [v for v in (num(ingest, "edge.rss_peak"), num(e2e, "e2e.rss_peak.edge")) if v is not None]
if edge_peaks:
    row("edge peak RSS (VmHWM)", "ingest, e2e", f"**{max(edge_peaks):.1f} MB** (ingest {ingest.get('edge.rss_peak', '—')}, "
        f"end to end {e2e.get('e2e.rss_peak.edge', '—')})", "≤ 64 MB", max(edge_peaks) <= 64)

# --- print -------------------------------------------------------------------------------------
print("# make bench\n")
print(f"Machine: {ingest.get('machine') or e2e.get('machine') or backlog.get('machine') or 'unknown'}; everything "
      "(load generators, nginx, edge, worker, Redis) on it.  ")
print(f"Run: {run.get('date', '—')}, commit {run.get('commit', '—')}, {run.get('binary', '—')}; {run.get('tools', '')}; "
      f"{run.get('minutes', '—')} minutes, load average before {run.get('loadavg_before', '—')}.  ")
print(f"Command: `{run.get('command', 'bench/all.sh')}`\n")

busy = []
for d, phase, label in ((ingest, "ingest", "ingest"), (e2e, "e2e-x1", "e2e ×1"), (e2e, "e2e-x10", "e2e ×10"), (backlog, "backlog", "backlog")):
    if f"{phase}.others_pct" in d:
        busy.append(f"{label} {float(d[f'{phase}.others_pct']):.0f}%")
if busy:
    print("Share of the machine's CPU used by processes outside the benchmark during each phase "
          f"(from /proc/stat; above a few % the rates and latencies are pessimistic, CPU per event much less so): {', '.join(busy)}.\n")

print("## Against the targets\n")
print("| measure | benchmark | result | target | met |")
print("|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(str(c) for c in r) + " |")

print("\n## Load generators: proof that they were not the limit\n")
print("nginx (`return 202`, one worker, core 1) measured from core 0; the edge is measured with the same wrk script, "
      "the open-loop latencies with sluice-bench.\n")
print("| generator | against nginx | needed | proven |")
print("|---|---|---|---|")
if "nginx_get.rps" in ingest:
    print(f"| wrk, plain GET | {fmt(num(ingest, 'nginx_get.rps'))} req/s (nginx {ingest.get('nginx_get.cpu_us', '—')} µs CPU per request) | the ceiling | — |")
if "nginx_lua.rps" in ingest and edge_rps:
    v = num(ingest, "nginx_lua.rps")
    print(f"| wrk + bench/wrk-ingest.lua (signed POSTs) | {fmt(v)} req/s | ≥ the edge's {fmt(edge_rps)} req/s | {verdict(v >= edge_rps)} ({v / edge_rps:.1f}×) |")
if "sluice_bench_nginx.rps" in ingest and "open_half.offered" in ingest:
    v, need = num(ingest, "sluice_bench_nginx.rps"), num(ingest, "open_half.offered")
    print(f"| sluice-bench ingest, closed loop | {fmt(v)} req/s | ≥ the highest open-loop rate, {fmt(need)} req/s | {verdict(v >= need)} ({v / need:.1f}×) |")

phases = [(ingest, "ingest", "ingest", "event"), (e2e, "e2e-x1", "e2e ×1", "event"),
          (e2e, "e2e-x10", "e2e ×10", "delivery"), (backlog, "backlog", "backlog", "delivery")]
phases = [p for p in phases if f"{p[1]}.seconds" in p[0]]
procs = ["edge", "worker", "redis", "nginx", "wrk", "loadgen"]
print("\n## Per process\n")
print("CPU (user+sys from /proc) per event — per delivery at fan-out ×10 and in the backlog — and RSS: peak (VmHWM) "
      "and the range sampled each second during the phase.\n")
print("| process | " + " | ".join(f"{label} µs/{unit}" for _, _, label, unit in phases) + " | " +
      " | ".join(f"{label} RSS MB" for _, _, label, _ in phases) + " |")
print("|---|" + "---|" * (2 * len(phases)))
for p in procs:
    cpu, rss = [], []
    for d, phase, _, unit in phases:
        v = num(d, f"{phase}.cpu_us_per_{unit}.{p}")
        cpu.append("—" if v is None else f"{v:.1f}")
        lo, hi, peak = num(d, f"{phase}.rss_min.{p}"), num(d, f"{phase}.rss_max.{p}"), num(d, f"{phase}.rss_peak.{p}")
        rss.append("—" if hi is None else f"{lo:.0f}–{hi:.0f} (peak {peak:.0f})" if peak else f"{lo:.0f}–{hi:.0f}")
    if any(c != "—" for c in cpu):
        print(f"| {p} | " + " | ".join(cpu) + " | " + " | ".join(rss) + " |")
print("\nRedis commands (INFO commandstats deltas around each phase, the script's own queries left out; a Lua "
      "script's EVALSHA and every command it calls are counted):\n")
print("| phase | per event | per delivery | by command |")
print("|---|---|---|---|")
for d, phase, label, _ in phases:
    per_e, per_d = num(d, f"{phase}.redis_per_event"), num(d, f"{phase}.redis_per_delivery")
    if per_e is not None or per_d is not None:
        print(f"| {label} | {fmt(per_e, 2)} | {fmt(per_d, 2)} | {d.get(f'{phase}.redis_top', '')} |")

if floor:
    print("\n## Floors: the worker's HTTP sender alone\n")
    print("CPU (user+sys) per request of the sending process, POSTing a webhook-sized body with a delivery's headers to "
          "nginx (`bench/floor.sh`): libcurl driven from C (`bench/curl_floor.c`) is the least a libcurl-based sender "
          "spends; Sluice's engine (`sluice-bench http`) is the worker's libcurl thread and the Swift tasks waiting on it, "
          "without Redis or signing. Beside them, the worker's whole CPU per delivery from the end-to-end runs.\n")
    print("| in flight | libcurl from C | Sluice's HTTP client | the worker, per delivery |")
    print("|---|---|---|---|")
    for inflight, phase in (("64", "e2e-x1"), ("640", "e2e-x10")):
        c, s = num(floor, f"curl_c.{inflight}.cpu_us"), num(floor, f"engine.{inflight}.cpu_us")
        unit = "event" if phase == "e2e-x1" else "delivery"
        w = num(e2e, f"{phase}.cpu_us_per_{unit}.worker")
        label = "×1" if phase == "e2e-x1" else "×10"
        print(f"| {inflight} | {fmt(c, 1)} µs ({fmt(num(floor, f'curl_c.{inflight}.rps'))} req/s) | "
              f"{fmt(s, 1)} µs ({fmt(num(floor, f'engine.{inflight}.rps'))} req/s) | {fmt(w, 1)} µs (e2e {label}) |")

if floor and num(floor, "transport.swiftnio_nio.cpu_us") is not None:
    print("\n## Floors: the edge's transport alone\n")
    print("CPU (user+sys) per request of a server on core 1 that answers every request with a fixed 202 of the edge's "
          "size, measured with wrk and the ingest benchmark's script (`bench/floor.sh`): nginx; SwiftNIO with NIO's "
          "HTTP/1.1 decoder, as in the edge (`sluice-bench serve --parser nio`); SwiftNIO with only the request framing "
          "and no decoder (`--parser none`), the least a hand-written parser on NIO could cost. Beside them, the edge's "
          "own CPU per event at ingest, which adds verification, the Redis write and its reply, and the answer.\n")
    print("| nginx | SwiftNIO + NIO's HTTP decoder | SwiftNIO, framing only | the edge, per event at ingest |")
    print("|---|---|---|---|")
    cells = [f"{fmt(num(floor, f'transport.{name}.cpu_us'), 1)} µs ({fmt(num(floor, f'transport.{name}.rps'))} req/s)"
             for name in ("nginx", "swiftnio_nio", "swiftnio_none")]
    print(f"| {' | '.join(cells)} | {fmt(num(ingest, 'ingest.cpu_us_per_event.edge'), 1)} µs |")

if floor and num(floor, "redis.ingest_script.cpu_us") is not None:
    script, noop = num(floor, "redis.ingest_script.cpu_us"), num(floor, "redis.noop_script.cpu_us")
    set_nx, xadd = num(floor, "redis.set_nx.cpu_us"), num(floor, "redis.xadd.cpu_us")
    print("\n## Floors: Redis's part of an ingest\n")
    print("Redis CPU per call (`bench/floor.sh`), driven by redis-benchmark with 16 calls per round trip, AOF as in the "
          "ingest benchmark: the edge's ingest script as shipped with an ingest call's arguments and a new webhook-id each "
          "time; a script that only returns, given the same arguments; the script's two commands sent bare. Beside them, "
          "Redis's CPU per event when the edge drives it.\n")
    print("| ingest script | no-op script, same arguments | SET … NX PX bare | XADD bare | script − (SET + XADD): Lua | Redis per event at ingest |")
    print("|---|---|---|---|---|---|")
    lua = script - set_nx - xadd if None not in (script, set_nx, xadd) else None
    print(f"| {fmt(script, 1)} µs | {fmt(noop, 1)} µs | {fmt(set_nx, 1)} µs | {fmt(xadd, 1)} µs | {fmt(lua, 1)} µs | "
          f"{fmt(num(ingest, 'ingest.cpu_us_per_event.redis'), 1)} µs |")

# Only this run's processes: other benchmarks (console.sh) may leave profiles beside them.
profiles = sorted(p for name in ("edge", "worker", "redis") for p in glob.glob(os.path.join(out, f"profile-{name}-*.txt"))
                  if not p.endswith("-work.txt"))
if profiles:
    print("\n## Where the time goes\n")
    print("`perf record -a -e cpu-clock -g` during each phase, per process: the ten symbols with the most self time "
          "(share of that process's samples). The top 25 of each are in `profile-PROCESS-PHASE.txt` beside this table.\n")
    order = {"ingest": 0, "e2e-x1": 1, "e2e-x10": 2, "backlog": 3}
    def key(path):
        m = re.match(r"profile-(\w+)-(.+)\.txt", os.path.basename(path))
        return (order.get(m.group(2), 9), procs.index(m.group(1)) if m.group(1) in procs else 9)
    for path in sorted(profiles, key=key):
        lines = open(path, encoding="utf-8").read().splitlines()
        head = lines[0].lstrip("# ") if lines else path
        by_object = next((l[2:] for l in lines if l.startswith("# by object:")), "")
        entries = [l for l in lines if re.match(r"^\s*[\d.]+%", l)][:10]
        print(f"**{head}** — {by_object}\n")
        print("| self | object | symbol |")
        print("|---|---|---|")
        for l in entries:
            m = re.match(r"^\s*([\d.]+%)\s+\d+\s+(\S+)\s+(.*)$", l)
            if m:
                sym = m.group(3).replace("|", "\\|")
                print(f"| {m.group(1)} | {m.group(2)} | `{sym}` |")
        print()

work = os.path.join(out, "profile-edge-ingest-work.txt")
if os.path.exists(work):
    lines = open(work, encoding="utf-8").read().splitlines()
    rows = [re.match(r"^\s*([\d.]+%)\s+(?:([\d.]+)\s+)?(.*)$", l) for l in lines[2:]]
    rows = [m for m in rows if m]
    if rows:
        print("**The edge at ingest, by what it was doing** (`bench/edge_work.py` over the call graphs of the same profile: "
              "each sample in the first bucket its stack matches)\n")
        print("| share | µs per event | doing |")
        print("|---|---|---|")
        for m in rows:
            print(f"| {m.group(1)} | {m.group(2) or '—'} | {m.group(3)} |")
        print()
