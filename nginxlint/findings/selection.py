"""--select / --ignore by rule id or prefix (`WS`, `WS00`, `WS008`).

The most specific prefix decides, as in flake8: `--ignore WS --select WS008`
runs only WS008 of the WS rules; on a tie, ignore wins.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def wants(self, rule_id: str) -> bool:
        selected = max((len(p) for p in self.select or ("",) if rule_id.startswith(p)), default=-1)
        ignored = max((len(p) for p in self.ignore if rule_id.startswith(p)), default=-1)
        return selected > ignored

    def unknown(self, rule_ids: list[str]) -> list[str]:
        """Prefixes that name no rule: almost certainly a typo."""
        return [p for p in self.select + self.ignore if not any(r.startswith(p) for r in rule_ids)]
