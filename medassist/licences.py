"""Model licences: shown the first time each model is used, and remembered in the user config."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .catalogue import ModelSpec
from .types import Notice


def _read(config_file: Path) -> dict:
    try:
        return json.loads(Path(config_file).read_text())
    except (OSError, ValueError):
        return {}


def licence_text(spec: ModelSpec) -> str:
    return (f"{spec.id} is distributed under the {spec.licence} ({spec.licence_url}). "
            "Using it means accepting those terms.")


def first_use_notice(spec: ModelSpec, config_file: Path) -> Notice | None:
    """The licence notice if this model has not been used before (and remember that it has now)."""
    config = _read(config_file)
    seen = config.setdefault("licences_shown", {})
    if spec.id in seen:
        return None
    seen[spec.id] = {"licence": spec.licence, "url": spec.licence_url, "at": time.time()}
    Path(config_file).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(f"{config_file}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(config, indent=2))
    os.replace(tmp, config_file)
    return Notice("licence", licence_text(spec))
