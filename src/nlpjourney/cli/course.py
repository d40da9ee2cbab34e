"""``journey``, ``journey lesson``, ``journey check``, ``journey progress``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nlpjourney.course import grading, topics, workspace
from nlpjourney.course.progress import ProgressStore, TopicProgress

console = Console()
PART_LETTERS = {"library": "L", "tests": "T", "lesson": "N", "exercise": "E", "benchmark": "B"}


def parts_cell(parts: dict[str, bool]) -> str:
    return " ".join(
        f"[green]{PART_LETTERS[p]}[/]" if there else "[dim]·[/]" for p, there in parts.items()
    )


def progress_cell(p: TopicProgress | None) -> str:
    if p is None:
        return ""
    if p.done:
        return f"[green]✓ {p.best}/{p.total}[/]"
    return f"[yellow]{p.passed}/{p.total}[/]"


def next_step(progress: dict[str, TopicProgress], root: Path) -> str:
    """The first topic with an exercise that the learner has not finished."""
    for topic in topics.TOPICS:
        if not topic.parts()["exercise"] or (topic.id in progress and progress[topic.id].done):
            continue
        if (workspace.topic_dir(topic, root) / workspace.EXERCISE_FILE).is_file():
            return (
                f"Next: finish {topic.id} {topic.title.split(':')[0]}: edit "
                f"{workspace.topic_dir(topic, root) / workspace.EXERCISE_FILE}, "
                f"then `journey check {topic.id}`."
            )
        return f"Next: `journey lesson {topic.id}` ({topic.title.split(':')[0]})."
    if not any(t.parts()["exercise"] for t in topics.TOPICS):
        return "No exercises are installed; is the course folder missing from this install?"
    return "You have passed every exercise there is. New topics arrive with each release."


def roadmap() -> None:
    """The roadmap by area: what each topic has, your progress, and what to do next."""
    root = workspace.workspace_root()
    progress = ProgressStore(root).summary() if root.is_dir() else {}
    table = Table(title="NLP Journey roadmap", title_justify="left", expand=False)
    table.add_column("id", justify="right", no_wrap=True, min_width=4)
    table.add_column("topic", overflow="ellipsis", no_wrap=True, max_width=46)
    table.add_column("parts", no_wrap=True, min_width=9)
    table.add_column("you", no_wrap=True, min_width=6)
    for area, area_title in topics.AREAS.items():
        table.add_section()
        table.add_row("", f"[bold]{area} {area_title}[/]", "", "")
        for topic in (t for t in topics.TOPICS if t.area == area):
            table.add_row(
                topic.id,
                topic.title,
                parts_cell(topic.parts()),
                progress_cell(progress.get(topic.id)),
            )
    console.print(table)
    console.print(
        "parts: [green]L[/]ibrary [green]T[/]ests [green]N[/]otebook lesson "
        "[green]E[/]xercise [green]B[/]enchmark   you: checks passed"
    )
    console.print(f"workspace: {root}" + ("" if root.is_dir() else " (not created yet)"))
    console.print(f"[bold]{next_step(progress, root)}[/]")


def lesson(
    topic_id: str = typer.Argument(..., help="Topic id, e.g. 0.1."),
    reset: bool = typer.Option(
        False, "--reset", help="Replace your copies with fresh ones (yours are kept as .bak)."
    ),
) -> None:
    """Copy a topic's lesson notebook and exercise stub into your workspace."""
    topic = topics.get(topic_id)
    placed = workspace.install_topic(topic, reset=reset)
    labels = {
        "created": "[green]created[/]",
        "unchanged": "up to date",
        "kept": "[yellow]kept your edited copy[/] (--reset gets a fresh one, keeping yours)",
        "reset": "[yellow]fresh copy[/]",
    }
    for item in placed:
        extra = f"; yours is now {item.backup.name}" if item.backup else ""
        console.print(f"{labels[item.action]}: {item.path}{extra}")
    folder = workspace.topic_dir(topic)
    console.print(
        f"\nOpen the lesson:  [bold]uv run jupyter lab {folder / workspace.LESSON_FILE}[/]"
        "  (or upload it to Colab)\n"
        f"Then fill in      [bold]{folder / workspace.EXERCISE_FILE}[/]\n"
        f"and grade it:     [bold]journey check {topic.id}[/]"
    )


def check(
    topic_id: str = typer.Argument(..., help="Topic id, e.g. 0.1."),
    file: Path = typer.Option(None, "--file", help="Grade this file instead of the workspace's."),
    timeout: int = typer.Option(grading.DEFAULT_TIMEOUT, help="Time limit in seconds."),
    seed: int | None = typer.Option(
        None, "--seed", help="Replay a run's random inputs (each run prints its seed)."
    ),
) -> None:
    """Grade your exercise for a topic; exit code 1 while any check fails."""
    topic = topics.get(topic_id)
    if file is not None:
        if not file.is_file():
            raise workspace.WorkspaceError(f"no such file: {file}")
        target = file
    else:
        target = workspace.exercise_file(topic)
    seed = grading.new_seed() if seed is None else seed
    console.print(
        f"Checking {target} with seed {seed} "
        f"(`journey check {topic.id} --seed {seed}` replays it) ..."
    )
    report = grading.run_checks(topic, target, timeout=timeout, seed=seed)
    for r in report.results:
        # Titles, messages and hints are the check's text, not rich markup: "a[i]" and
        # printed arrays must show as written.
        title = escape(r.title or r.name)
        if r.passed:
            console.print(f"  [green]✓[/] {title}")
            continue
        console.print(f"  [red]✗[/] {title}")
        console.print(f"      [dim]{escape(r.message)}[/]", highlight=False)
        if r.hint:
            console.print(f"      hint: {escape(r.hint)}", highlight=False)
    if report.problem:
        console.print(f"[red]{report.problem}[/]")
    console.print(f"{report.passed}/{report.total} checks passed.")
    if file is None:
        ProgressStore(workspace.workspace_root()).record(topic.id, report.passed, report.total)
    if not report.ok:
        raise typer.Exit(1)
    console.print(f"[green]Topic {topic.id} done.[/] `journey` shows what is next.")


def progress() -> None:
    """Your check results per topic."""
    root = workspace.workspace_root()
    if not root.is_dir():
        raise workspace.WorkspaceError(
            f"no workspace at {root} yet; `journey lesson 0.1` starts one "
            f"(or set {workspace.WORKSPACE_ENV})."
        )
    summary = ProgressStore(root).summary()
    if not summary:
        console.print("No checks run yet. `journey check <id>` grades an exercise.")
        return
    table = Table("id", "topic", "latest", "best", "runs", "last run")
    for topic in topics.TOPICS:
        p = summary.get(topic.id)
        if p:
            table.add_row(
                topic.id,
                topic.title,
                f"{p.passed}/{p.total}",
                progress_cell(p),
                str(p.attempts),
                p.at,
            )
    console.print(table)
    console.print(f"{sum(p.done for p in summary.values())} of {len(topics.TOPICS)} topics done.")
