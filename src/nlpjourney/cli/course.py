"""``journey``, ``journey lesson``, ``journey check``, ``journey progress``.

Prose is wrapped at the terminal's width between words only: a path or a command is
never broken across lines, so it can be copied whole.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from nlpjourney.course import grading, topics, workspace
from nlpjourney.course.grading import CheckReport
from nlpjourney.course.progress import ProgressStore, TopicProgress

console = Console()
NO_BREAK = "\u00a0"  # textwrap breaks lines only at ASCII whitespace
COMMAND = re.compile(r"`[^`]*`")


def say(
    text: str,
    *,
    keep: Sequence[str] = (),
    lead: str = "",
    indent: int = 0,
    style: str = "",
) -> None:
    """Print ``text`` wrapped between words at the console's width.

    Args:
        text: plain text (never read as markup, so "x[i]" prints as written); every
            line of it is wrapped on its own.
        keep: paths and commands to keep whole, shown in bold; `backticked` commands are
            kept whole too. One longer than the width runs past it unbroken.
        lead: rich markup printed before the first line (a coloured tick); the wrapped
            lines line up after it.
        indent: spaces before every line.
        style: the rich style of the text.
    """
    kept = sorted({*keep, *COMMAND.findall(text)}, key=len, reverse=True)
    for unit in kept:
        text = text.replace(unit, unit.replace(" ", NO_BREAK))
    lead_text = Text.from_markup(lead)
    margin = " " * (indent + lead_text.cell_len)
    width = max(console.width, 40)
    lines = [
        textwrap.fill(
            line, width, initial_indent=margin, subsequent_indent=margin,
            break_long_words=False, break_on_hyphens=False,
        ) or margin
        for line in text.splitlines() or [""]
    ]  # fmt: skip
    body = "\n".join(lines).replace(NO_BREAK, " ")[len(margin) :]
    out = Text(" " * indent) + lead_text + Text(body, style=style)
    out.highlight_words(kept, "bold")
    console.print(out, soft_wrap=True, highlight=False)


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
    say(f"workspace: {root}" + ("" if root.is_dir() else " (not created yet)"), keep=[str(root)])
    say(next_step(progress, root), style="bold")


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
        say(f"{item.path}{extra}", lead=f"{labels[item.action]}: ", keep=[str(item.path)])
    folder = workspace.topic_dir(topic)
    console.print()
    if any(item.path.name == workspace.LESSON_FILE for item in placed):
        open_lesson = f"uv run jupyter lab {folder / workspace.LESSON_FILE}"
        say(f"Open the lesson:  {open_lesson}  (or upload it to Colab)", keep=[open_lesson])
    if any(item.path.name == workspace.EXERCISE_FILE for item in placed):
        say(
            f"Then fill in      {folder / workspace.EXERCISE_FILE}",
            keep=[str(folder / workspace.EXERCISE_FILE)],
        )
        say(f"and grade it:     journey check {topic.id}", keep=[f"journey check {topic.id}"])


def check(
    topic_id: str = typer.Argument(..., help="Topic id, e.g. 0.1."),
    file: Path = typer.Option(None, "--file", help="Grade this file instead of the workspace's."),
    timeout: float = typer.Option(
        grading.DEFAULT_TIMEOUT, help=f"Time limit in seconds (1 to {grading.MAX_TIMEOUT})."
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Replay a run's random inputs (each run prints its seed)."
    ),
    hint: bool = typer.Option(
        False, "--hint", help="Show the next, more detailed hint for each failing check."
    ),
    sandbox: bool = typer.Option(
        False,
        "--sandbox",
        help="For someone else's file (Linux): no network, a private temporary working "
        "folder, memory, CPU, file-size and process limits, no writes outside that "
        "folder. Reading your files is NOT prevented. Prints what this machine allows.",
    ),
) -> None:
    """Grade your exercise for a topic; exit code 1 while any check fails.

    A file that uses what the exercise forbids (the library's answer, the reference
    library) is refused before any check runs. The checks run your code with your full
    rights; to grade a file you did not write, add --sandbox (see
    nlpjourney.course.sandbox for exactly what it does and does not protect).
    """
    topic = topics.get(topic_id)
    if file is not None:
        if not file.is_file():
            raise workspace.WorkspaceError(f"no such file: {file}")
        target = file
    else:
        target = workspace.exercise_file(topic)
    seed = grading.new_seed() if seed is None else seed
    grading.check_options(timeout, seed)
    refused = grading.forbidden_use(topic, target)
    if refused:
        raise grading.RefusedError(refused)
    replay = f"journey check {topic.id} --seed {seed}"
    say(f"Checking {target} with seed {seed} (`{replay}` replays it) ...", keep=[str(target)])
    report = grading.run_checks(topic, target, timeout=timeout, seed=seed, sandbox=sandbox)
    for line in report.sandbox:
        say(line, lead="  sandbox: ", style="dim")
    if report.refused:  # the guard caught what reading the file could not
        raise grading.RefusedError(report.refused)
    root = workspace.workspace_root()
    store = ProgressStore(root) if root.is_dir() else None
    show_results(report, store, next_hint=hint)
    if report.problem:
        say(report.problem, style="red")
    console.print(f"{report.passed}/{report.total} checks passed.")
    if file is None and store is not None:
        store.record(topic.id, report.passed, report.total, clean=report.ok)
    if not report.ok:
        raise typer.Exit(1)
    console.print(f"[green]Topic {topic.id} done.[/] `journey` shows what is next.")


def show_results(report: CheckReport, store: ProgressStore | None, next_hint: bool) -> None:
    """Each check, passed or failed with its message and a hint.

    A failed check shows its first hint tier; with ``next_hint``, the tier after the one
    it last showed (remembered in ``store``; past the last tier, the last again).
    """
    more = False
    for r in report.results:
        title = r.title or r.name
        if r.passed:
            say(title, lead="  [green]✓[/] ")
            continue
        say(title, lead="  [red]✗[/] ")
        say(r.message, indent=6, style="dim")
        tiers = r.hints or ((r.hint,) if r.hint else ())
        if not tiers:
            continue
        tier = 1
        if next_hint:
            last = store.hint_tier(report.topic, r.name) if store else 1
            tier = min(last + 1, len(tiers))
            if store:
                store.remember_hint_tier(report.topic, r.name, tier)
        label = "hint" if len(tiers) == 1 else f"hint {tier}/{len(tiers)}"
        say(f"{label}: {tiers[tier - 1]}", indent=6)
        more = more or tier < len(tiers)
    if more:
        command = f"journey check {report.topic} --hint"
        say(f"Stuck? `{command}` shows the next hint for each failing check.")


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
