"""What the scheduler wakes up: it calls the same services as the handlers, and knows
nothing of Telegram."""
