"""Custom Rasa input channels (registered by module path in credentials.yml)."""
