#!/usr/bin/env python3
"""The worker's two Lua scripts driven alone, against the same writes as plain commands.

    bench/scripts_alone.py PORT [ROUNDS]      (bench/scripts-alone.sh starts the Redis and runs it)

For each case, ROUNDS batches (default 40) are prepared like the worker's — ingress entries read
by the router group, or deliveries read by the delivery group, each event with its key — and
then settled one way, measuring Redis's main-thread CPU (`INFO cpu`) around that call only:

- route, fan-out ×1 (147 events a batch) and ×10 (15 events, 150 deliveries): the route script
  as shipped; the same script without its XCLAIM guard; the same writes as plain commands in
  one MULTI/EXEC (each delivery's XADD, the index entry's XADD, the record's APPEND, one XACK and
  one XDEL for the batch).
- complete, delivered (147 deliveries a batch): the complete script as shipped; without its
  guard; its APPENDs, XACK and XDEL as plain commands in one MULTI/EXEC.

The scripts are read from Sources/SluiceRedis/Scripts, so this measures what ships. Plain
commands cannot make the writes conditional on the entries still being pending, nor set an
expiry only when an APPEND created the key: the MULTI/EXEC case is what a layout without Lua
would cost Redis, not a drop-in replacement. A tiny RESP client is built in (no packages).
"""
import os
import re
import socket
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BODY = (b'{"type":"batch.succeeded","data":{"batch":"batches/' + b"x" * 40
        + b'","state":"JOB_STATE_SUCCEEDED"},"timestamp":"2026-12-06T00:00:00Z","extra":"' + b"y" * 120 + b'"}')


class Redis:
    """Blocking RESP2 client: enough for commands, pipelines and their replies."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")

    @staticmethod
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        return b"".join(out)

    def reply(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)[:-2]
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError(f"unexpected reply {line!r}")

    def pipeline(self, commands):
        self.sock.sendall(b"".join(self.encode(c) for c in commands))
        return [self.reply() for _ in commands]

    def call(self, *args):
        return self.pipeline([list(args)])[0]

    def cpu(self):
        info = self.call("INFO", "cpu").decode()
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        return float(fields["used_cpu_user_main_thread"]) + float(fields["used_cpu_sys_main_thread"])


def swift_script(name):
    """The Lua text of a script in Sources/SluiceRedis/Scripts/NAME.swift, unescaped."""
    text = open(os.path.join(ROOT, "Sources/SluiceRedis/Scripts", name + ".swift")).read()
    block = re.search(r'"""\n(.*?)\n\s*"""', text, re.S).group(1).split("\n")
    indent = min(len(line) - len(line.lstrip()) for line in block if line.strip())
    return "\n".join(line[indent:] for line in block).replace("\\\\", "\\")


GUARD = swift_script("PendingGuard")
# Shared Lua functions each script is shipped with besides the guard.
SHARED = {"RouteScript": swift_script("ArchiveTrim") + "\n"}
UNGUARDED = "local pending = {}\nfor k = 1, n do pending[ids[k]] = true end"


def variants(name):
    shipped = GUARD + "\n" + SHARED.get(name, "") + swift_script(name) + "\n"
    unguarded = shipped.replace("local pending = stillPending(KEYS[1], group, ids)", UNGUARDED)
    assert unguarded != shipped, "the guard's call was not found in " + name
    return {"script": shipped, "no guard": unguarded}


def delivery_fields(ingress_id, webhook_id, endpoint):
    return [("ingress_id", ingress_id), ("tenant", "acme"), ("endpoint", endpoint), ("attempt", "1"),
            ("webhook_id", webhook_id), ("source", "gemini"), ("channel", "one"), ("type", "batch.succeeded"),
            ("ts", "1796533767"), ("received_at", "1796533767805"), ("body", BODY)]


class Bench:
    def __init__(self, port):
        self.r = Redis(port)
        self.seq = 0
        # Each way of a case writes under its own prefix (hash tag), so that they can take turns.
        self.prefix = "{bench}:v1:"

    def fresh_events(self, n):
        events = []
        commands = []
        for _ in range(n):
            self.seq += 1
            webhook_id = f"msg_bench_{self.seq:012d}"
            key = self.prefix + "dedupe:gemini:" + webhook_id
            commands.append(["SET", key, "1796533767805", "PX", 600000])
            events.append((webhook_id, key))
        self.r.pipeline(commands)
        return events

    def route_batch(self, n, fan):
        events = self.fresh_events(n)
        self.r.pipeline([["XADD", self.prefix + "ingress", "*", "id", w, "source", "gemini", "channel", "one",
                          "type", "batch.succeeded", "ts", "1796533767", "received_at", "1796533767805", "body", BODY]
                         for w, _ in events])
        read = self.r.call("XREADGROUP", "GROUP", "router", "c1", "COUNT", n, "STREAMS", self.prefix + "ingress", ">")
        ids = [entry[0].decode() for entry in read[0][1]]
        return [(w, k, i, [f"e{j}" for j in range(fan)]) for (w, k), i in zip(events, ids)]

    @staticmethod
    def record(webhook_id, endpoints):
        targets = ",".join(f'"acme/{e}"' for e in endpoints)
        return ('{"event":{"webhook_id":"%s","source":"gemini","channel":"one","type":"batch.succeeded",'
                '"received_at":1796533767805,"routed_at":1796533767900,"targets":[%s]}}' % (webhook_id, targets))

    def route_script(self, sha, batch):
        keys = [self.prefix + s for s in ("ingress", "deliveries", "dlq", "archive", "event-index")]
        args = ["router", 604800000, len(batch), "", 100000]
        for webhook_id, key, ingress_id, endpoints in batch:
            keys.append(key)
            args += [ingress_id, self.record(webhook_id, endpoints), len(endpoints)]
            for index, endpoint in enumerate(endpoints):
                if index > 0:
                    # As the router sends it: the first delivery's fields with this endpoint.
                    args += [0, "acme", endpoint]
                    continue
                fields = delivery_fields(ingress_id, webhook_id, endpoint)
                args.append(len(fields))
                args += [x for pair in fields for x in pair]
            args += [0, 0, 1, 4, "id", webhook_id, "source", "gemini", "type", "batch.succeeded",
                     "targets", ",".join("acme/" + e for e in endpoints)]
        return self.script_cpu(sha, keys, args, len(batch))

    def script_cpu(self, sha, keys, args, count):
        """Redis CPU for one script call that must settle all `count` of its entries."""
        before = self.r.cpu()
        reply = self.r.call("EVALSHA", sha, len(keys), *keys, *args)
        after = self.r.cpu()
        assert reply == [1] * count, reply[:5]
        return after - before

    def route_plain(self, batch):
        commands = [["MULTI"]]
        for webhook_id, key, ingress_id, endpoints in batch:
            for endpoint in endpoints:
                fields = delivery_fields(ingress_id, webhook_id, endpoint)
                commands.append(["XADD", self.prefix + "deliveries", "*"] + [x for pair in fields for x in pair])
            commands.append(["XADD", self.prefix + "event-index", "MAXLEN", "~", 100000, "*", "id", webhook_id,
                             "source", "gemini", "type", "batch.succeeded", "targets", ",".join("acme/" + e for e in endpoints)])
            commands.append(["APPEND", key, self.record(webhook_id, endpoints) + "\n"])
        ids = [b[2] for b in batch]
        commands += [["XACK", self.prefix + "ingress", "router"] + ids, ["XDEL", self.prefix + "ingress"] + ids, ["EXEC"]]
        before = self.r.cpu()
        replies = self.r.pipeline(commands)
        after = self.r.cpu()
        assert isinstance(replies[-1], list), replies[-1]
        return after - before

    def complete_batch(self, n):
        events = self.fresh_events(n)
        self.r.pipeline([["XADD", self.prefix + "deliveries", "*"] + [x for pair in delivery_fields("1-1", w, "e0") for x in pair]
                         for w, _ in events])
        read = self.r.call("XREADGROUP", "GROUP", "delivery", "c1", "COUNT", n, "STREAMS", self.prefix + "deliveries", ">")
        ids = [entry[0].decode() for entry in read[0][1]]
        line = '{"target":"acme/e0","at":1796533767905,"attempt":1,"status":200,"duration_ms":3,"outcome":"delivered"}'
        return [(k, i, line) for (_, k), i in zip(events, ids)]

    def complete_script(self, sha, batch):
        keys = [self.prefix + s for s in ("deliveries", "retry", "dlq", "waiting")]
        args = ["delivery", 604800000, len(batch)]
        # As the worker sends a delivered one: the retry set's key in its own key's place, no id.
        for key, stream_id, line in batch:
            keys += [self.prefix + "retry", key]
            args += [stream_id, "delivered", "", 0, line, 0]
        return self.script_cpu(sha, keys, args, len(batch))

    def complete_plain(self, batch):
        ids = [b[1] for b in batch]
        commands = [["MULTI"]] + [["APPEND", key, line + "\n"] for key, _, line in batch]
        commands += [["XACK", self.prefix + "deliveries", "delivery"] + ids, ["XDEL", self.prefix + "deliveries"] + ids, ["EXEC"]]
        before = self.r.cpu()
        self.r.pipeline(commands)
        after = self.r.cpu()
        return after - before


def main():
    port = int(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    bench = Bench(port)
    r = bench.r
    r.call("FLUSHALL")
    print("| case | way | Redis main-thread CPU |")
    print("|---|---|---|")
    # The ways of a case take turns batch by batch, so that whatever else the machine does
    # falls on all of them alike.
    cases = [
        ("route ×1, 147 events a batch", "RouteScript", "ingress", "router", lambda: bench.route_batch(147, 1), 147, "event"),
        ("route ×10, 15 events a batch", "RouteScript", "ingress", "router", lambda: bench.route_batch(15, 10), 150, "delivery"),
        ("complete, delivered, 147 a batch", "CompleteScript", "deliveries", "delivery", lambda: bench.complete_batch(147), 147, "delivery"),
    ]
    for number, (label, script, stream, group, prepare, units, unit) in enumerate(cases):
        ways = list(variants(script).items()) + [("MULTI/EXEC", None)]
        shas, spent = {}, {way: 0.0 for way, _ in ways}
        for index, (way, source) in enumerate(ways):
            bench.prefix = f"{{bench-{number}-{index}}}:v1:"
            r.call("XGROUP", "CREATE", bench.prefix + stream, group, "0", "MKSTREAM")
            shas[way] = r.call("SCRIPT", "LOAD", source).decode() if source else None
        for _ in range(rounds):
            for index, (way, _) in enumerate(ways):
                bench.prefix = f"{{bench-{number}-{index}}}:v1:"
                batch = prepare()
                if script == "RouteScript":
                    spent[way] += bench.route_script(shas[way], batch) if shas[way] else bench.route_plain(batch)
                else:
                    spent[way] += bench.complete_script(shas[way], batch) if shas[way] else bench.complete_plain(batch)
        for way, _ in ways:
            print(f"| {label} | {way} | {spent[way] / rounds / units * 1e6:.1f} µs per {unit} |")


if __name__ == "__main__":
    main()
