"""The starter guideline library: fetch the raw files named in a manifest, each checked by sha256.

Files come from a local mirror directory or from the public archive over HTTPS. A file that is
missing or altered is named and skipped; files already in the library are never removed.
"""
from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import UserError

STARTER = "ngc-public"


@dataclass
class PullReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, why)

    @property
    def ok(self) -> bool:
        return not self.failed


def load_manifest(name: str = STARTER) -> dict:
    text = resources.files("guidelines_index").joinpath(f"{name}.json").read_text()
    return json.loads(text)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fetch(url: str, timeout: float) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "medassist"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.read()


def pull(dest: Path, mirror: Path | None = None, base_url: str | None = None, manifest: dict | None = None,
         progress=None, timeout: float = 30.0) -> PullReport:
    """Bring `dest` up to date with the manifest, from `mirror` if given, else from `base_url`."""
    manifest = manifest or load_manifest()
    if mirror is not None and not Path(mirror).is_dir():
        raise UserError(f"Mirror directory {mirror} does not exist. Point --mirror (or "
                        "MEDASSIST_GUIDELINES_MIRROR) at a folder holding the raw files.")
    base_url = base_url or manifest["source"]["base_url"]
    dest = Path(dest) / manifest["name"]
    dest.mkdir(parents=True, exist_ok=True)
    report = PullReport()
    for entry in manifest["files"]:
        name, expected = entry["name"], entry["sha256"]
        target = dest / name
        if target.exists() and _sha256(target.read_bytes()) == expected:
            report.unchanged.append(name)
        else:
            try:
                if mirror is not None:
                    src = Path(mirror) / name
                    if not src.exists():
                        raise FileNotFoundError(f"missing from mirror {mirror}")
                    data = src.read_bytes()
                else:
                    data = _fetch(base_url + entry["upstream_path"], timeout)
                got = _sha256(data)
                if got != expected:
                    raise ValueError(f"altered: sha256 {got[:12]}… does not match the manifest's {expected[:12]}…")
            except (OSError, ValueError, urllib.error.URLError) as exc:
                report.failed.append((name, str(getattr(exc, "reason", None) or exc)))
            else:
                tmp = target.with_name(target.name + f".part-{os.getpid()}")
                tmp.write_bytes(data)
                os.replace(tmp, target)  # a crash never leaves half a file under the real name
                report.added.append(name)
        if progress:
            progress(name)
    return report


def library_files(library_dir: Path, name: str = STARTER) -> list[Path]:
    folder = Path(library_dir) / name
    return sorted(folder.glob("*.xml")) if folder.is_dir() else []
