"""``journey export``: write a Llama for vLLM (a Hugging Face folder) or llama.cpp (a GGUF file).

``journey export smollm2-135m-instruct --format safetensors`` writes
``exports/smollm2-135m-instruct/``; ``--format gguf`` writes
``exports/smollm2-135m-instruct.gguf``. The source may also be a Hugging Face Llama
folder, a run folder of ``journey train llama`` (or ``journey train gpt``, written as
GPT-2) or a ``.gguf`` file. The work is
:func:`nlpjourney.serve.export.export_model`; this module checks the options, calls it
and says what was written and how to serve it.
"""

from __future__ import annotations

from pathlib import Path

import typer

from nlpjourney.errors import JourneyError


def export(
    model_or_run: str = typer.Argument(
        ...,
        metavar="MODEL_OR_RUN",
        help="smollm2-135m-instruct, a Hugging Face Llama folder, a run folder of "
        "journey train llama or gpt, or a .gguf file.",
    ),
    format: str = typer.Option(
        ..., "--format", help="safetensors (a Hugging Face folder, for vLLM) or gguf (llama.cpp)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Where to write (exports/<name> or exports/<name>.gguf)."
    ),
    dtype: str = typer.Option("float32", "--dtype", help="The weights' dtype: float32 or float16."),
    force: bool = typer.Option(False, "--force", help="Replace what is already at --out."),
) -> None:
    """Export a Llama (or a GPT run, as GPT-2) as a Hugging Face folder or a GGUF file."""
    from nlpjourney.serve.export import (
        DTYPES,
        FORMATS,
        default_out,
        export_model,
        source_name,
    )

    if format not in FORMATS:
        raise JourneyError(f"--format must be one of {', '.join(FORMATS)}, got {format!r}")
    if dtype not in DTYPES:
        raise JourneyError(f"--dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    target = out if out is not None else default_out(source_name(model_or_run), format)
    try:
        written = export_model(model_or_run, target, format, force=force, dtype=dtype)  # type: ignore[arg-type]
    except JourneyError:
        raise
    except (OSError, ValueError) as error:  # a loader's or the disk's complaint, as one line
        raise JourneyError(f"cannot export {model_or_run}: {error}") from None
    size = sum(p.stat().st_size for p in [written, *written.rglob("*")] if p.is_file())
    typer.echo(f"wrote {written} ({size / 1e6:,.1f} MB)")
    if format == "gguf":
        typer.echo(f"serve it with llama.cpp: llama-server -m {written} --port 8000")
    else:
        typer.echo(f"serve it with vLLM: vllm serve {written}")
