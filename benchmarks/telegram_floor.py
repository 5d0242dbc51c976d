"""The floor of the Telegram webhook benchmark: FastAPI + aiogram with a trivial handler.

The same secret check and Update parsing as FieldChat's route, then `dp.feed_update` with
handlers that answer every message (and every button tap) with one sendMessage. Started by
benchmarks/telegram_webhook.py: `telegram_floor.py <port> <bot api url> <webhook secret>`.
"""

from __future__ import annotations

import hmac
import sys
from pathlib import Path

import uvicorn
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message, Update
from fastapi import FastAPI, HTTPException, Request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.fake_telegram import TOKEN


def floor_app(api_url: str, secret: str) -> FastAPI:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer("ok")

    @dp.callback_query()
    async def tapped(query: CallbackQuery) -> None:
        await query.answer()
        await bot.send_message(query.from_user.id, "ok")

    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/telegram/webhook")
    async def webhook(request: Request) -> dict[str, bool]:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token") or ""
        if not hmac.compare_digest(given.encode(), secret.encode()):
            raise HTTPException(401)
        update = Update.model_validate(await request.json(), context={"bot": bot})
        await dp.feed_update(bot, update)
        return {"ok": True}

    return app


if __name__ == "__main__":
    port, api_url, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uvicorn.run(floor_app(api_url, secret), host="127.0.0.1", port=port, log_level="warning", access_log=False)
