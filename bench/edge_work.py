#!/usr/bin/env python3
"""What the edge's CPU does per ingested event, from a call-graph profile.

    perf script -i perf.data --pid EDGE_PID -F ip,sym | python3 bench/edge_work.py [US_PER_EVENT]

Each sample is put in one bucket by the frames on its whole stack (the first rule that matches
wins, so an answer written from inside Redis's reply counts as writing answers). Symbols are
demangled with `swift demangle --simplified`. With US_PER_EVENT (the edge's CPU per event in the
same phase) each share is also given in µs per event. bench/lib.sh runs it for the edge in the
ingest phase (profile-edge-ingest-work.txt).
"""
import collections
import subprocess
import sys

# (bucket, frames that must be on the stack, frames that must not be), in order.
RULES = [
    ("writing answers: rendering and the write call (its kernel part runs the receiver's TCP path)",
     ["EdgeConnectionHandler.write("], []),
    ("Redis: the write call", ["RESPCommandEncoder.flush("], []),
    ("Redis: RESP encoding", ["RESPCommandEncoder."], []),
    ("Redis: decoding replies", ["RedisReplyDecoder.channelRead("], ["IngressStore.accept("]),
    ("verification (signature header, HMAC)", ["WebhookVerifier.verify("], []),
    ("Redis: the ingest command (its arguments, sending it, its reply back to the exchange)", ["IngressStore.accept("], []),
    ("the request's head and body (headers, target, JSON check, the event)",
     ["IngressExchange.receivedHead(", "IngressRequest.event("], []),
    ("NIO's HTTP decoding", ["HTTPDecoder.decode("], ["EdgeConnectionHandler.channelRead("]),
    ("the connection handler and the exchange", ["EdgeConnectionHandler."], []),
    ("socket reads (HTTP and Redis)", ["Socket.read("], []),
    ("NIO's read path", ["BaseStreamSocketChannel.readFromSocket("], []),
    ("epoll and the event loop", ["Selector.whenReady"], ["SelectableEventLoop.handleEvent"]),
]


def samples(lines):
    stack = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield stack
            stack = []
            continue
        parts = line.split(None, 1)
        stack.append(parts[1] if len(parts) > 1 else "?")
    if stack:
        yield stack


def main():
    us = float(sys.argv[1]) if len(sys.argv) > 1 else None
    stacks = list(samples(sys.stdin))
    if not stacks:
        print("# edge_work.py: no samples")
        return
    names = sorted({frame for stack in stacks for frame in stack})
    try:
        out = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names), capture_output=True, text=True, check=True).stdout
        plain = dict(zip(names, out.split("\n")))
    except (OSError, subprocess.CalledProcessError):
        plain = {name: name for name in names}
    counts = collections.Counter()
    for stack in stacks:
        frames = [plain.get(frame, frame) for frame in stack]
        bucket = "other"
        for name, wanted, unwanted in RULES:
            if any(w in f for w in wanted for f in frames) and not any(u in f for u in unwanted for f in frames):
                bucket = name
                break
        counts[bucket] += 1
    total = len(stacks)
    print(f"# the edge's CPU by what it was doing: {total} samples, each in the first bucket its stack matches")
    print("  share" + ("  µs/event" if us else "") + "  bucket")
    for name, count in counts.most_common():
        share = 100 * count / total
        print(f"{share:6.1f}%" + (f"  {us * count / total:8.2f}" if us else "") + f"  {name}")


main()
