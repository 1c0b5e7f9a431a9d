"""Runs localstripe bound to loopback only, with its state kept in memory.

localstripe's own entry point binds every interface ('::') and pickles its whole store to the fixed
path /tmp/localstripe.pickle after every write, so parallel instances would overwrite each other's
file. Tests want neither: this starts the same aiohttp app on 127.0.0.1 and turns the dump off.
"""

import argparse
import logging
import socket

from aiohttp import web
from localstripe import resources, server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    resources.Store.dump_to_disk = lambda self: None

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))

    logger = logging.getLogger("aiohttp.access")
    logger.setLevel(logging.INFO)
    logger.addHandler(logging.StreamHandler())
    web.run_app(server.app, sock=sock, access_log=logger, print=print)


if __name__ == "__main__":
    main()
