"""Cap Reconversion domain: eligibility rules, knowledge base, places, trainings.

Usable without Rasa. Nothing happens at import time.
"""
