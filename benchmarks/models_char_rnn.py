"""Benchmark: a char-rnn preset's training step over our recurrent layer and over torch's.

For each ``<cell>-15min`` preset (or those named by ``--cell``), one
:class:`~nlpjourney.models.CharRNN` is built and a copy of it gets torch's own layer
(``torch.nn.LSTM``/``GRU``/``RNN`` with the same arguments and the same weights, loaded
key by key); the two logits are checked equal before timing. A step is what
``journey train char-rnn`` does per step: forward over one chunk of the recipe's
``batch_size`` x ``bptt`` characters from a carried state, cross-entropy, backward,
gradient clipping and an AdamW update. Times are the best of ``--repeat`` steps, the two
sides taking turns; the ratio is ours / torch (below 1: ours faster). It also prints
how long the recipe's ``max_steps`` would take at our speed, the check that a preset
fits its 15 minutes (run it on a quiet machine, ``--threads 2`` for two cores).

Run it with::

    uv run python benchmarks/models_char_rnn.py --threads 2
    uv run python benchmarks/models_char_rnn.py --cell lstm --repeat 10
"""

from __future__ import annotations

import argparse
import copy

import torch
import torch.nn.functional as F
from _timing import best_of
from torch import nn

from nlpjourney.apps.char_rnn import RECIPES
from nlpjourney.models.char_rnn import CELLS, CharRNN, CharRNNConfig

TORCH_LAYERS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def with_torch_layer(model: CharRNN) -> CharRNN:
    """A copy of ``model`` whose recurrent layer is torch's, with the same weights."""
    twin = copy.deepcopy(model)
    c = model.config
    layer = TORCH_LAYERS[c.cell](model.rnn.input_size, c.hidden_size, c.num_layers,
                                 batch_first=True)  # fmt: skip
    layer.load_state_dict(model.rnn.state_dict())  # torch's names: a key-by-key copy
    twin.rnn = layer
    return twin


def step_function(model: CharRNN, x: torch.Tensor, y: torch.Tensor, state: torch.Tensor):
    """One training step of ``model`` on the chunk ``x``, targets ``y``, from ``state``."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)

    def step() -> None:
        logits, _ = model(x, state)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=CELLS, action="append", help="default: all three")
    parser.add_argument("--repeat", type=int, default=5, help="steps timed per side")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for cell in args.cell or CELLS:
        name = f"{cell}-15min"
        recipe = RECIPES[name]
        torch.manual_seed(0)
        ours = CharRNN(CharRNNConfig.from_name(name))
        theirs = with_torch_layer(ours)
        x = torch.randint(0, 65, (recipe.batch_size, recipe.bptt))
        y = torch.randint(0, 65, (recipe.batch_size, recipe.bptt))
        state = torch.randn_like(ours.initial_state(recipe.batch_size)) * 0.1
        with torch.no_grad():  # the same model on both sides, before any update
            torch.testing.assert_close(ours(x, state)[0], theirs(x, state)[0])
        mine, peer = best_of(
            args.repeat,
            step_function(ours, x, y, state),
            step_function(theirs, x, y, state),
        )
        minutes = recipe.max_steps * mine / 60
        print(
            f"{name}: ours {mine * 1000:.0f} ms/step, torch {peer * 1000:.0f} ms/step, ratio "
            f"{mine / peer:.2f}; {recipe.max_steps} steps at our speed: {minutes:.1f} min "
            f"({recipe.batch_size * recipe.bptt / mine:,.0f} chars/s)"
        )


if __name__ == "__main__":
    main()
