"""moto's server (python3 -m moto.server) with Nagle's algorithm off on every accepted connection.

Why: a server that writes an answer in two sends with Nagle on makes the second wait for the
client's delayed ACK (up to 40 ms on Linux) on a reused connection: the bench would measure the
socket, not the client. socketserver.StreamRequestHandler (Python's standard library) sets
TCP_NODELAY on the accepted socket when its class attribute disable_nagle_algorithm is true;
werkzeug.serving.WSGIRequestHandler derives from it. A guard, not a fix of a seen delay: with
moto 5.2.1 and werkzeug 3.1.8, 50 GetCallerIdentity calls on one kept-alive connection took the
same time with and without it (boto3 8.0 and 8.1 ms a call; the .NET SDK 11-17 ms both ways on
the loaded bench machine). Safe: if the name is missing in an installed werkzeug, the server
starts as moto's own does.

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
