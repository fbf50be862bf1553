"""Custom Rasa NLU components (loaded by Rasa from config.yml; never imported by the action server)."""
