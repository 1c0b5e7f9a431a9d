"""A real SMTP server (aiosmtpd) that keeps every message it accepts and shows them over HTTP.

SMTP on 127.0.0.1:--smtp-port accepts any AUTH login and any recipient, except that faults can be
armed to imitate a provider: a recipient rejected permanently (550, a bounce at RCPT) or the next N
transactions refused temporarily (451, the outbox must retry).

HTTP on 127.0.0.1:--http-port:
  GET    /api/messages          every message, oldest first
  DELETE /api/messages          forget them
  POST   /api/faults            {"reject": ["a@b"], "fail_next": 2}
"""

import argparse
import asyncio
import time

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self) -> None:
        self.messages = []
        self.reject = set()
        self.fail_next = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_next > 0:
            self.fail_next -= 1
            return "451 4.3.0 Temporary failure, try again later"
        self.messages.append(
            {
                "id": len(self.messages) + 1,
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "auth_login": session.login_data.decode() if isinstance(session.login_data, bytes) else session.login_data,
                "received_at": time.time(),
                "raw": envelope.original_content.decode("utf-8", "replace"),
            }
        )
        return "250 2.0.0 Message accepted"


def accept_any_login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True, auth_data=getattr(auth_data, "login", None))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    args = parser.parse_args()

    sink = Sink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=args.smtp_port,
        authenticator=accept_any_login,
        auth_require_tls=False,
        server_hostname="smtp-sink.showdesk.test",
    )
    controller.start()

    async def list_messages(request):
        return web.json_response(sink.messages)

    async def clear_messages(request):
        sink.messages.clear()
        return web.json_response({"cleared": True})

    async def set_faults(request):
        body = await request.json()
        sink.reject = {address.lower() for address in body.get("reject", [])}
        sink.fail_next = int(body.get("fail_next", 0))
        return web.json_response({"reject": sorted(sink.reject), "fail_next": sink.fail_next})

    app = web.Application()
    app.router.add_get("/api/messages", list_messages)
    app.router.add_delete("/api/messages", clear_messages)
    app.router.add_post("/api/faults", set_faults)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.http_port).start()
    print("smtp sink ready: smtp %d http %d" % (args.smtp_port, args.http_port), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    asyncio.run(main())
