"""moto's server (python3 -m moto.server) with Nagle's algorithm off on every accepted connection.

Why: werkzeug's request handler writes an answer's headers and its body in two sends. With Nagle
on, the body waits for the client's ACK of the headers, and a keep-alive client delays that ACK
(up to 40 ms on Linux): every request to a reused connection then costs ~40 ms of idle wait, which
would measure the socket, not the client. socketserver.StreamRequestHandler (Python's standard
library) sets TCP_NODELAY on the accepted socket when its class attribute disable_nagle_algorithm
is true; werkzeug.serving.WSGIRequestHandler derives from it. Safe: if either name is missing in
an installed version, the server starts as moto's own does.

Same command line as moto's: python3 moto_server.py -H 127.0.0.1 -p PORT
"""
import sys

try:
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.disable_nagle_algorithm = True
except ImportError:  # pragma: no cover - a werkzeug without serving: moto's own behaviour
    pass

from moto.server import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
