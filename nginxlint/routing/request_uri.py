"""nginx's request-URI normalisation (ngx_http_parse_complex_uri): percent
decoding, dot segments and merged slashes, byte for byte, so that location
matching sees the URI nginx sees (semantics §5.1)."""
from __future__ import annotations

_USUAL, _SLASH, _DOT, _DOT_DOT, _QUOTED, _QUOTED_SECOND = range(6)
_HEX = {c: int(chr(c), 16) for c in b"0123456789abcdefABCDEF"}


def normalize_uri(raw: str, merge_slashes: bool = True) -> bytes | None:
    """The path nginx matches locations against ($uri), as bytes; None when
    nginx answers 400.

    A byte-for-byte port of ngx_http_parse_complex_uri (Unix build): %XX
    decoded, and the decoded byte processed again, so %2F is a slash and
    %2e%2e a dot-dot segment, except that decoded `%`, `#` and `?` are plain
    characters; `.` and `..` segments resolved (above the root: 400); runs
    of `/` merged unless merge_slashes is off; the query and any fragment
    dropped. Non-ASCII characters are taken as their UTF-8 bytes, as a
    client sends them."""
    data = raw.encode("utf-8", "surrogateescape")
    if not data.startswith(b"/") or any(c <= 0x20 or c == 0x7F for c in data):
        return None  # ngx_http_parse_request_line rejects these
    out = bytearray()
    state = quoted_state = _USUAL
    decoded = 0
    end = len(data)
    ch, p = data[0], 1
    while p <= end:
        advance = True
        if state == _QUOTED:
            if ch not in _HEX:
                return None
            decoded, state = _HEX[ch], _QUOTED_SECOND
        elif state == _QUOTED_SECOND:
            if ch not in _HEX:
                return None
            ch = decoded * 16 + _HEX[ch]
            if ch in b"%#?":
                state = _USUAL
                out.append(ch)
            elif ch == 0:
                return None
            else:
                state, advance = quoted_state, False  # the decoded byte goes round again
        elif ch == 0x25:  # %
            quoted_state, state = state, _QUOTED
        elif ch in b"?#":
            if state == _DOT:
                out.pop()
            elif state == _DOT_DOT and not _up(out):
                return None
            return bytes(out)
        elif ch == 0x2F:  # /
            if state == _DOT:
                out.pop()
            elif state == _DOT_DOT:
                if not _up(out):
                    return None
            elif state != _SLASH or not merge_slashes:
                out.append(ch)
            state = _SLASH
        elif ch == 0x2E and state in (_SLASH, _DOT):  # .
            out.append(ch)
            state = _DOT if state == _SLASH else _DOT_DOT
        else:
            out.append(ch)
            state = _USUAL
        if advance:
            ch = data[p] if p < end else 0x20
            p += 1
    if state in (_QUOTED, _QUOTED_SECOND):
        return None
    if state == _DOT:
        out.pop()
    elif state == _DOT_DOT and not _up(out):
        return None
    return bytes(out)


def _up(out: bytearray) -> bool:
    """Drop the trailing "/.." and the segment before it, keeping that
    segment's leading slash; False when there is no segment to drop."""
    i = len(out) - 4
    while i >= 0 and out[i] != 0x2F:
        i -= 1
    if i < 0:
        return False
    del out[i + 1:]
    return True
