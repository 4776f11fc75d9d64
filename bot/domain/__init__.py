"""The rules of Buurtnet, in plain data: no Telegram, no database."""
