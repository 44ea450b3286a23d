#!/usr/bin/env python3
"""TLS in front of a plain HTTP/1.1 server on loopback, for the tests and the
benchmark of the harness's https:// path (which goes through openssl s_client).

usage: tls-front.py CERT KEY BACKEND_PORT
Prints "PORT <n>" once listening on 127.0.0.1:<n>, then serves until its
standard input closes (the parent ends, or closes it). One thread per
connection, relaying bytes both ways between the TLS connection and one
backend connection until either side closes, so a kept-alive connection
carries as many requests as the client sends on it. One thread drives both
directions (an SSL object is not for two threads at once); a blocked write
blocks the relay: back-pressure, no buffering.
"""
import select
import socket
import ssl
import sys
import threading

cert, key, backend = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print("PORT", listener.getsockname()[1], flush=True)


def serve(conn):
    tls = None
    back = None
    try:
        conn.settimeout(30)
        # No Nagle on either side (socat runs with nodelay too, as TLS fronts
        # do): a response relayed in two TLS records otherwise waited for the
        # client's delayed ACK, 40 ms, before its second record went out.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tls = ctx.wrap_socket(conn, server_side=True)
        back = socket.create_connection(("127.0.0.1", backend), timeout=30)
        back.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            readable = [tls] if tls.pending() else select.select([tls, back], [], [], 30)[0]
            if not readable:
                break  # idle for 30 s
            if tls in readable:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                back.sendall(chunk)
            if back in readable:
                chunk = back.recv(65536)
                if not chunk:
                    break
                tls.sendall(chunk)
    except (OSError, ValueError):
        pass
    finally:
        for s in (back, tls or conn):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


def accept():
    while True:
        try:
            c, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(c,), daemon=True).start()


threading.Thread(target=accept, daemon=True).start()
sys.stdin.read()
