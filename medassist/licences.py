"""Model licences: shown before a model is first loaded, accepted once, remembered in the user config.

Acceptance comes from the user: answering yes at the prompt (`confirm`), `--accept-licence`, or
`MEDASSIST_ACCEPT_LICENCES` (a comma list of model ids, or `all`; for tests and CI). Without one,
the model is not loaded and the message says how to accept.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from .catalogue import ModelSpec
from .errors import UserError
from .types import Notice


def _read(config_file: Path) -> dict:
    try:
        return json.loads(Path(config_file).read_text())
    except (OSError, ValueError):
        return {}


def _write(config_file: Path, config: dict) -> None:
    import tempfile

    config_file = Path(config_file)
    fd, tmp = tempfile.mkstemp(dir=config_file.parent, prefix=f"{config_file.name}.tmp-")  # unique per writer
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(config, indent=2))
    os.replace(tmp, config_file)


def licence_text(spec: ModelSpec) -> str:
    return (f"{spec.id} is distributed under the {spec.licence} ({spec.licence_url}). "
            "Using it means accepting those terms.")


def accepted_by_setting(spec: ModelSpec, accepted: tuple[str, ...]) -> bool:
    """MEDASSIST_ACCEPT_LICENCES (Settings.accept_licences) names this model, or all."""
    return "all" in accepted or "1" in accepted or spec.id in accepted


def require_licence(spec: ModelSpec, config_file: Path, accept: bool = False,
                    confirm: Callable[[str], bool] | None = None, accepted: tuple[str, ...] = ()) -> Notice | None:
    """Make sure `spec`'s licence was accepted; return the notice to show when it is accepted now.
    Raises UserError (nothing loaded) when it was not accepted and cannot be asked.

    Read, check and record under a file lock: models loading side by side (a comparison, the UI's
    users, two processes) must not overwrite each other's acceptance or the rest of the config."""
    from filelock import FileLock

    Path(config_file).parent.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{config_file}.lock", timeout=60):
        return _require(spec, Path(config_file), accept, confirm, accepted)


def _require(spec: ModelSpec, config_file: Path, accept: bool, confirm, by_setting: tuple[str, ...]) -> Notice | None:
    config = _read(config_file)
    accepted = config.setdefault("licences_accepted", {})
    if spec.id in accepted and accepted[spec.id].get("licence") == spec.licence:
        return None
    how = ("--accept-licence" if accept else "MEDASSIST_ACCEPT_LICENCES" if accepted_by_setting(spec, by_setting)
           else "prompt" if confirm is not None and confirm(licence_text(spec)) else None)
    if how is None:
        raise UserError(f"{licence_text(spec)} Nothing was loaded. Accept the licence once with --accept-licence "
                        f"(or MEDASSIST_ACCEPT_LICENCES={spec.id}); it is then remembered in {config_file}.")
    accepted[spec.id] = {"licence": spec.licence, "url": spec.licence_url, "at": time.time(), "via": how}
    _write(config_file, config)
    return Notice("licence", licence_text(spec) + " Accepted; recorded in your medassist config.")
