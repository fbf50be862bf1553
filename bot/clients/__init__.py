"""One client per external open-data API (requests.Session, explicit timeouts, bounded retries).

Each client parses what it receives into dataclasses at the boundary and raises
`bot.clients.http.SourceError` (a `bot.errors.SourceUnavailable`) when a source fails.
"""
