#!/usr/bin/env python3
"""Measure how fast the packet builds: `make bench` (not part of `make test`).

In one run, on this machine, printed as a Markdown table and written to
packets/bench/latest.md:

* the demo meeting (sources/2020-12-11): a cold build against one bare
  soffice batch of the very documents the build converted (captured from
  the build itself); a rebuild with nothing changed and one after editing
  one tjänsteskrivelse, against the cold build. Medians of --repeat runs,
  interleaved, so that a busy neighbour slows all kinds alike;
* synthetic meetings of N ärenden (scripts/synthetic_meeting.py): wall
  time, pages, time per page, CPU time per wall second (2.0 on two busy
  cores), the peak memory of the build's own Python process (LibreOffice
  not counted), and the LibreOffice-only floor: the same documents,
  converted by as many bare soffice processes as the build uses, shared
  out alike, with warm profiles.

Every build is a real `build.py packet` in a subprocess, into folders of
its own under a temporary directory. A cold build gets an empty cache
folder in $MEETINGDOCS_CACHE (and $XDG_CACHE_HOME); the rebuilds after it
keep that folder.

Usage:  .venv/bin/python scripts/bench.py [--n 10 20 40 80] [--repeat 3] [--no-demo]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic_meeting  # noqa: E402
from meetingdocs.tools import libreoffice  # noqa: E402

DEMO = "2020-12-11"
REPORT = ROOT / "packets" / "bench" / "latest.md"
CACHE_ENV = "MEETINGDOCS_CACHE"  # where the build's cache (issue 11) is to live; empty for a cold build
EDITED_CASE = Path("budget-2021.md")  # the demo tjänsteskrivelse that the "one edit" rebuild changes
BUILD_TIMEOUT = 1800

# Runs build.py in this process and writes the peak resident memory of this process alone (KiB) to argv[1].
_MEASURED_BUILD = """\
import atexit, resource, runpy, sys
report = sys.argv.pop(1)
def _report():
    with open(report, "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
atexit.register(_report)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""

# Copies the documents of every soffice call into $BENCH_CAPTURE/<call>/, then runs the real soffice.
_CAPTURING_SOFFICE = """\
#!/bin/sh
dir="$BENCH_CAPTURE/$(date +%s%N)-$$"
mkdir -p "$dir"
for a in "$@"; do case "$a" in *.docx|*.odt) cp "$a" "$dir/";; esac; done
exec "$BENCH_REAL_SOFFICE" "$@"
"""


@dataclass(frozen=True)
class Build:
    wall: float
    cpu: float  # user + system seconds of the build and every program it ran
    peak_mb: float  # the build's own Python process
    pages: int

    @property
    def busy(self) -> float:
        return self.cpu / self.wall


@dataclass(frozen=True)
class Meeting:
    """A sources folder with one meeting, and the folders a bench run builds it into."""

    sources: Path
    date: str
    work: Path

    @property
    def packet(self) -> Path:
        return self.work / "packets" / self.date / "kallelse.pdf"


# ------------------------------------------------------------------ builds


def build(meeting: Meeting, *, cold: bool, capture: Path | None = None) -> Build:
    """Run `build.py packet` on ``meeting``; cold: into a fresh output folder with an empty cache."""
    out, cache = meeting.work / "packets", meeting.work / "cache"
    if cold:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, CACHE_ENV: str(cache), "XDG_CACHE_HOME": str(cache)}
    if capture is not None:
        env.update(_capturing(meeting.work, capture))
    report = meeting.work / "peak-kib.txt"
    argv = [sys.executable, "-c", _MEASURED_BUILD, str(report), str(ROOT / "build.py"),
            "--sources", str(meeting.sources), "--out", str(out), "packet", meeting.date]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                            stdin=subprocess.DEVNULL)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"Bygget av {meeting.sources / meeting.date} misslyckades ({result.returncode}):\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Build(wall, cpu, int(report.read_text()) / 1024, pdf_pages(meeting.packet))


def _capturing(work: Path, capture: Path) -> dict[str, str]:
    script = work / "soffice-som-sparar"
    script.write_text(_CAPTURING_SOFFICE, encoding="utf-8")
    script.chmod(0o755)
    return {libreoffice.SOFFICE_ENV: str(script), "BENCH_CAPTURE": str(capture),
            "BENCH_REAL_SOFFICE": libreoffice.soffice_path()}


def converted_documents(capture: Path) -> list[Path]:
    """Every document the build had LibreOffice convert, once each (the TOC may be rendered twice)."""
    latest: dict[str, Path] = {}
    for call in sorted(capture.iterdir()):
        for document in sorted(call.iterdir()):
            latest[document.name] = document
    return list(latest.values())


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


# -------------------------------------------------------- LibreOffice alone


class Floor:
    """Bare soffice runs of a set of documents: warm profiles, the build's PDF options, no build around."""

    def __init__(self, documents: list[Path], work: Path):
        self.documents = documents
        self.work = work
        self.home = work / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.warm: set[int] = set()

    def seconds(self, processes: int) -> float:
        """Wall time of converting all documents with ``processes`` soffice processes at once."""
        out = self.work / f"ut-{processes}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        batches = libreoffice.share_out(self.documents, [out / f"{d.stem}.pdf" for d in self.documents], processes)
        for batch in batches:
            self._warm_up(batch.number)
        started = time.monotonic()
        with contextlib.ExitStack() as running:
            procs = [running.enter_context(self._soffice(batch.number, out, batch.sources)) for batch in batches]
            for proc in procs:
                proc.wait(timeout=BUILD_TIMEOUT)
        wall = time.monotonic() - started
        missing = [d.name for d in self.documents if not (out / f"{d.stem}.pdf").is_file()]
        if missing:
            sys.exit(f"LibreOffice gjorde ingen PDF av {', '.join(missing)}")
        return wall

    def _warm_up(self, number: int) -> None:
        if number not in self.warm:
            with self._soffice(number, self.work / "uppvarmning", self.documents[:1]) as proc:
                proc.wait(timeout=BUILD_TIMEOUT)
            self.warm.add(number)

    @contextlib.contextmanager
    def _soffice(self, number: int, out: Path, documents):
        """soffice in a process group of its own, killed with all its helpers when the block is left."""
        profile = (self.work / f"profil-{number}").resolve()
        argv = [libreoffice.soffice_path(), "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                f"-env:UserInstallation={profile.as_uri()}", "--convert-to", libreoffice.pdf_filter(),
                "--outdir", str(out), *map(str, documents)]
        proc = subprocess.Popen(argv, env={**os.environ, "HOME": str(self.home)}, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ------------------------------------------------------------ measurements


@dataclass(frozen=True)
class DemoResult:
    documents: int
    cold: float
    bare: float  # one soffice process, all documents
    floor: float  # as many processes as the build uses
    unchanged: float
    edited: float
    pages: int


@dataclass(frozen=True)
class SizeResult:
    items: int
    documents: int  # converted and received PDF
    converted: int
    build: Build
    floor: float


def bench_demo(tmp: Path, repeat: int, processes: int) -> DemoResult:
    meeting = Meeting(tmp / "demo" / "sources", DEMO, tmp / "demo")
    shutil.copytree(ROOT / "sources", meeting.sources)
    capture = meeting.work / "fangat"
    cold, bare, floor, unchanged, edited = [], [], [], [], []
    floor_runs = None
    for run in range(1, repeat + 1):
        progress(f"demo {run}/{repeat}: kallt bygge")
        cold.append(build(meeting, cold=True, capture=capture if floor_runs is None else None))
        if floor_runs is None:
            floor_runs = Floor(converted_documents(capture), meeting.work / "golv")
        progress(f"demo {run}/{repeat}: LibreOffice ensamt")
        bare.append(floor_runs.seconds(1))
        floor.append(floor_runs.seconds(processes) if processes > 1 else bare[-1])
        progress(f"demo {run}/{repeat}: ombyggen")
        unchanged.append(build(meeting, cold=False))
        edit_case(meeting.sources / DEMO / EDITED_CASE, run)
        edited.append(build(meeting, cold=False))
    return DemoResult(len(floor_runs.documents), median(b.wall for b in cold), statistics.median(bare),
                      statistics.median(floor), median(b.wall for b in unchanged), median(b.wall for b in edited),
                      cold[-1].pages)


def edit_case(path: Path, run: int) -> None:
    """A secretary's correction: one more sentence in the tjänsteskrivelse's last section."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text} Rättat belopp enligt beslut, version {run}.\n", encoding="utf-8")


def bench_size(tmp: Path, items: int, processes: int) -> SizeResult:
    meeting = Meeting(tmp / f"n{items}" / "sources", synthetic_meeting.DATE, tmp / f"n{items}")
    synthetic_meeting.write_meeting(meeting.sources, items)
    capture = meeting.work / "fangat"
    progress(f"N={items}: kallt bygge")
    result = build(meeting, cold=True, capture=capture)
    documents = converted_documents(capture)
    progress(f"N={items}: LibreOffice ensamt, {processes} processer")
    floor = Floor(documents, meeting.work / "golv").seconds(processes)
    received = len(list((meeting.sources / meeting.date).glob("*/*.pdf")))
    return SizeResult(items, len(documents) + received, len(documents), result, floor)


def median(values) -> float:
    return statistics.median(list(values))


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ report


def number(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def ratio(value: float) -> str:
    return f"{number(value, 2)}×"


def report(demo: DemoResult | None, sizes: list[SizeResult], processes: int, repeat: int,
           load_before: float, load_after: float) -> str:
    lines = [f"Mätt {time.strftime('%Y-%m-%d %H:%M')} med `make bench` på {machine()}; "
             f"{processes} LibreOffice-process{'er' if processes != 1 else ''} per konvertering. Maskinens belastning (load average, 1 min) "
             f"{number(load_before)} före och {number(load_after)} efter.", ""]
    if demo is not None:
        lines += demo_table(demo, repeat) + [""]
    if sizes:
        lines += size_table(sizes, processes) + [""]
    lines += goal_table(demo, sizes)
    return "\n".join(lines) + "\n"


def demo_table(demo: DemoResult, repeat: int) -> list[str]:
    return [
        f"Demosammanträdet {DEMO} ({demo.documents} dokument till LibreOffice, {demo.pages} sidor), "
        f"median av {repeat} körning{'ar' if repeat != 1 else ''}:",
        "",
        "| mått | tid | kvot |",
        "| --- | ---: | ---: |",
        f"| kallt bygge | {number(demo.cold)} s | |",
        f"| en bar soffice-körning med samma dokument | {number(demo.bare)} s | "
        f"kallt / bar: {ratio(demo.cold / demo.bare)} |",
        f"| LibreOffice ensamt med samma antal processer | {number(demo.floor)} s | "
        f"kallt / LibreOffice: {ratio(demo.cold / demo.floor)} |",
        f"| ombygge utan ändring | {number(demo.unchanged)} s | / kallt: {ratio(demo.unchanged / demo.cold)} |",
        f"| ombygge efter en ändrad tjänsteskrivelse | {number(demo.edited)} s | "
        f"/ kallt: {ratio(demo.edited / demo.cold)} |",
    ]


def size_table(sizes: list[SizeResult], processes: int) -> list[str]:
    lines = [
        "Påhittade sammanträden med N ärenden (tjänsteskrivelse på 1,5 sida, PDF-bilaga på 5 sidor och "
        "Word-bilaga på 3 sidor), kalla byggen:",
        "",
        "| N | dokument (till LibreOffice) | sidor | tid | tid per sida | cpu/tid | minne, byggets process | "
        f"LibreOffice ensamt ({processes} proc.) | tid / LibreOffice |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        b = size.build
        lines.append(f"| {size.items} | {size.documents} ({size.converted}) | {b.pages} | {number(b.wall)} s | "
                     f"{number(1000 * b.wall / b.pages, 0)} ms | {number(b.busy, 2)} | {number(b.peak_mb, 0)} MB | "
                     f"{number(size.floor)} s | {ratio(b.wall / size.floor)} |")
    return lines


def goal_table(demo: DemoResult | None, sizes: list[SizeResult]) -> list[str]:
    """The goals of issue 11 that this run measured, and whether they are met."""
    goals: list[tuple[str, str, bool]] = []
    if demo is not None:
        goals += [
            ("demo: kallt ≤ 0,8× en bar soffice-körning", ratio(demo.cold / demo.bare), demo.cold <= 0.8 * demo.bare),
            ("ombygge utan ändring ≤ 0,05× kallt", ratio(demo.unchanged / demo.cold),
             demo.unchanged <= 0.05 * demo.cold),
            ("en ändrad tjänsteskrivelse ≤ 0,3× kallt", ratio(demo.edited / demo.cold), demo.edited <= 0.3 * demo.cold),
        ]
    by_items = {size.items: size for size in sizes}
    if 40 in by_items:
        n40 = by_items[40]
        cores = len(os.sched_getaffinity(0))
        goals += [
            ("N=40: kallt ≤ 1,2× LibreOffice ensamt", ratio(n40.build.wall / n40.floor),
             n40.build.wall <= 1.2 * n40.floor),
            (f"N=40: alla {cores} kärnor arbetar (cpu/tid ≥ {number(0.8 * cores)})", number(n40.build.busy, 2),
             n40.build.busy >= 0.8 * cores),
        ]
    if len(sizes) > 1:
        per_page = [size.build.wall / size.build.pages for size in sizes]
        goals.append((f"tid per sida jämn från N={sizes[0].items} till N={sizes[-1].items} (högst +10 %)",
                      ratio(per_page[-1] / per_page[0]), per_page[-1] <= 1.1 * per_page[0]))
    if 80 in by_items:
        peak = by_items[80].build.peak_mb
        goals.append(("N=80: byggets process ≤ 300 MB", f"{number(peak, 0)} MB", peak <= 300))
    if not goals:
        return []
    return (["| mål (issue 11) | mätt | uppfyllt |", "| --- | ---: | :---: |"]
            + [f"| {goal} | {measured} | {'ja' if met else 'nej'} |" for goal, measured, met in goals])


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = " (" + " ".join(line.split(":", 1)[1].split()) + ")"
                break
    cores = len(os.sched_getaffinity(0))
    return f"{cores} kärnor{model}, LibreOffice {libreoffice.version()}"


# -------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mät hur snabbt kallelsen byggs (make bench).")
    parser.add_argument("--n", type=int, nargs="*", default=[10, 20, 40],
                        help="antal ärenden i de påhittade sammanträdena (standard: 10 20 40; 80 tar minuter)")
    parser.add_argument("--repeat", type=int, default=3, help="körningar av demon att ta medianen av (standard 3)")
    parser.add_argument("--no-demo", action="store_true", help="mät inte demosammanträdet")
    parser.add_argument("--report", type=Path, default=REPORT, help=f"tabellen skrivs också hit ({REPORT.relative_to(ROOT)})")
    parser.add_argument("--keep", action="store_true", help="behåll den tillfälliga mappen med alla byggen")
    args = parser.parse_args(argv)

    processes = libreoffice.process_count(10_000)
    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="meetingdocs-bench-"))
    try:
        demo = None if args.no_demo else bench_demo(tmp, max(1, args.repeat), processes)
        sizes = [bench_size(tmp, items, processes) for items in args.n]
    finally:
        if args.keep:
            progress(f"byggena finns kvar i {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    table = report(demo, sizes, processes, max(1, args.repeat), load_before, os.getloadavg()[0])
    print(table)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(table, encoding="utf-8")
    progress(f"tabellen finns i {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
