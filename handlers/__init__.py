"""The Telegram face of Buurtnet: one module per feature, each exposing ``handlers()``."""
