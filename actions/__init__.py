"""Rasa SDK actions: thin adapters over bot/ (one module per conversation area).

Nothing happens at import time: services are built on the first call (actions.services).
"""
