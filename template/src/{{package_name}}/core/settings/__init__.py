"""Settings, one module per concern; `core.config` composes them."""
