"""Reading and writing the parts of a Hugging Face ``tokenizer.json`` that models share.

Every ``tokenizer.json`` carries, beside its model, a list of added tokens (the special
tokens matched in raw text) and a post-processor (the template that puts ``[CLS]``/``<s>``
around an encoding). Our tokenizers keep these as a ``{token: id}`` dict and two id lists;
this module converts between the two forms, so each model's module only handles its model.

>>> spec = {"added_tokens": [{"id": 1, "content": "<s>", "special": True}]}
>>> added_tokens(spec)
{'<s>': 1}

Reference: the ``tokenizers`` library's ``AddedToken`` objects and its
``TemplateProcessing`` / ``BertProcessing`` post-processors, as serialised in
``tokenizer.json``.

Simplifications:
    - Only the single-sequence template is used (we encode one text at a time); the pair
      template is written back as ``A`` then ``B`` with the single template's markers.
    - Added tokens are all treated as special (matched before the model and left out by
      ``decode(..., skip_special_tokens=True)``), whatever their ``special`` flag says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nlpjourney.tokenizers.base import Tokenizer, TokenizerFileError

__all__ = [
    "added_tokens",
    "added_tokens_to_hf",
    "template_ids",
    "template_to_hf",
    "tokenizer_json",
]


def added_tokens(spec: dict[str, Any]) -> dict[str, int]:
    """The ``{content: id}`` of a tokenizer.json's ``added_tokens`` list."""
    tokens: dict[str, int] = {}
    for entry in spec.get("added_tokens") or []:
        if not isinstance(entry, dict) or "content" not in entry or "id" not in entry:
            raise TokenizerFileError(
                f"an added token {entry!r} lacks 'content' or 'id'; is the file a tokenizer.json?"
            )
        tokens[entry["content"]] = int(entry["id"])
    return tokens


def added_tokens_to_hf(special_tokens: dict[str, int]) -> list[dict[str, Any]]:
    """Our special tokens as ``added_tokens`` entries, in id order."""
    return [
        {
            "id": i,
            "content": token,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for token, i in sorted(special_tokens.items(), key=lambda item: item[1])
    ]


def template_ids(
    post_processor: dict[str, Any] | None, token_to_id: Callable[[str], int | None]
) -> tuple[list[int], list[int]]:
    """The ids a post-processor puts before and after a single sequence.

    >>> pp = {"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}
    >>> template_ids(pp, lambda t: None)
    ([101], [102])
    """
    if post_processor is None:
        return [], []
    kind = post_processor.get("type")
    if kind == "BertProcessing":
        return [int(post_processor["cls"][1])], [int(post_processor["sep"][1])]
    if kind != "TemplateProcessing":
        raise TokenizerFileError(
            f"post-processor {kind!r} is not one we read (TemplateProcessing, BertProcessing)."
        )
    specials = post_processor.get("special_tokens", {})
    prefix: list[int] = []
    suffix: list[int] = []
    seen_sequence = False
    for piece in post_processor.get("single", []):
        if "Sequence" in piece:
            seen_sequence = True
            continue
        name = piece["SpecialToken"]["id"]
        if name in specials:
            ids = [int(i) for i in specials[name]["ids"]]
        else:
            found = token_to_id(name)
            if found is None:
                raise TokenizerFileError(f"the template names {name!r}, which has no id.")
            ids = [found]
        (suffix if seen_sequence else prefix).extend(ids)
    return prefix, suffix


def template_to_hf(
    prefix_ids: Sequence[int],
    suffix_ids: Sequence[int],
    id_to_token: Callable[[int], str | None],
) -> dict[str, Any] | None:
    """A ``TemplateProcessing`` post-processor for our prefix and suffix ids."""
    if not prefix_ids and not suffix_ids:
        return None

    def special(i: int, type_id: int) -> dict[str, Any]:
        return {"SpecialToken": {"id": id_to_token(i), "type_id": type_id}}

    def sequence(name: str, type_id: int) -> dict[str, Any]:
        return {"Sequence": {"id": name, "type_id": type_id}}

    single = [special(i, 0) for i in prefix_ids] + [sequence("A", 0)]
    single += [special(i, 0) for i in suffix_ids]
    pair = single + [special(i, 1) for i in prefix_ids] + [sequence("B", 1)]
    pair += [special(i, 1) for i in suffix_ids]
    specials = {}
    for i in [*prefix_ids, *suffix_ids]:
        token = id_to_token(i)
        specials[token] = {"id": token, "ids": [i], "tokens": [token]}
    return {
        "type": "TemplateProcessing",
        "single": single,
        "pair": pair,
        "special_tokens": specials,
    }


def tokenizer_json(
    tokenizer: Tokenizer,
    *,
    normalizer: dict[str, Any] | None,
    pre_tokenizer: dict[str, Any] | None,
    decoder: dict[str, Any] | None,
    model: dict[str, Any],
    post_processor: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A whole ``tokenizer.json`` object: the model's own parts inside what all share.

    The shared parts are the format version, no truncation or padding, the special tokens
    as ``added_tokens``, and the prefix/suffix template as the post-processor
    (``post_processor`` stands in when there is no template).
    """
    template = template_to_hf(tokenizer.prefix_ids, tokenizer.suffix_ids, tokenizer.id_to_token)
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens_to_hf(tokenizer.special_tokens),
        "normalizer": normalizer,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": template or post_processor,
        "decoder": decoder,
        "model": model,
    }
