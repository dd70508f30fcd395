#!/usr/bin/python3
# tests/lib/smtpd.py: a real SMTP server for the e-mail tests (issue 14
# item 6; tests/http/mail_smtp.sh), on Debian's python3-aiosmtpd.  Run it
# with Debian's /usr/bin/python3.
#
#   smtpd.py --port P --dir D [--cert C --key K] [--user U --password W]
#
# Every message received is stored as D/N.eml (the bytes as received,
# dot-stuffing undone) with D/N.json beside it: the envelope (mail_from,
# rcpt_tos), whether the session was under TLS (STARTTLS) and which user
# authenticated.  With --cert and --key it offers STARTTLS and refuses
# anything but EHLO, STARTTLS and QUIT before it; with --user it offers
# AUTH (PLAIN, LOGIN) after TLS only and refuses MAIL without it.
#
# The crash hook: when D/kill-once holds a process id, the next message is
# stored, then that process is killed (SIGKILL) and the file removed,
# before the server answers the end of DATA: the window between the
# relay's acceptance and the sender's record of it.
#
# D/ready is written once the server listens.
import argparse
import json
import os
import signal
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Store:
    def __init__(self, folder):
        self.folder = folder
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        name = "%d-%06d" % (os.getpid(), self.n)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        tmp = os.path.join(self.folder, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth": (session.auth_data.login.decode()
                     if isinstance(session.auth_data, LoginPassword) else None),
        }
        with open(os.path.join(self.folder, name + ".json"), "w") as f:
            json.dump(meta, f)
        os.rename(tmp, os.path.join(self.folder, name + ".eml"))
        hook = os.path.join(self.folder, "kill-once")
        if os.path.exists(hook):
            with open(hook) as f:
                pid = int(f.read().strip())
            os.unlink(hook)
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        return "250 2.0.0 stored as " + name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)

    kw = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kw.update(tls_context=ctx, require_starttls=True)
    if a.user:
        def check(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == a.user.encode()
                  and auth_data.password == a.password.encode())
            return AuthResult(success=ok, auth_data=auth_data if ok else None)
        kw.update(authenticator=check, auth_require_tls=bool(a.cert),
                  auth_required=True)
    ctl = Controller(Store(a.dir), hostname="127.0.0.1", port=a.port,
                     server_hostname="localhost", **kw)
    ctl.start()
    with open(os.path.join(a.dir, "ready"), "w") as f:
        f.write(str(os.getpid()))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    finally:
        ctl.stop()


if __name__ == "__main__":
    main()
