"""Replace a file so that readers see the old bytes or all of the new ones.

Both files nginxlint writes go through here: a report (`--output`), read by
CI while the next run writes it, and a result-cache entry, read by a run
that starts while another stores one."""
from __future__ import annotations

import contextlib
import os
import tempfile


def replace_atomically(path: str, data: bytes, mode: int | None = None, owner: tuple[int, int] | None = None) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over
    `path`. `mode` is the new file's permission bits (mkstemp's 0600 when
    None), `owner` its (uid, gid), set before the rename so the file never
    appears with the wrong owner. Raises OSError; a temporary file never
    outlives a failure or a Ctrl-C between the write and the rename."""
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".nginxlint-", dir=os.path.dirname(os.path.abspath(path)))
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        if owner is not None and owner != (os.getuid(), os.getgid()):
            os.chown(temporary, *owner)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
        temporary = None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
