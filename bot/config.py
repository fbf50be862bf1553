"""Settings built once from the environment, with safe local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Secrets come from the environment only."""

    var_dir: Path
    database_url: str
    http_timeout_s: float = 5.0
    live_search_budget_s: float = 2.0
    # External sources: base URLs default to the real endpoints; tests point them at 127.0.0.1.
    geo_api_url: str = "https://geo.api.gouv.fr"
    mcf_api_url: str = "https://opendata.caissedesdepots.fr"
    of_list_url: str = "https://www.data.gouv.fr/fr/datasets/r/ac59a0f5-fa83-4b82-bf12-3c5806d4f19f"
    data_inclusion_url: str = "https://api.data.inclusion.gouv.fr"  # the publisher's trusted host
    data_inclusion_token: str | None = field(default=None, repr=False)
    lba_api_url: str = "https://labonnealternance.apprentissage.beta.gouv.fr/api"
    lba_caller: str = "cap-reconversion"

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from environment variables (see docs/configuration.md)."""
        var_dir = Path(_env("CAP_VAR_DIR", str(REPO_ROOT / "var")))
        return cls(
            var_dir=var_dir,
            database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'catalogue.db'}"),
            http_timeout_s=float(_env("CAP_HTTP_TIMEOUT_S", "5")),
            live_search_budget_s=float(_env("CAP_LIVE_SEARCH_BUDGET_S", "2")),
            geo_api_url=_env("GEO_API_URL", cls.geo_api_url),
            mcf_api_url=_env("MCF_API_URL", cls.mcf_api_url),
            of_list_url=_env("OF_LIST_URL", cls.of_list_url),
            data_inclusion_url=_env("DATA_INCLUSION_API_URL", cls.data_inclusion_url),
            data_inclusion_token=os.environ.get("DATA_INCLUSION_TOKEN") or None,
            lba_api_url=_env("LBA_API_URL", cls.lba_api_url),
            lba_caller=_env("LBA_CALLER", cls.lba_caller),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings.from_env()
