"""An in-process stand-in for the Telegram Bot API.

`buurtnet console` talks to the real Application through it, and the tests use it as the
fake at the Bot API boundary: it answers each Bot API method the way Telegram would,
remembers every call, and builds the incoming updates a person would cause.
"""

import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.domain.button_data import unversioned

BOT_ID = 7000000001
BOT_USERNAME = "BuurtnetBot"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Buurtnet",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


def is_named(button: dict[str, Any], label_or_data: str) -> bool:
    """Whether a press names this button: by its label, or by its data with or without the
    version (as tests and the console's user write it)."""
    data = button.get("callback_data")
    return label_or_data in (button.get("text"), data, data and unversioned(data))


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [button for row in markup.get("inline_keyboard", []) for button in row]


class TelegramError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class FakeTelegram:
    """The Bot API's side of the conversation, without a network."""

    def __init__(self) -> None:
        self.seconds: Callable[[], float] = time.time  # the clock of message dates
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self._message_ids: dict[int, itertools.count] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self.files: dict[str, bytes] = {}
        self.blocked: set[int] = set()  # people who blocked the bot
        self.failures: dict[int, list[TelegramError]] = {}  # next answers to sends and edits

    def restart_update_ids(self, first: int) -> None:
        self._update_ids = itertools.count(first)

    # -- the Bot API ---------------------------------------------------------

    def call(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        record = Call(method=method, params=dict(params), files=dict(files or {}))
        chat_id = int(params["chat_id"]) if params.get("chat_id") is not None else None
        if method.startswith(("send", "edit")) and chat_id is not None:
            failure = (TelegramError(403, "Forbidden: bot was blocked by the user")
                       if chat_id in self.blocked else
                       self.failures.get(chat_id, []).pop(0) if self.failures.get(chat_id)
                       else None)
            if failure is not None:
                self.calls.append(record)
                raise failure
        handler = getattr(self, f"_api_{method}", None)
        try:
            record.result = handler(params, files or {}) if handler else True
        finally:
            self.calls.append(record)  # a refused call was made all the same
        return record.result

    def _api_getMe(self, params: dict, files: dict) -> dict:
        return BOT_USER

    def _new_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        message = {
            "message_id": next(counter),
            "date": int(self.seconds()),
            "chat": self.chat(chat_id),
            "from": BOT_USER,
            **content,
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _markup(self, params: dict) -> dict[str, Any]:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        return {"reply_markup": markup} if markup else {}

    def _api_sendMessage(self, params: dict, files: dict) -> dict:
        _within(params, "text", 4096, "message is too long")
        return self._new_message(
            int(params["chat_id"]), text=str(params["text"]), **self._markup(params)
        )

    def _api_sendDocument(self, params: dict, files: dict) -> dict:
        name, content, mime = next(iter(files.values()))
        file_id = f"file-{next(self._file_ids)}"
        self.files[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "mime_type": mime,
            "file_size": len(content),
        }
        extra = {"caption": str(params["caption"])} if params.get("caption") else {}
        return self._new_message(
            int(params["chat_id"]), document=document, **extra, **self._markup(params)
        )

    def _api_sendPhoto(self, params: dict, files: dict) -> dict:
        _within(params, "caption", 1024, "message caption is too long")
        photo = {"file_id": str(params["photo"]), "file_unique_id": str(params["photo"]),
                 "width": 10, "height": 10}
        extra = {"caption": str(params["caption"])} if params.get("caption") else {}
        return self._new_message(
            int(params["chat_id"]), photo=[photo], **extra, **self._markup(params)
        )

    def _api_sendLocation(self, params: dict, files: dict) -> dict:
        location = {"latitude": float(params["latitude"]),
                    "longitude": float(params["longitude"])}
        return self._new_message(int(params["chat_id"]), location=location)

    def _stored(self, params: dict) -> dict[str, Any]:
        """A message to edit; one sent before a restart is still there in Telegram."""
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        return self.messages.setdefault((chat_id, message_id), {
            "message_id": message_id, "date": int(self.seconds()), "chat": self.chat(chat_id),
            "from": BOT_USER, "text": "",
        })

    def _unchanged(self, message: dict[str, Any], params: dict, text: bool) -> None:
        """Telegram refuses an edit that changes nothing (a double tap causes one)."""
        same_text = not text or message.get("text") == str(params["text"])
        if same_text and message.get("reply_markup") == self._markup(params).get("reply_markup"):
            raise TelegramError(400, "Bad Request: message is not modified: specified new "
                                     "message content and reply markup are exactly the same")

    def _api_editMessageText(self, params: dict, files: dict) -> dict:
        _within(params, "text", 4096, "MESSAGE_TOO_LONG")
        message = self._stored(params)
        self._unchanged(message, params, text=True)
        message["text"] = str(params["text"])
        message.pop("reply_markup", None)
        message.update(self._markup(params))
        return message

    def _api_editMessageReplyMarkup(self, params: dict, files: dict) -> dict:
        message = self._stored(params)
        self._unchanged(message, params, text=False)
        message.pop("reply_markup", None)
        message.update(self._markup(params))
        return message

    def _api_deleteMessage(self, params: dict, files: dict) -> bool:
        self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
        return True

    # -- people and chats ----------------------------------------------------

    def chat(self, chat_id: int) -> dict[str, Any]:
        return self.chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "?"})

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats[user["id"]] = chat
        return chat

    def group_chat(self, chat_id: int, title: str) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self.chats[chat_id] = chat
        return chat

    # -- updates a person causes ---------------------------------------------

    def _update(self, **content: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **content}

    def _incoming(self, user: dict[str, Any], chat: dict[str, Any], **content: Any) -> dict:
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message = {
            "message_id": next(counter),
            "date": int(self.seconds()),
            "chat": chat,
            "from": user,
            **content,
        }
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def text_update(self, user: dict[str, Any], chat: dict[str, Any], text: str,
                    reply_to: int | None = None) -> dict:
        """A message typed by `user`; `reply_to`: the id of the bot's message it answers."""
        content: dict[str, Any] = {"text": text}
        if reply_to is not None:
            content["reply_to_message"] = self.messages[(int(chat["id"]), reply_to)]
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._update(message=self._incoming(user, chat, **content))

    def press_update(
        self, user: dict[str, Any], chat_id: int, message_id: int, data: str
    ) -> dict[str, Any]:
        # A message from before a restart is still there in Telegram: rebuild it bare.
        message = self.messages.get((chat_id, message_id)) or {
            "message_id": message_id, "date": int(self.seconds()), "chat": self.chat(chat_id),
            "from": BOT_USER, "text": "",
        }
        return self._update(
            callback_query={
                "id": str(next(self._callback_ids)),
                "from": user,
                "message": message,
                "chat_instance": str(chat_id),
                "data": data,
            }
        )

    def new_members_update(
        self, chat: dict[str, Any], members: list[dict[str, Any]], added_by: dict[str, Any]
    ) -> dict[str, Any]:
        return self._update(message=self._incoming(added_by, chat, new_chat_members=members))

    def left_member_update(
        self, chat: dict[str, Any], member: dict[str, Any], by: dict[str, Any]
    ) -> dict[str, Any]:
        return self._update(message=self._incoming(by, chat, left_chat_member=member))

    def photo_update(
        self, user: dict[str, Any], chat: dict[str, Any], file_id: str = "photo-1"
    ) -> dict[str, Any]:
        photo = {"file_id": file_id, "file_unique_id": file_id, "width": 10, "height": 10}
        return self._update(message=self._incoming(user, chat, photo=[photo]))

    def location_update(
        self, user: dict[str, Any], chat: dict[str, Any], latitude: float, longitude: float
    ) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        return self._update(message=self._incoming(user, chat, location=location))


def _within(params: dict, field: str, limit: int, refusal: str) -> None:
    """Telegram's limit on a text: in UTF-16 code units, after its HTML is parsed (tags
    do not count, an entity counts as the character it stands for)."""
    text = str(params.get(field) or "")
    if params.get("parse_mode") == "HTML":
        text = html.unescape(re.sub(r"<[^>]*>", "", text))
    if len(text.encode("utf-16-le")) // 2 > limit:
        raise TelegramError(400, f"Bad Request: {refusal}")


class OfflineRequest(BaseRequest):
    """PTB's network seam, answered by a FakeTelegram instead of the Bot API."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        files = {}
        if request_data and request_data.contains_files:
            files = {
                name: value
                for name, value in (request_data.multipart_data or {}).items()
                if isinstance(value, tuple)
            }
        try:
            result = self.telegram.call(api_method, params, files)
        except TelegramError as exc:
            body: dict[str, Any] = {"ok": False, "error_code": exc.code,
                                    "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return exc.code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()


class OfflineSession:
    """The real Application, started without a network, driven by people's actions."""

    def __init__(self, app: Any, telegram: FakeTelegram) -> None:
        self.app = app
        self.telegram = telegram

    @classmethod
    async def start(cls, config: Any, clock: Any = None) -> "OfflineSession":
        from bot.app import build_application, open_services
        from bot.delivery import NO_PACING

        telegram = FakeTelegram()
        app = build_application(config, clock=clock, request=OfflineRequest(telegram),
                                pacing=NO_PACING)
        app_clock = app.bot_data["clock"]
        telegram.seconds = lambda: app_clock.now().timestamp()
        await app.initialize()
        try:
            await open_services(app)
        except BaseException:
            await app.shutdown()
            raise
        # Like Telegram, go on numbering updates after the ones already handled.
        last = await app.bot_data["services"].repos.updates.latest()
        telegram.restart_update_ids(last + 1)
        return cls(app, telegram)

    async def stop(self) -> None:
        from bot.app import close_services

        await close_services(self.app)
        await self.app.shutdown()

    async def feed(self, update: dict[str, Any]) -> list[Call]:
        """Process one update; return the Bot API calls it caused."""
        from telegram import Update

        first = len(self.telegram.calls)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await self.flush()
        return self.telegram.calls[first:]

    async def flush(self) -> None:
        """Deliver everything the outbox has due, as the sender task would."""
        from bot.context import DELIVERER

        while await self.app.bot_data[DELIVERER].deliver_due():
            pass

    async def say(self, user: dict[str, Any], text: str, chat: dict | None = None) -> list[Call]:
        chat = chat or self.telegram.private_chat(user)
        return await self.feed(self.telegram.text_update(user, chat, text))

    async def press(self, user: dict[str, Any], call: Call, label_or_data: str) -> list[Call]:
        """Press the button of a message the bot sent, by its label or callback data."""
        message = call.result if isinstance(call.result, dict) else None
        if message is None:
            raise ValueError(f"{call.method} did not send a message")
        key = (message["chat"]["id"], message["message_id"])
        current = self.telegram.messages.get(key, message)
        buttons = [
            button
            for row in (current.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
        for button in buttons:
            if is_named(button, label_or_data):
                if "callback_data" not in button:
                    raise ValueError(f"button {button['text']!r} opens a link")
                return await self.feed(
                    self.telegram.press_update(user, key[0], key[1], button["callback_data"])
                )
        raise LookupError(f"no button {label_or_data!r} in {[b.get('text') for b in buttons]}")
