"""Lists of numbers as a reader writes them: '3–9, 12'."""

from __future__ import annotations


def runs_text(numbers: list[int]) -> str:
    """'3', '3, 7' or '3–9, 12': consecutive numbers joined by an en dash; "" for none."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(first) if first == last else f"{first}–{last}" for first, last in runs)
