"""The console and the in-process stand-in for the Bot API that it and the tests use."""
