"""Command line: ``build.py packet DATE`` and friends.

One top-level handler maps exceptions to exit codes and Swedish messages;
a traceback is printed only with ``-v``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from . import logconf
from .errors import ExitCode, MeetingDocsError, cap_message, display_path, shorten
from .limits import MAX_UNEXPECTED_DETAIL_CHARS
from .meetings import list_meetings

log = logging.getLogger("meetingdocs")

ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Tar fram kallelse med handlingar för en nämnds sammanträde.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="visa detaljer och felsökningsinformation")
    parser.add_argument("--sources", type=Path, default=ROOT / "sources", help="mappen med källfilerna")
    parser.add_argument("--out", type=Path, default=ROOT / "packets", help="mappen där resultatet hamnar")
    commands = parser.add_subparsers(dest="command", metavar="KOMMANDO")
    packet = commands.add_parser("packet", help="bygg kallelsen med handlingar")
    packet.add_argument("date", nargs="?", default="", metavar="DATUM", help="sammanträdets datum, ÅÅÅÅ-MM-DD")
    packet.add_argument("--strikt", action="store_true",
                        help="publicera inte om kallelsen inte kan bli tillgänglig (PDF/UA) och arkivbeständig "
                             "(PDF/A), till exempel på grund av en otillgänglig mottagen bilaga")
    protokoll = commands.add_parser("protokoll", help="skapa protokoll, protokollsutdrag och anslagsbevis")
    protokoll.add_argument("date", nargs="?", default="", metavar="DATUM", help="sammanträdets datum, ÅÅÅÅ-MM-DD")
    send = commands.add_parser("send", help="skicka kallelse, protokoll eller protokollsutdrag med e-post")
    send.add_argument("date", nargs="?", default="", metavar="DATUM", help="sammanträdets datum, ÅÅÅÅ-MM-DD")
    send.add_argument("--what", default="kallelse", choices=["kallelse", "protokoll", "utdrag"],
                      help="vad som ska skickas (standard: kallelse)")
    send.add_argument("--skarpt", action="store_true",
                      help="skicka på riktigt; utan den flaggan skrivs bara förhandsvisningar (.eml)")
    send.add_argument("--igen", action="store_true",
                      help="skicka även det som redan skickats, när handlingarna har ändrats")
    commands.add_parser("list", help="lista sammanträdena i sources/")
    from .publish.command import add_arguments as publish_arguments

    publish_arguments(commands.add_parser("publish", help="bygg webbplatsen i public/: sammanträden, protokoll, "
                                                          "anslagstavla och öppna data"), ROOT)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logconf.setup(args.verbose)
    signal.signal(signal.SIGTERM, _stop)
    try:
        return _dispatch(parser, args)
    except MeetingDocsError as exc:
        if args.verbose:
            log.exception("detaljer")
        print(f"Fel: {cap_message(exc.message)}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("Avbrutet. Inget har ändrats i packets/.", file=sys.stderr)
        return int(ExitCode.ctrl_c)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if args.verbose:
            log.exception("oväntat fel")
        print(
            f"Fel: ett oväntat fel inträffade ({type(exc).__name__}: {shorten(exc, MAX_UNEXPECTED_DETAIL_CHARS)}). "
            "Inget har ändrats i packets/. "
            "Kör igen med -v för detaljer och skicka utskriften till den som underhåller verktyget.",
            file=sys.stderr,
        )
        return int(ExitCode.other_error)


def _packet(args: argparse.Namespace) -> int:
    """Build the packet, unless the one in packets/ is what a build would make now (nothing changed)."""
    from .buildkit import TEMPLATES
    from .cache import Cache
    from .uptodate import reused_packet

    cache = Cache.from_environment()
    reused = reused_packet(args.sources, args.date.strip(), args.out, TEMPLATES, strict=args.strikt, cache=cache)
    if reused is not None:
        made = reused.result
        _print_packet(reused.target / made["pdf"], made["pages"], reused.target / made["docx"])
        return int(ExitCode.ok)
    from .packet import build_packet

    result = build_packet(args.sources, args.date.strip(), args.out, strict=args.strikt, cache=cache)
    _print_packet(result.pdf, result.pages, result.docx)
    return int(ExitCode.ok)


def _print_packet(pdf: Path, pages: int, docx: Path) -> None:
    print(f"{display_path(pdf)} ({pages} sidor)")
    print(display_path(docx))


def _stop(signum, frame) -> None:
    """SIGTERM (an ordinary kill) stops the build like Ctrl-C: temporary files and programs are cleaned up."""
    raise KeyboardInterrupt


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "packet":
        return _packet(args)
    if args.command == "protokoll":
        from .minutes.build import build_minutes

        result = build_minutes(args.sources, args.date.strip(), args.out)
        for path in result.outputs:
            print(display_path(path))
        return int(ExitCode.ok)
    if args.command == "send":
        from .send.command import run_send

        return run_send(args)
    if args.command == "publish":
        from .publish.command import run_publish

        return run_publish(args)
    if args.command == "list":
        for name in list_meetings(args.sources):
            print(name)
        return int(ExitCode.ok)
    parser.print_help(sys.stderr)
    return int(ExitCode.bad_args)
