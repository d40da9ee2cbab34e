"""Personas: who the chatbot is, told to the model in the system message.

A chat model follows its system message: the same weights answer as a patient tutor or
a terse assistant depending on it. A :class:`Persona` is that message plus the sampling
settings that suit it, under a name a person can pick (``journey chat --persona tutor``).

>>> PERSONAS["assistant"].temperature
0.0
>>> get_persona("tutor").name
'tutor'
"""

from __future__ import annotations

from dataclasses import dataclass

from nlpjourney.errors import lookup

__all__ = ["PERSONAS", "Persona", "get_persona"]


@dataclass(frozen=True)
class Persona:
    """A named system prompt and the sampling that goes with it.

    Args:
        name: a short name, used by ``--persona`` and saved with each conversation.
        system_prompt: the system message the model sees first, every turn.
        temperature: 0 answers greedily; above 0 samples.
        top_p: sample among the most likely tokens whose probabilities reach ``top_p``.
        description: one line for listings.
    """

    name: str
    system_prompt: str
    temperature: float = 0.0
    top_p: float | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a persona needs a name, got {self.name!r}")
        if not isinstance(self.system_prompt, str) or not self.system_prompt.strip():
            raise ValueError(f"persona {self.name!r} needs a system prompt")
        if isinstance(self.temperature, bool) or not self.temperature >= 0:
            raise ValueError(
                f"persona {self.name!r}: temperature must be 0 or more, got {self.temperature!r}"
            )
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise ValueError(f"persona {self.name!r}: top_p must be in (0, 1], got {self.top_p!r}")


#: The built-in personas, by name.
PERSONAS: dict[str, Persona] = {
    persona.name: persona
    for persona in (
        Persona(
            "assistant",
            "You are a helpful assistant. Answer briefly and precisely.",
            description="a concise general assistant (the default)",
        ),
        Persona(
            "tutor",
            "You are a patient tutor for NLP Journey, a course that builds natural language "
            "processing and language models from scratch in Python. Explain ideas step by "
            "step with small examples, and end with a short question that checks "
            "understanding.",
            temperature=0.3,
            top_p=0.9,
            description="a step-by-step tutor for this course",
        ),
        Persona(
            "notes",
            "You answer questions about the user's own notes. Use only the notes given with "
            "the question, cite the file each fact comes from in square brackets, and say "
            "so when the notes do not answer.",
            description="answers from your notes only, citing them",
        ),
    )
}


def get_persona(name: str) -> Persona:
    """The built-in persona called ``name``.

    Raises:
        UnknownNameError: no persona has that name (the message lists the close ones).
    """
    return lookup(PERSONAS, name, "persona", f"The personas: {', '.join(PERSONAS)}.")
