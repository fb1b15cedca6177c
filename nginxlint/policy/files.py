"""Where policy packs are: the built-in folder and the YAML files a path
names. Apart from the loader because the result cache needs them for its
key on every run, and a cache hit must not pay for importing the policy
compiler."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .model import PolicyError


def builtin_policy_dir() -> Path:
    """policies/ ships inside the wheel as nginxlint/policies; in a source
    checkout it is the top-level policies/ folder."""
    packaged = Path(str(resources.files("nginxlint"))) / "policies"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "policies"


def policy_files(path: str) -> list[str]:
    if os.path.isdir(path):
        # By name without the extension: websocket.yaml before websocket-streaming.yaml, the pack it builds on.
        names = sorted((n for n in os.listdir(path) if n.endswith((".yaml", ".yml"))), key=lambda n: (os.path.splitext(n)[0], n))
        return [os.path.join(path, n) for n in names]
    if not os.path.exists(path):
        raise PolicyError(path, None, "policy file not found")
    return [path]
