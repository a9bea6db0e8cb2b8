"""``build.py send DATE --what kallelse|protokoll|utdrag [--skarpt] [--igen]``.

The command line of the send step: the only module here that prints. The
summary table and the progress go to stdout; errors to stderr.
"""

from __future__ import annotations

import argparse
import sys

from ..errors import ExitCode, display_path
from .errors import SendError
from .plan import (CHANGED, NEW, SENT, Message, Report, SendPlan, check_ready, check_settings, count, deliver,
                   immediate_note, megabytes, prepare, sent_at, write_previews)
from .transport import Outcome


def run_send(args: argparse.Namespace) -> int:
    plan = prepare(args.sources, args.date.strip(), args.what, args.out)
    if not plan.messages:
        print(_nobody(plan))
        _print_without_email(plan)
        return int(ExitCode.ok)
    if not args.skarpt:
        return _dry_run(plan, args.igen)
    return _send(plan, args.igen)


def _make(plan: SendPlan, *extra: str) -> str:
    return " ".join([f"make send DATE={plan.meeting.id} WHAT={plan.what}", *extra])


def _nobody(plan: SendPlan) -> str:
    if plan.immediate_only:
        return (f"Protokollet för {plan.meeting.id} är inte justerat än, och enligt sändlistan ska inga utdrag av "
                "det som justerades omedelbart vid sammanträdet skickas. Inget att skicka.")
    if plan.what == "utdrag":
        return f"Enligt sändlistan ska inga protokollsutdrag skickas för {plan.meeting.id}. Inget att skicka."
    return f"Ingen på sändlistan för {plan.title} har en e-postadress. Inget att skicka."


def _print_without_email(plan: SendPlan) -> None:
    if plan.without_email:
        print(f"Får ingen e-post (saknar e-postadress): {', '.join(plan.without_email)}")


# ---------------------------------------------------------------- dry run


def _status(message: Message, again: bool) -> str:
    if message.status == NEW:
        return "skickas"
    if message.status == SENT:
        return f"redan skickad {sent_at(message.previous)}"
    return "ändrad, skickas igen" if again else "ändrad sedan utskicket, kräver --igen"


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [headers, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _dry_run(plan: SendPlan, again: bool) -> int:
    folder = write_previews(plan)
    total = len(plan.messages)
    print(f"Förhandsvisning av {plan.title}: {count(total)}. Inget har skickats.")
    print()
    rows = [[m.shown_recipient, m.subject, m.shown_attachment, megabytes(m.size), _status(m, again)]
            for m in plan.messages]
    print(_table(rows, ["Mottagare", "Ämne", "Bilaga", "Storlek", "Status"]))
    print()
    _print_without_email(plan)
    links = [m for m in plan.messages if m.link]
    if links:
        print(f"{count(len(links))} blir för stora med handlingarna bifogade och innehåller i stället "
              "länken. Kontrollera att filerna är publicerade där länken pekar.")
    files = count(total, ".eml-fil", ".eml-filer")
    print(f"Meddelandena finns att granska i {display_path(folder)}/ ({files}; öppna dem i e-postprogrammet).")
    pending = plan.pending(again)
    changed = [m for m in plan.messages if m.status == CHANGED]
    if plan.immediate_only:
        print(immediate_note(plan))
    if plan.what in ("protokoll", "utdrag") and not plan.adjusted and not plan.immediate_only:
        print("Protokollet är inte justerat än: det här är bara en förhandsvisning. Skarpt utskick går först "
              "när protokollet är justerat och make protokoll har körts igen.")
    elif changed and not again:
        print(f"{len(changed)} mottagare har fått en äldre version. Skicka den nya till dem: "
              f"{_make(plan, 'SKARPT=1 IGEN=1')}")
    elif pending:
        print(f"Skicka på riktigt ({count(len(pending))}): {_make(plan, 'SKARPT=1')}")
    else:
        print("Allt är redan skickat; ett skarpt utskick skulle inte skicka något.")
    return int(ExitCode.ok)


# ---------------------------------------------------------------- real send


def _send(plan: SendPlan, again: bool) -> int:
    check_ready(plan, again)
    pending = plan.pending(again)
    if pending:
        check_settings(plan.settings)
    log_path = display_path(plan.ledger.path)
    if plan.immediate_only:
        print(immediate_note(plan), flush=True)
    if pending:
        skipped = len([m for m in plan.messages if m.status == SENT])
        note = f" ({skipped} har redan fått det och hoppas över)" if skipped else ""
        print(f"Skickar {plan.title} till {len(pending)} mottagare{note} via {plan.settings.describe()} …",
              flush=True)
    done: list[Message] = []

    def progress(message: Message, outcome: Outcome) -> None:
        if outcome.accepted:
            done.append(message)
            print(f"  skickad   {message.shown_recipient}", flush=True)
        elif outcome.fatal:
            print(f"  AVBRUTET  {message.shown_recipient}: {outcome.describe()}", flush=True)
        else:
            print(f"  AVVISAD   {message.shown_recipient}: {outcome.describe()}", flush=True)

    try:
        report = deliver(plan, again=again, progress=progress)
    except KeyboardInterrupt:
        print(f"Avbrutet. {count(len(done))} hann skickas och finns i {log_path}. Kör samma kommando igen "
              "för att skicka resten; de som redan fått det får det inte igen.", file=sys.stderr)
        return int(ExitCode.ctrl_c)
    return _summary(plan, report, log_path)


def _summary(plan: SendPlan, report: Report, log_path: str) -> int:
    total = len(plan.messages)
    if not report.sent and report.complete:
        last = max((sent_at(m.previous) for m in report.already), default="tidigare")
        print(f"Allt är redan skickat: {plan.title} till {len(report.already)} mottagare (senast {last}). "
              f"Inget skickades nu.")
        return int(ExitCode.ok)
    have = len(report.sent) + len(report.already)
    if report.complete:
        print(f"Klart: {plan.title} har skickats till alla {total} mottagare. Loggen: {log_path}")
        return int(ExitCode.ok)
    print(f"{count(len(report.sent))} skickades nu; {have} av {total} mottagare har fått {plan.what}. "
          f"Loggen: {log_path}")
    problems = []
    if report.refused:
        names = "\n".join(f"  - {m.shown_recipient}: {o.describe()}" for m, o in report.refused)
        source = display_path(plan.meeting.committee.source)
        problems.append(f"E-postservern tog inte emot {count(len(report.refused))}:\n{names}\n"
                        f"Rätta adresserna (till exempel i {source}) eller vänta om felet är tillfälligt (4xx), "
                        f"och kör sedan samma kommando igen: bara de som inte fått något skickas då.")
    if report.stopped is not None:
        message, outcome = report.stopped
        left = len(report.not_sent) + 1
        problems.append(f"Utskicket avbröts vid {message.shown_recipient}: {outcome.describe()}. "
                        f"{count(left)} skickades inte. Det som skickats står i {log_path}; kör samma "
                        f"kommando igen ({_make(plan, 'SKARPT=1')}) för att skicka resten; de som redan "
                        "fått det får det inte igen.")
    print("Fel: " + "\n".join(problems), file=sys.stderr)
    return int(SendError.exit_code)
