"""The demo page and the chat widget, served on :8080 (`python -m bot web`)."""
