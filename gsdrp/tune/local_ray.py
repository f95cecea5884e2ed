"""A local Ray instance that listens on loopback only, with token authentication and a private token file.

Ray replaces a node address of 127.0.0.1 by the machine's routable address ("so other nodes can
reach it") unless multi-node clusters are switched off with ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``,
Ray's own setting for single-machine use. With it, the node address stays 127.0.0.1, and GCS, raylet,
workers, agents and the metrics endpoints all bind to 127.0.0.1 (read at import, so it is also set
on this process's already imported constant and passed to every process Ray starts).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import ray
from ray._private import ray_constants

SINGLE_MACHINE = {ray_constants.ENABLE_RAY_CLUSTERS_ENV_VAR: "0"}


def token_file() -> Path:
    """Where Ray reads its token: ``$RAY_AUTH_TOKEN_PATH``, else ``~/.ray/auth_token``."""
    return Path(os.environ.get("RAY_AUTH_TOKEN_PATH") or Path.home() / ".ray" / "auth_token")


def ensure_private_token() -> Path | None:
    """Create the token file with mode 0600 before Ray would create it world-readable; tighten an
    existing one. Nothing to do with authentication disabled or the token given in ``$RAY_AUTH_TOKEN``."""
    if os.environ.get("RAY_AUTH_MODE", "token").lower() != "token" or os.environ.get("RAY_AUTH_TOKEN"):
        return None
    path = token_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return path
    with os.fdopen(descriptor, "w") as out:
        out.write(secrets.token_hex(32))  # what `ray get-auth-token --generate` writes: 256 random bits
    return path


def start_local_ray() -> None:
    """``ray.init`` a private single-node instance: loopback only, no dashboard UI, token authentication."""
    os.environ.update(SINGLE_MACHINE)
    ray_constants.ENABLE_RAY_CLUSTER = False
    ensure_private_token()  # Ray turns token authentication on by default for a new local instance
    ray.init(_node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False)
