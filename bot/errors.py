"""Domain errors. `bot/` raises these; the edges (CLI, actions) turn them into French words."""

from __future__ import annotations


class BotError(Exception):
    """Base class of every error the domain raises on purpose."""

    #: A plain-French message a person can read.
    message_fr: str = "Une erreur est survenue."

    def __init__(self, message: str = "", *, message_fr: str | None = None) -> None:
        super().__init__(message or self.message_fr)
        if message_fr is not None:
            self.message_fr = message_fr


class InvalidProfile(BotError):
    """A profile breaks the contract schema (`shared/contract/profile.schema.json`)."""

    def __init__(self, field: str, detail_en: str, detail_fr: str) -> None:
        self.field = field
        super().__init__(f"invalid profile field '{field}': {detail_en}",
                         message_fr=f"Profil invalide, champ « {field} » : {detail_fr}")


class UnknownDispositif(BotError):
    """An id that is not in the catalogue of dispositifs."""

    def __init__(self, dispositif_id: str) -> None:
        self.dispositif_id = dispositif_id
        super().__init__(f"unknown dispositif id '{dispositif_id}'",
                         message_fr=f"Je ne connais pas le dispositif « {dispositif_id} ».")


class RuleFileError(BotError):
    """A rule file is malformed (caught by the schema check in tests)."""


class PlaceNotFound(BotError):
    """What the person typed does not match any commune."""


class SourceUnavailable(BotError):
    """An external data source failed (timeout, HTTP error, malformed body)."""

    message_fr = "La source de données ne répond pas pour le moment."


class DataError(BotError):
    """A data file or catalogue row is invalid."""
