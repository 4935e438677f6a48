"""`catachess import` and `catachess export`: PGN files in and out, from the command line."""

from __future__ import annotations

import asyncio
import codecs
import dataclasses
import io
import sys
import uuid
from pathlib import Path

import typer

from catachess.config import get_settings
from catachess.terminal import stderr_console, stdout_console

console = stderr_console()

MODES = ("full", "no_comments", "mainline")


def import_pgn(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a PGN file"),
    into: uuid.UUID = typer.Option(..., "--into", help="id of the folder or workspace"),
    as_user: str = typer.Option(..., "--as", help="e-mail of the account that imports"),
    name: str | None = typer.Option(None, "--name", help="study name (default: file name)"),
    encoding: str | None = typer.Option(
        None,
        "--encoding",
        help="text encoding of the file, e.g. latin-1 (default: detected: UTF-8, else "
        "Windows-1252, else Latin-1)",
    ),
) -> None:
    """Import a PGN file into studies of up to 64 chapters under a folder or workspace."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from catachess import context, heavy
    from catachess.db.engine import make_engine, make_sessionmaker, resolve_database_url
    from catachess.errors import AppError
    from catachess.pgn.encoding import UndecodableBytes, check_encoding, detect_encoding
    from catachess.studies.bulk_import import ImportSummary, import_file
    from catachess.studies.service import limits_from

    with file.open("rb") as raw:
        try:
            if encoding is None:
                encoding = detect_encoding(raw)
            else:
                codecs.lookup(encoding)
                check_encoding(raw, encoding)
        except LookupError:
            console.print(f"[red]import failed:[/] unknown encoding {encoding!r}")
            raise typer.Exit(2) from None
        except UndecodableBytes as error:
            console.print(f"[red]import failed:[/] {error}; nothing imported (try --encoding)")
            raise typer.Exit(1) from None
    text_encoding = encoding
    console.print(f"encoding: {text_encoding}")
    settings = get_settings()
    # Per-game limits stay; the file as a whole is streamed, so neither its size nor its
    # number of games is capped (PGN_MAX_BYTES and PGN_MAX_GAMES bound API requests).
    limits = dataclasses.replace(limits_from(settings), max_games=sys.maxsize)
    study_name = name or file.stem

    # One correlation id for the whole import, stamped on every event it writes (each
    # study commits on its own), so `catachess events trace ID` shows the import whole.
    correlation = uuid.uuid4().hex
    console.print(f"correlation id: {correlation}")

    async def run(progress: Progress, task: object) -> ImportSummary:
        context.correlation_id.set(correlation)
        engine = make_engine(resolve_database_url(settings), pool_size=2)
        raw = file.open("rb")
        try:
            handle = io.TextIOWrapper(raw, encoding=text_encoding, newline=None)

            def advance(summary: ImportSummary) -> None:
                progress.update(
                    task,  # type: ignore[arg-type]
                    completed=raw.tell(),
                    games=summary.games,
                    studies=len(summary.studies),
                )

            return await import_file(
                make_sessionmaker(engine),
                handle,
                parent_id=into,
                user_email=as_user,
                name=study_name,
                limits=limits,
                progress=advance,
            )
        finally:
            raw.close()
            await engine.dispose()
            # The worker processes that parsed the file (catachess.heavy).
            await asyncio.to_thread(heavy.shutdown)

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[games]} games, {task.fields[studies]} studies"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(file.name, total=file.stat().st_size, games=0, studies=0)
        try:
            summary = asyncio.run(run(progress, task))
        except AppError as error:
            console.print(f"[red]import failed:[/] {error.detail}")
            raise typer.Exit(1) from None
    _print_summary(summary)
    stdout_console().print(f"trace: catachess events trace {correlation}")


def _print_summary(summary: object) -> None:
    from rich.table import Table

    from catachess.studies.bulk_import import ImportSummary

    assert isinstance(summary, ImportSummary)
    out = stdout_console()
    out.print(
        f"games read: {summary.games}   chapters created: {summary.chapters}   "
        f"studies created: {len(summary.studies)}   skipped: {len(summary.skipped)}   "
        f"warnings: {len(summary.warnings)}"
    )
    studies = Table("study", "id", "chapters")
    for study_id, study_name, chapters in summary.studies:
        studies.add_row(study_name, str(study_id), str(chapters))
    out.print(studies)
    if summary.skipped:
        skipped = Table("game", "line", "reason", title="skipped games")
        for entry in summary.skipped:
            skipped.add_row(str(entry.game or "-"), str(entry.line or "-"), entry.reason)
        out.print(skipped)
    if summary.warnings:
        warnings = Table("line", "warning", "text", title="skipped between games")
        for warning in summary.warnings:
            warnings.add_row(str(warning.line), warning.message, warning.token)
        out.print(warnings)


def export_pgn(
    study_id: uuid.UUID = typer.Argument(..., help="id of the study"),
    output: Path | None = typer.Option(None, "-o", "--output", help="file (default: stdout)"),
    mode: str = typer.Option("full", "--mode", help="full, no_comments or mainline"),
    comments: bool = typer.Option(True, help="mainline only: --no-comments drops them"),
) -> None:
    """Write a study as one PGN file (one game per chapter)."""
    from catachess.db.engine import make_engine, make_sessionmaker, resolve_database_url
    from catachess.errors import AppError
    from catachess.pgn import ExportOptions
    from catachess.studies.export import study_text

    if mode not in MODES:
        console.print(f"[red]--mode must be one of {', '.join(MODES)}[/]")
        raise typer.Exit(2)
    settings = get_settings()

    async def run() -> str:
        engine = make_engine(resolve_database_url(settings), pool_size=1)
        try:
            async with make_sessionmaker(engine)() as session:
                _, text = await study_text(
                    session, study_id, ExportOptions.of(mode, comments=None if comments else False)
                )
                return text
        finally:
            await engine.dispose()

    try:
        text = asyncio.run(run())
    except AppError as error:
        console.print(f"[red]export failed:[/] {error.detail}")
        raise typer.Exit(1) from None
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
