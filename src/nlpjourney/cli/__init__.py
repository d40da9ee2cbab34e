"""The ``journey`` command: roadmap and progress, lessons, checks, data, tests.

Every command turns the project's errors (:class:`nlpjourney.errors.JourneyError`) into
one line on stderr and exit code 1; a traceback means a bug in NLP Journey.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import typer

from nlpjourney import __version__
from nlpjourney.cli import (
    bert,
    chat,
    classify,
    cluster,
    course,
    data,
    embeddings,
    export,
    ner,
    parse,
    search,
    serve,
    sweep,
    tag,
    tokenize,
    topics,
    train,
    translate,
)
from nlpjourney.course.paths import repo_root
from nlpjourney.errors import JourneyError

app = typer.Typer(
    help="NLP Journey: from the first ideas of NLP to building and serving LLMs.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data")
train.app.command("translator")(translate.train_translator_command)
train.app.command("sweep")(sweep.sweep)
train.app.command("bert")(bert.train_bert_command)
app.add_typer(train.app, name="train")
app.add_typer(embeddings.app, name="embeddings")
app.add_typer(classify.app, name="classify")
app.add_typer(search.app, name="search")
app.add_typer(parse.app, name="parse")
app.add_typer(tag.app, name="tag")
app.add_typer(ner.app, name="ner")
app.command("cluster")(cluster.cluster)
app.command("lesson")(course.lesson)
app.command("check")(course.check)
app.command("progress")(course.progress)
app.command("roadmap")(course.roadmap)
app.command("tokenize")(tokenize.tokenize)
app.command("topics")(topics.topics)
app.command("sample")(train.sample)
app.command("chat")(chat.chat)
app.command("serve")(serve.serve)
app.command("translate")(translate.translate_command)
app.command("export")(export.export)


@app.callback(invoke_without_command=True)
def journey(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """With no command: the roadmap, your progress and what to do next."""
    if version:
        typer.echo(f"nlpjourney {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        course.roadmap()


@app.command(
    "test",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def test(ctx: typer.Context) -> None:
    """Run the project's test suite with pytest; extra arguments go to pytest.

    `journey test -m "not slow"` runs the quick subset. The tests run in one process per
    core (pytest-xdist) unless you pass -n, -s or --pdb.
    """
    root = repo_root()
    if root is None:
        raise JourneyError("the tests live in the repository; run this from a clone of it.")
    command = [sys.executable, "-m", "pytest", *parallel_args(ctx.args), *ctx.args]
    raise typer.Exit(subprocess.call(command, cwd=root))


def parallel_args(args: list[str]) -> list[str]:
    """``-n auto`` (one worker per core, idle ones taking tests from busy ones) unless the
    arguments ask for a single process: -n, -s, --pdb, or xdist switched off."""
    import importlib.util

    serial = {"-n", "--numprocesses", "-s", "--capture=no", "--pdb", "no:xdist"}
    if importlib.util.find_spec("xdist") is None or any(
        arg in serial or arg.startswith(("-n", "--numprocesses=")) for arg in args
    ):
        return []
    return ["-n", "auto", "--dist", "worksteal"]


def one_line_warnings() -> None:
    """Show our own warnings (a damaged data copy skipped...) as one yellow line each;
    other packages' warnings keep Python's format."""
    python_format = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        if category.__module__.startswith("nlpjourney."):
            typer.secho(f"journey: warning: {message}", err=True, fg="yellow")
        else:
            python_format(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def main() -> None:
    """Console entry point."""
    one_line_warnings()
    try:
        app()
    except JourneyError as error:
        typer.secho(f"journey: {error}", err=True, fg="red")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
