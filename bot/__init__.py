"""Buurtnet: a Telegram bot that helps neighbours in large housing complexes know each other."""
