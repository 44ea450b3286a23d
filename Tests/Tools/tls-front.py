#!/usr/bin/env python3
"""TLS in front of a plain HTTP/1.1 server on loopback, for the tests and the
benchmark of the harness's https:// path (which goes through openssl s_client).

usage: tls-front.py CERT KEY BACKEND_PORT
Prints "PORT <n>" once listening on 127.0.0.1:<n>, then serves until its
standard input closes (the parent ends, or closes it). One thread per
connection; each connection carries one request (the harness sends
Connection: close): the request is read whole, passed on, and the backend's
answer streamed back as it comes (sendall blocks: back-pressure, no buffering).
"""
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


def read_request(tls):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(65536)
        if not chunk:
            return data
        data += chunk
        if len(data) > 1 << 20:
            return data
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or b"0")
    while len(body) < length:
        chunk = tls.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def serve(conn):
    tls = None
    back = None
    try:
        conn.settimeout(30)
        tls = ctx.wrap_socket(conn, server_side=True)
        request = read_request(tls)
        back = socket.create_connection(("127.0.0.1", backend), timeout=30)
        back.sendall(request)
        while True:
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
