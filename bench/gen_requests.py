#!/usr/bin/env python3
"""Pre-signed Standard Webhooks requests for wrk (bench/wrk-ingest.lua sends them).

    python3 bench/gen_requests.py FILE COUNT SECRET [PREFIX]

Writes COUNT lines `webhook-id <TAB> webhook-timestamp <TAB> webhook-signature <TAB> body`: every
webhook-id unique (PREFIX, a random run id and the line number), the timestamp the current time
(the edge accepts ±5 minutes by default, so generate just before the run), the signature
`v1,` + base64(HMAC-SHA256(key, "{id}.{ts}.{body}")) with key = base64-decode of the secret after
`whsec_` — the same as `sluice-bench ingest` and SluiceCore's WebhookSigner. The body is the one
sluice-bench sends. About 200 bytes a line; wrk builds the full requests from them once, in init.
"""
import base64
import hashlib
import hmac
import os
import sys
import time

path, count, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3]
prefix = sys.argv[4] if len(sys.argv) > 4 else "wrk"
key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
run = os.urandom(6).hex()
ts = str(int(time.time()))
with open(path, "w", encoding="ascii") as out:
    lines = []
    for i in range(count):
        wid = f"msg_{prefix}_{run}_{i}"
        body = f'{{"type":"batch.succeeded","data":{{"batch":"batches/{i}","output_file_uri":"files/acme-{i}"}}}}'
        mac = hmac.new(key, f"{wid}.{ts}.{body}".encode(), hashlib.sha256).digest()
        lines.append(f"{wid}\t{ts}\tv1,{base64.b64encode(mac).decode()}\t{body}\n")
        if len(lines) == 10000:
            out.writelines(lines)
            lines = []
    out.writelines(lines)
