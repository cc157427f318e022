"""A real SMTP server for lookout-notify's email tests (aiosmtpd, Debian's python3-aiosmtpd).

Usage: smtp_sink.py OUTDIR PORT [USER:PASSWORD|-] [CERT KEY]

Writes each received message as OUTDIR/NNN.json: the envelope, the authenticated user, the
decoded headers and the MIME parts. Recipients starting with "tempfail@" get a transient 451,
"nouser@" a permanent 550. With USER:PASSWORD, AUTH PLAIN and LOGIN are offered (without TLS
unless CERT and KEY are given). With CERT and KEY (PEM files), STARTTLS is offered and required
before MAIL, and each record says whether the message came over TLS.
Prints READY once it listens.
"""

import email
import email.policy
import json
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("tempfail@"):
            return "451 4.3.0 Try again later"
        if address.startswith("nouser@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            parts.append({
                "content_type": part.get_content_type(),
                "transfer_encoding": part.get("Content-Transfer-Encoding", ""),
                "body": part.get_content(),
            })
        auth = session.auth_data.login.decode() if session.authenticated and session.auth_data else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_user": auth,
            "tls": session.ssl is not None,
            "headers": {k: str(v) for k, v in message.items()},
            "content_type": message.get_content_type(),
            "parts": parts,
        }
        path = os.path.join(self.outdir, "%03d.json" % self.count)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Message accepted"


def main():
    outdir, port = sys.argv[1], int(sys.argv[2])
    kwargs = {}
    tls = len(sys.argv) > 5
    if len(sys.argv) > 3 and sys.argv[3] != "-":
        user, password = sys.argv[3].split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, auth_data=auth_data)

        kwargs = {"authenticator": authenticator, "auth_require_tls": tls, "auth_required": True}
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[4], sys.argv[5])
        kwargs.update(tls_context=context, require_starttls=True)
    controller = Controller(Sink(outdir), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("READY", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
