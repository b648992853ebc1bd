#!/usr/bin/env python3
"""A tiny webhook receiver for trying Sluice locally: prints each delivery and answers with
the status given on the command line (default 200), so you can watch retries by answering 500.

    python3 scripts/sink.py 9101          # answer 200
    python3 scripts/sink.py 9101 500      # answer 500 (deliveries are retried, then dead-lettered)
"""
import http.server
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 9101
STATUS = int(sys.argv[2]) if len(sys.argv) > 2 else 200


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        print(f"{self.path}  webhook-id={self.headers.get('webhook-id')}  attempt={self.headers.get('x-sluice-attempt')}  "
              f"type={self.headers.get('x-sluice-event-type')}  → {STATUS}\n  {body.decode(errors='replace')}", flush=True)
        self.send_response(STATUS)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
