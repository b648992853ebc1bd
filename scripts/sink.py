#!/usr/bin/env python3
"""A tiny webhook receiver for trying Sluice locally: prints each delivery and answers with
the status given on the command line (default 200), so you can watch retries by answering 500.
With --secret it also checks each delivery's `webhook-signature` against that tenant secret
(Standard Webhooks `v1`: HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`).

    python3 scripts/sink.py 9101                    # answer 200
    python3 scripts/sink.py 9101 500                # answer 500 (deliveries are retried, then dead-lettered)
    python3 scripts/sink.py 9101 --secret whsec_…   # answer 200 and say whether the signature verifies
"""
import base64
import hashlib
import hmac
import http.server
import sys

args = sys.argv[1:]
SECRET = None
if "--secret" in args:
    index = args.index("--secret")
    SECRET = base64.b64decode(args[index + 1].removeprefix("whsec_"))
    del args[index:index + 2]
PORT = int(args[0]) if len(args) > 0 else 9101
STATUS = int(args[1]) if len(args) > 1 else 200


def signature_note(headers, body):
    if SECRET is None:
        return ""
    signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
    expected = base64.b64encode(hmac.new(SECRET, signed, hashlib.sha256).digest()).decode()
    entries = (headers.get("webhook-signature") or "").split()
    ok = any(entry.startswith("v1,") and hmac.compare_digest(entry[3:], expected) for entry in entries)
    return "  signature ok" if ok else "  signature DOES NOT VERIFY with this secret"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        print(f"{self.path}  webhook-id={self.headers.get('webhook-id')}  attempt={self.headers.get('x-sluice-attempt')}  "
              f"type={self.headers.get('x-sluice-event-type')}  → {STATUS}{signature_note(self.headers, body)}\n"
              f"  {body.decode(errors='replace')}", flush=True)
        self.send_response(STATUS)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
