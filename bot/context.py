"""The callback context handlers get: typed access to the services."""

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Config
from bot.services import Services
from bot.storage import Repositories

SERVICES = "services"
DELIVERER = "deliverer"


class BuurtnetContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES]

    @property
    def repos(self) -> Repositories:
        return self.services.repos

    @property
    def config(self) -> Config:
        return self.services.config

    @property
    def clock(self) -> Clock:
        return self.services.clock


BuurtnetApp = Application[ExtBot, BuurtnetContext, dict, dict, dict, object]
