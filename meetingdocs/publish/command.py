"""``build.py publish [DATUM] [--idag ÅÅÅÅ-MM-DD] [--webb MAPP] [--befintliga]``: what it prints."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..errors import BadArgsError, ExitCode, display_path

DEFAULT_FOLDER = "public"


def add_arguments(command: argparse.ArgumentParser, root: Path) -> None:
    command.add_argument("date", nargs="?", default="", metavar="DATUM",
                         help="bygg bara det här sammanträdets kallelse och protokoll (de andra publiceras som de "
                              "redan finns i packets/); utan datum byggs alla")
    command.add_argument("--idag", default="", metavar="ÅÅÅÅ-MM-DD",
                         help="dagen som anslagstavlan ska visa (standard: dagens datum)")
    command.add_argument("--webb", type=Path, default=root / DEFAULT_FOLDER,
                         help="mappen där webbplatsen hamnar (standard: public/)")
    command.add_argument("--befintliga", action="store_true",
                         help="bygg inga handlingar; publicera kallelser och protokoll som de redan finns i packets/")


def today_from(written: str) -> dt.date | None:
    written = written.strip()
    if not written:
        return None
    try:
        return dt.date.fromisoformat(written)
    except ValueError:
        raise BadArgsError(f"'{written}' är inget giltigt datum för --idag. Skriv det som ÅÅÅÅ-MM-DD, "
                           "till exempel --idag 2021-01-07.") from None


def run_publish(args: argparse.Namespace) -> int:
    from .site import build_site  # the builds' modules load only when the site is built

    today = today_from(args.idag)
    result = build_site(args.sources, args.out, args.webb, date=args.date.strip(), today=today,
                        existing=args.befintliga)
    board = result.board
    print(display_path(result.index))
    print(f"{result.meetings} sammanträden. Anslagstavlan {board.today.isoformat()}: "
          f"{len(board.adjustments)} tillkännagivanden om justering, {len(board.meetings)} kommande sammanträden.")
    if board.next_change is not None:
        print(f"Anslagstavlan ändras nästa gång {board.next_change.isoformat()}: bygg och ladda upp webbplatsen "
              "igen den dagen.")
    sys.stdout.flush()
    return int(ExitCode.ok)
