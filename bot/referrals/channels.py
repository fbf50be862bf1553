"""Which structures can receive referrals, and where: a YAML file named by REFERRAL_STRUCTURES_FILE.

```yaml
# structure id (of the catalogue, or of the directory: "dora--…") → where its referrals go
mon-cep-arras:
  email: accueil@cep-arras.example         # receives each referral, with a link to the workspace
  workspace: "CEP Arras"                   # the counsellors' structure (accounts) that see it; default: its name
```

A structure without an entry (or without a valid e-mail, or while SMTP is not configured) cannot
receive referrals: the conversation says so and gives its contacts instead.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from bot.referrals.contact import normalise_email

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Channel:
    """Where the referrals to one structure go."""

    structure_id: str
    email: str
    workspace: str | None  # counsellors' structure label; None → the structure's name


def structures_file() -> Path:
    from bot.config import var_dir

    value = os.environ.get("REFERRAL_STRUCTURES_FILE")
    return Path(value) if value else var_dir() / "referral-structures.yml"


def load_channels(path: Path | None = None) -> dict[str, Channel]:
    """The configured channels by structure id ({} when the file is missing or unreadable)."""
    import yaml

    path = path or structures_file()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as exc:
        log.warning("referral structures file unreadable: %s", type(exc).__name__)
        return {}
    out: dict[str, Channel] = {}
    for sid, spec in (data.items() if isinstance(data, dict) else ()):
        if not isinstance(spec, dict):
            continue
        email = normalise_email(str(spec.get("email") or ""))
        if not email:
            log.warning("referral structure without a valid e-mail skipped")
            continue
        workspace = str(spec["workspace"]).strip() if spec.get("workspace") else None
        out[str(sid)] = Channel(str(sid), email, workspace)
    return out


def channel_for(structure_id: str) -> Channel | None:
    """The structure's channel when referrals can really reach it (mapping and SMTP configured)."""
    from bot.referrals.mail import smtp_settings

    if smtp_settings() is None:
        return None
    return load_channels().get(structure_id)
