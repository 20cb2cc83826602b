"""Two models starting side by side (a comparison) record their licences without racing each other."""
from __future__ import annotations

import threading

from medassist.catalogue import get_spec
from medassist.licences import _read, require_licence


def test_concurrent_acceptances_are_all_recorded(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"other": "kept"}')
    specs = ["gemma3-270m", "med42-8b", "med42-70b", "meditron-70b", "meditron3-70b", "medswallow-70b"]
    errors = []

    def accept(model_id):
        try:
            require_licence(get_spec(model_id), config, accept=True)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(m,)) for m in specs * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    saved = _read(config)
    assert saved["other"] == "kept" and set(saved["licences_accepted"]) == set(specs)
    assert not list(tmp_path.glob("config.json.tmp-*"))
