"""Telegram users who appear in the tests."""


def user(user_id: int, first_name: str, language: str = "en") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language}


OPERATOR = user(1001, "Olga")
CONTACT = user(2001, "Carla")
POLICE = user(2002, "Pieter", "nl")
INITIATOR = user(3001, "Ivo")
RESIDENT = user(4001, "Rosa")
DUTCH_RESIDENT = user(4002, "Daan", "nl")
NEIGHBOUR = user(4003, "Noor")
STRANGER = user(5001, "Sam")
