#!/usr/bin/env python3
"""Builds the README's performance table from the output bench/all.sh kept in bench/results/.

    python3 bench/report.py DIR INGEST_REQUESTS E2E_EVENTS BACKLOG BACKLOG_SECONDS
"""
import re
import sys

out, ingest_n, e2e_n, backlog_n, backlog_s = sys.argv[1:6]
read = lambda name: open(f"{out}/{name}.txt", encoding="utf-8").read()
ingest, e2e, backlog = read("ingest"), read("e2e"), read("backlog")


def find(pattern, text, default="—"):
    m = re.search(pattern, text, re.M)
    return m.groups() if m else None


machine = find(r"^machine: (.*)$", ingest)
closed = r"^{}[^\n]*?, closed loop: (\d+) requests in [\d.]+ s = (\d+) req/s, p50 ([\d.]+) ms, p99 ([\d.]+) ms"
nginx = find(closed.format("nginx"), ingest)
edge = find(closed.format("sluice edge"), ingest)
opened = r"^({})[^\n]*?, open loop at (\d+) req/s offered[^:]*: (\d+) requests in [\d.]+ s = (\d+) req/s, p50 ([\d.]+) ms, p99 ([\d.]+) ms"
at30 = find(opened.format(re.escape("sluice edge (verify + AOF XADD)")), ingest)
at_quarter = find(opened.format(re.escape("sluice edge at quarter its maximum")), ingest)
at_half = find(opened.format(re.escape("sluice edge at half its maximum")), ingest)
edge_cpu = find(r"sluice edge CPU: (\d+) µs/request", ingest)
edge_rss = find(r"sluice edge peak RSS: ([\d.]+) MB", ingest)
e2e_line = r"^fan-out ×{}: .*?= (\d+) events/s, (\d+) deliveries/s; ingest→delivery p50 ([\d.]+) ms, p99 ([\d.]+) ms"
one, ten = find(e2e_line.format(1), e2e), find(e2e_line.format(10), e2e)
e2e_rss = find(r"edge peak RSS: ([\d.]+) MB, worker peak RSS: ([\d.]+) MB", e2e)
drained = find(r"(?:drained|stopped after).*?(\d+) deliveries/s", backlog)
rss_samples = [float(m) for m in re.findall(r"^\s+\d+\s+\d+\s+\d+\s+([\d.]+)\s*$", backlog, re.M)]

fmt = lambda n: f"{int(n):,}"
ms = lambda v: f"{float(v):.1f} ms" if float(v) < 1000 else f"{float(v) / 1000:.1f} s"
rows = []
if nginx:
    rows.append(("nginx answering 202, same load (ceiling)", f"bench/ingest.sh 64 {ingest_n}",
                 f"{fmt(nginx[1])} req/s, p50 {ms(nginx[2])}, p99 {ms(nginx[3])}", "—"))
if edge:
    share = f" ({100 * int(edge[1]) / int(nginx[1]):.0f}% of nginx)" if nginx else ""
    rows.append(("verified ingest (HMAC v1 + atomic dedupe/XADD), 64 connections, closed loop", f"bench/ingest.sh 64 {ingest_n}",
                 f"**{fmt(edge[1])} req/s{share}**, p50 {ms(edge[2])}, p99 {ms(edge[3])}", "≥ 30% of nginx, p99 ≤ 5 ms"))
if at30:
    rows.append((f"verified ingest, open loop at 30% of nginx ({fmt(at30[1])} req/s offered), 64 connections", "same",
                 f"{fmt(at30[3])} req/s achieved, p50 {ms(at30[4])}, p99 {ms(at30[5])} (from each request's due time)", "p99 ≤ 5 ms"))
if at_quarter:
    rows.append((f"verified ingest, open loop at a quarter of the edge's maximum ({fmt(at_quarter[1])} req/s)", "same",
                 f"p50 {ms(at_quarter[4])}, **p99 {ms(at_quarter[5])}**", "p99 ≤ 5 ms"))
if at_half:
    rows.append((f"verified ingest, open loop at half the edge's maximum ({fmt(at_half[1])} req/s)", "same",
                 f"p50 {ms(at_half[4])}, **p99 {ms(at_half[5])}**", "—"))
if edge_cpu:
    rows.append(("edge CPU per verified request (user+sys)", "same", f"{edge_cpu[0]} µs", "—"))
if edge_rss:
    rows.append(("edge peak RSS under that load", "same", f"**{edge_rss[0]} MB**", "≤ 64 MB"))
if one:
    rows.append(("end to end, fan-out ×1 (all delivered to nginx)", f"bench/e2e.sh {e2e_n} 64",
                 f"**{fmt(one[0])} events/s**; ingest→delivery p50 {ms(one[2])}, p99 {ms(one[3])}", "≥ 15,000 events/s"))
if ten:
    rows.append(("end to end, fan-out ×10", "same",
                 f"**{fmt(ten[1])} deliveries/s**; p50 {ms(ten[2])}, p99 {ms(ten[3])}", "≥ 40,000 deliveries/s"))
if e2e_rss:
    rows.append(("peak RSS during end to end", "same", f"edge {e2e_rss[0]} MB, worker {e2e_rss[1]} MB", "—"))
if drained:
    span = f"{min(rss_samples):.1f}–{max(rss_samples):.1f} MB" if rss_samples else "see bench/results/backlog.txt"
    rows.append((f"worker draining a backlog of {fmt(backlog_n)} deliveries", f"bench/backlog.sh {backlog_n} {backlog_s}",
                 f"{fmt(drained[0])} deliveries/s; worker RSS {span} while the backlog waited", "RSS flat"))

print(f"Machine: {machine[0] if machine else 'unknown'}; everything (load generator, nginx, edge, worker, Redis) on it.\n")
print("| what | command | result | target |")
print("|---|---|---|---|")
for what, command, result, target in rows:
    command = command if command == "same" else f"`{command}`"
    print(f"| {what} | {command} | {result} | {target} |")


def cpu_after(label):
    """The `NAME S s CPU = X µs per event` lines that follow the result line of run `label`."""
    start = e2e.find(label)
    if start < 0:
        return {}
    block = e2e[start:].split("\nfan-out", 1)[0]
    return {m[0]: float(m[1]) for m in re.findall(r"^\s+(\w+)\s+[\d.]+ s CPU =\s+([\d.]+) µs per event", block, re.M)}


runs = {"×1": cpu_after("fan-out ×1:"), "×10": cpu_after("fan-out ×10:")}
if any(runs.values()):
    cores = int(find(r"^machine: (\d+) cores", ingest)[0]) if find(r"^machine: (\d+) cores", ingest) else 2
    names = [n for n in ["loadgen", "edge", "worker", "redis", "nginx"] if any(n in r for r in runs.values())]
    print("\nCPU per event in the end-to-end runs (user+sys µs, from /proc), and the rate that CPU alone allows on this machine:\n")
    print("| process | fan-out ×1 | fan-out ×10 (per delivery) |")
    print("|---|---|---|")
    for n in names:
        one_v, ten_v = runs["×1"].get(n), runs["×10"].get(n)
        print(f"| {n} | {one_v:.0f} | {ten_v:.0f} ({ten_v / 10:.0f}) |" if one_v is not None and ten_v is not None else f"| {n} | {one_v} | {ten_v} |")
    t1, t10 = sum(runs["×1"].values()), sum(runs["×10"].values())
    print(f"| **total** | **{t1:.0f}** | **{t10:.0f} ({t10 / 10:.0f})** |")
    print(f"| ceiling = {cores} cores ÷ total | {cores * 1e6 / t1:,.0f} events/s | {cores * 1e6 / t10 * 10:,.0f} deliveries/s |")
