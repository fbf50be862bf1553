"""Training bodies and trainings: embedded catalogue, open-data sync, search, conversation answers.

Entry points: `bot.trainings.loader.load_embedded(session)` (database build),
`bot.trainings.service.answer_trainings(...)` (conversation), `bot.trainings.sync.run_sync(...)`.
Nothing is imported or read at import time.
"""
