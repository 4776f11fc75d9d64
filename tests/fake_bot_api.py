"""A fake Telegram Bot API served over real HTTP on 127.0.0.1, for end-to-end tests.

The bot under test runs as its own process with TELEGRAM_API_BASE_URL pointing here. The
methods are answered by bot.console.offline.FakeTelegram, the same stand-in the in-process tests
use; this module adds the HTTP side: decoding PTB's form and multipart requests back into
the values FakeTelegram gets in-process, long-polled getUpdates with real offset
semantics, and helpers for a test to queue updates and wait for the bot's calls.
"""

import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from bot.console.offline import Call, FakeTelegram, TelegramError, is_named

T = TypeVar("T")

Params = dict[str, Any]
Files = dict[str, tuple[str, bytes, str]]

# Parameters whose values are strings even when they look like JSON numbers or booleans
# (PTB sends strings as they are, everything else JSON-encoded, so on the wire "42" may be
# either). Every other parameter that parses as a JSON object, array, number or boolean is
# decoded, which gives back what RequestData.parameters holds in-process.
TEXT_PARAMETERS = frozenset({
    "address", "business_connection_id", "callback_query_id", "caption", "currency",
    "custom_title", "description", "emoji", "explanation", "file_id", "first_name",
    "inline_message_id", "language_code", "last_name", "message_effect_id", "name",
    "parse_mode", "payload", "phone_number", "query", "question", "short_description",
    "start_parameter", "sticker", "text", "title", "url", "vcard",
})

_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")


# The Bot API's answers to the faults a test can inject: (status, description).
REFUSALS = {
    "retry_after": (429, "Too Many Requests: retry after {seconds}"),
    "server_error": (500, "Internal Server Error"),
    "bad_gateway": (502, "Bad Gateway"),
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "chat_not_found": (400, "Bad Request: chat not found"),
    "not_modified": (400, "Bad Request: message is not modified: specified new message "
                          "content and reply markup are exactly the same as a current content "
                          "and reply markup of the message"),
}
# ... and two that give no answer at all: "stall" (hold the request `seconds`, then close
# the connection) and "drop" (close it at once). Neither performs the method.
FAULT_KINDS = frozenset({*REFUSALS, "stall", "drop"})


@dataclass
class Fault:
    """A fault for the calls of `method` (None: every method but getUpdates) to `chat_id`
    (None: any chat), the next `times` of them (None: until healed)."""

    kind: str
    method: str | None = None
    chat_id: int | None = None
    times: int | None = None
    seconds: float = 1.0
    served: int = 0

    def applies(self, method: str, chat_id: int | None) -> bool:
        return ((self.times is None or self.served < self.times)
                and self.method in (None, method) and self.chat_id in (None, chat_id))


@dataclass(frozen=True)
class Stamp:
    """When a call reached the server (monotonic seconds), and whether a fault met it."""

    at: float
    method: str
    chat_id: int | None
    fault: str | None


def _chat_of(params: dict[str, Any]) -> int | None:
    try:
        return int(params["chat_id"]) if params.get("chat_id") is not None else None
    except (TypeError, ValueError):
        return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a Bot API value")


def decode_value(name: str, raw: str) -> Any:
    """One form field as PTB meant it: JSON-decoded unless it is a text parameter."""
    if name in TEXT_PARAMETERS:
        return raw
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except ValueError:
        return raw
    return value if isinstance(value, dict | list | int | float | bool) else raw


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], Files]:
    """Split multipart/form-data into text fields and files (name, content, MIME type)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("the multipart body could not be parsed")
    fields: dict[str, str] = {}
    files: Files = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("a multipart part has no name")
        content = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = content.decode(part.get_content_charset() or "utf-8")
        else:
            files[name] = (filename, content, part.get_content_type())
    return fields, files


def _update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _disconnected(connection: socket.socket) -> bool:
    """Whether the client has closed its end (peeking, so nothing is consumed)."""
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: "FakeBotApi"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when PTB drops a connection (it cancels long polls on shutdown)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go in two writes: without this, Nagle's algorithm and delayed
        # ACKs make every call wait some 40 ms on loopback.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        self.server.api.handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Request lines carry the token; the test output should not."""


class FakeBotApi:
    """A Bot API server for one bot token, backed by a FakeTelegram.

    All state (the FakeTelegram, the update queue, the getUpdates log) is guarded by one
    condition, which is notified whenever the bot makes a call or an update is queued.
    """

    def __init__(self, token: str, *, max_poll_seconds: float = 2.0) -> None:
        self.token = token
        self.max_poll_seconds = max_poll_seconds
        self.telegram = FakeTelegram()
        self.polls: list[Params] = []
        self._pending: list[dict[str, Any]] = []
        self._deliveries: dict[int, int] = {}
        self._allowed_updates: list[str] = []
        self._closing = False
        self.faults: list[Fault] = []
        self.stamps: list[Stamp] = []
        self.early: list[Stamp] = []
        """Calls to a chat (or, for a fault on every chat, any call) made before the
        `retry_after` it was given was over."""
        self._quiet_until: dict[int | None, float] = {}
        self._condition = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-bot-api", daemon=True
        )

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL (PTB appends the token and the method)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/bot"

    def start(self) -> "FakeBotApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._condition:
            self._closing = True
            self._condition.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- HTTP ---------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        match = _PATH.match(request.path)
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if match is None:
            self._respond(request, HTTPStatus.NOT_FOUND, self._error(404, "Not Found"))
            return
        if match["token"] != self.token:
            self._respond(request, HTTPStatus.UNAUTHORIZED, self._error(401, "Unauthorized"))
            return
        try:
            params, files = self._parameters(request, body)
        except ValueError as exc:
            self._respond(request, HTTPStatus.BAD_REQUEST,
                          self._error(400, f"Bad Request: {exc}"))
            return
        method = match["method"]
        if method.lower() != "getupdates" and not self._survives_faults(request, method, params):
            return
        try:
            if method.lower() == "getupdates":
                result: Any = self._get_updates(params, request)
            else:
                result = self._call(method, params, files)
        except TelegramError as exc:
            self._respond(request, exc.code, self._error(exc.code, exc.description))
            return
        self._respond(request, HTTPStatus.OK, {"ok": True, "result": result})

    def _survives_faults(self, request: BaseHTTPRequestHandler, method: str,
                         params: Params) -> bool:
        """Stamp the call and apply the first fault that applies to it; whether the call is
        to be performed (no fault met it)."""
        chat_id = _chat_of(params)
        with self._condition:
            now = time.monotonic()
            fault = next((f for f in self.faults if f.applies(method, chat_id)), None)
            stamp = Stamp(now, method, chat_id, fault.kind if fault else None)
            self.stamps.append(stamp)
            if now < max(self._quiet_until.get(chat_id, 0.0), self._quiet_until.get(None, 0.0)):
                self.early.append(stamp)
            if fault is None:
                return True
            fault.served += 1
            if fault.kind == "retry_after":
                self._quiet_until[fault.chat_id] = now + fault.seconds
            self._condition.notify_all()
        if fault.kind in ("stall", "drop"):
            if fault.kind == "stall":  # until its time is over, it is healed, or we stop
                with self._condition:
                    self._condition.wait_for(
                        lambda: self._closing or fault not in self.faults, fault.seconds)
            request.close_connection = True
            return False
        status, description = REFUSALS[fault.kind]
        payload = self._error(status, description.format(seconds=int(fault.seconds)))
        if fault.kind == "retry_after":
            payload["parameters"] = {"retry_after": int(fault.seconds)}
        self._respond(request, status, payload)
        return False

    # -- faults, for the test -----------------------------------------------------

    def inject(self, kind: str, *, method: str | None = None, chat_id: int | None = None,
               times: int | None = None, seconds: float = 1.0) -> Fault:
        """Make the matching calls fail (see `Fault`) until `heal`, or `times` of them."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"no such fault: {kind}")
        fault = Fault(kind, method, chat_id, times, seconds)
        with self._condition:
            self.faults.append(fault)
        return fault

    def heal(self) -> None:
        with self._condition:
            self.faults.clear()
            self._condition.notify_all()

    def performed(self, method: str | None = None) -> list[Stamp]:
        """The calls that reached the Bot API and met no fault."""
        with self._condition:
            return [s for s in self.stamps if s.fault is None
                    and method in (None, s.method)]

    @staticmethod
    def _error(code: int, description: str) -> dict[str, Any]:
        return {"ok": False, "error_code": code, "description": description}

    @staticmethod
    def _respond(request: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    @staticmethod
    def _parameters(request: BaseHTTPRequestHandler, body: bytes) -> tuple[Params, Files]:
        """The form fields (urlencoded, or multipart when PTB uploads files) and files."""
        content_type = request.headers.get("Content-Type", "")
        files: Files = {}
        if content_type.startswith("multipart/form-data"):
            fields, files = parse_multipart(content_type, body)
        else:
            fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
        return {name: decode_value(name, raw) for name, raw in fields.items()}, files

    # -- Bot API methods ----------------------------------------------------------

    def _call(self, method: str, params: Params, files: Files) -> Any:
        with self._condition:
            if method == "deleteWebhook" and params.get("drop_pending_updates"):
                self._pending.clear()
            # FakeTelegram answers getMe with the bot user, and deleteWebhook, close and
            # logOut (like any method it has no special answer for) with True.
            result = self.telegram.call(method, params, files)
            self._condition.notify_all()
            return result

    def _get_updates(
        self, params: Params, request: BaseHTTPRequestHandler
    ) -> list[dict[str, Any]]:
        """Long polling: confirm updates below `offset`, then wait for one to arrive.

        A poll whose client went away (a bot that stopped) gives up without handing out
        anything, so it cannot swallow an update meant for the next poll.
        """
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, min(float(params.get("timeout") or 0), self.max_poll_seconds))
        deadline = time.monotonic() + timeout
        with self._condition:
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"])
            if offset:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            self.polls.append(dict(params))
            self._condition.notify_all()
            while not self._deliverable() and not self._closing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(min(remaining, 0.25))
                if _disconnected(request.connection):
                    raise ConnectionAbortedError("the bot stopped waiting for updates")
            batch = self._deliverable()[:limit]
            for update in batch:
                self._deliveries[update["update_id"]] = self.delivered(update["update_id"]) + 1
            return batch

    def _deliverable(self) -> list[dict[str, Any]]:
        """Pending updates the bot asked for; like Telegram, drop the kinds it did not."""
        if self._allowed_updates:
            self._pending = [
                u for u in self._pending if _update_kind(u) in self._allowed_updates
            ]
        return self._pending

    # -- helpers for the test -----------------------------------------------------

    def queue(self, make: Callable[[FakeTelegram], dict[str, Any]]) -> dict[str, Any]:
        """Build an update with one of FakeTelegram's builders and queue it for the bot."""
        with self._condition:
            update = make(self.telegram)
            self._pending.append(update)
            self._condition.notify_all()
            return update

    def say_at_once(self, user: dict[str, Any], texts: list[str]) -> list[dict[str, Any]]:
        """`user` sends each of `texts` privately, all queued before the bot can poll: they
        reach it in one batch."""
        with self._condition:
            return [self.say(user, text) for text in texts]

    def say(self, user: dict[str, Any], text: str, chat: dict[str, Any] | None = None,
            reply_to: int | None = None) -> dict:
        """`user` sends `text` in `chat` (by default their private chat with the bot),
        as a Telegram reply to the bot's message `reply_to` if given."""
        return self.queue(
            lambda tg: tg.text_update(user, chat or tg.private_chat(user), text, reply_to)
        )

    def press(self, user: dict[str, Any], call: Call, label_or_data: str) -> dict[str, Any]:
        """`user` presses a button, by label or callback data, on the message `call` sent."""
        message = call.result if isinstance(call.result, dict) else None
        if message is None:
            raise ValueError(f"{call.method} did not send a message")
        key = (message["chat"]["id"], message["message_id"])
        with self._condition:
            current = self.telegram.messages.get(key, message)
            markup = current.get("reply_markup") or {}
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        button = next(
            (b for b in buttons if is_named(b, label_or_data)),
            None,
        )
        if button is None:
            raise LookupError(f"no button {label_or_data!r} in {[b.get('text') for b in buttons]}")
        if "callback_data" not in button:
            raise ValueError(f"button {button['text']!r} opens a link")
        data = button["callback_data"]
        return self.queue(lambda tg: tg.press_update(user, key[0], key[1], data))

    def redeliver(self, update: dict[str, Any]) -> None:
        """Offer an update again, as Telegram does when the bot never confirmed it.

        Telegram only redelivers what the bot has not confirmed with `offset`, so call this
        before the bot polls with an offset past the update, e.g. before it restarts.
        """
        with self._condition:
            self._pending = sorted([*self._pending, update], key=lambda u: u["update_id"])
            self._condition.notify_all()

    def delivered(self, update_id: int) -> int:
        """How many times getUpdates has handed out the update."""
        with self._condition:
            return self._deliveries.get(update_id, 0)

    def mark(self) -> int:
        """A position in the call log, to look only at the calls made after it."""
        with self._condition:
            return len(self.telegram.calls)

    def calls(self, since: int = 0) -> list[Call]:
        with self._condition:
            return self.telegram.calls[since:]

    def wait_until(
        self,
        check: Callable[[], T | None],
        *,
        timeout: float = 10.0,
        alive: Callable[[], bool] | None = None,
        what: str = "a condition",
    ) -> T:
        """Wait (bounded) until `check()`, evaluated under the lock, returns something.

        `alive` is asked a few times a second, so a bot process that died fails the wait
        at once instead of at the deadline.
        """
        deadline = time.monotonic() + timeout
        with self._condition:
            while (found := check()) is None:
                if alive is not None and not alive():
                    raise AssertionError(f"the bot stopped while waiting for {what}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = [(c.method, c.chat_id, c.text[:60]) for c in self.telegram.calls]
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {what}; "
                        f"last calls: {recent[-8:]}"
                    )
                self._condition.wait(min(remaining, 0.25))
            return found

    def wait_for(
        self,
        predicate: Callable[[Call], bool],
        *,
        since: int = 0,
        timeout: float = 10.0,
        alive: Callable[[], bool] | None = None,
        what: str = "a Bot API call",
    ) -> Call:
        """The first call after position `since` that matches, waiting for it if need be."""
        return self.wait_until(
            lambda: next((c for c in self.telegram.calls[since:] if predicate(c)), None),
            timeout=timeout, alive=alive, what=what,
        )

