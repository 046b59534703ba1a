#!/usr/bin/env python3
"""A stand-in for a third-party HTTP service (an SMS gateway, a webhook receiver) that the tests start on
loopback, for the server to talk to over the network.

    http_stand_in.py PORT LOG STATUS_FILE

Appends every request to LOG as a JSON line {"path", "headers", "body"}, and answers with the status code
in STATUS_FILE (200 when the file is missing): the test makes the service fail and recover by writing it.
A second number in the file is a delay in seconds before each answer (a slow service).
"""
import http.server
import json
import os
import sys
import time

port, log, status_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        status, delay = 200, 0.0
        if os.path.exists(status_file):
            words = open(status_file).read().split()
            status = int(words[0]) if words else 200
            delay = float(words[1]) if len(words) > 1 else 0.0
        time.sleep(delay)
        if status < 300:  # only what was accepted counts as received
            with open(log, "a", encoding="utf-8") as out:
                out.write(json.dumps({"path": self.path, "headers": dict(self.headers), "body": body},
                                     ensure_ascii=False) + "\n")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}' if status < 300 else b'{"error": "unavailable"}')

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
