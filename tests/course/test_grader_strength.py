"""How strong is each exercise's grader? Measured, for every exercise.

- the model answer passes every check: at a fresh seed each run, in the cheats test
  (it is graded there to record the lookup table), and at the mutants' seed before any
  mutant is graded (the untouched stub failing every check is in
  ``test_exercises_and_lessons.py``);
- cheats fail: importing the model answer (directly and through ``importlib``), calling
  the reference library, and a table of the answers to the fixed cases (recorded at one
  seed, graded with another);
- seeded mutants of the model answer (``tests/course/mutants.py``: one small change
  each, on a line the checks run) are caught: at least 80 % per exercise and 90 % in all
  (the total is summed by ``tests/conftest.py`` when the run ends, over the exercises run).

The model answer, for mutants, is the source of the library module(s) that define the
graded functions, written to a file and graded as a learner's file. Mutants run in a
forked child of this process (the heavy imports are done once), each under a time
limit, with the checks' ``FORBIDDEN`` emptied: a mutant is a copy of the library, and it
must be caught by a check, not refused for its imports. Run with ``-s`` to see the rates:
``./journey test tests/course/test_grader_strength.py -s``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import pickle
import signal
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from nlpjourney.course import grading, topics

sys.path.insert(0, str(Path(__file__).parent))
from mutants import mutants  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="grades mutants in forked children"),
]

EXERCISES = [
    "0.1",
    "0.2",
    "0.3",
    "1.2",
    "1.3",
    "1.4",
    "1.5",
    "1.6",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "2.5",
    "2.6",
    "2.7",
    "2.8",
    "3.1",
    "3.2",
    "3.3",
    "3.4",
    "3.5",
    "4.1",
    "4.2",
    "4.3",
    "4.5",
    "6.1",
    "6.2",
    "6.3",
    "7.2",
]
MUTANTS_PER_EXERCISE = 12
#: Mutants graded at once, one forked child per core.
PARALLEL = max(1, min(2, os.cpu_count() or 1))
MUTANT_SEED = 14
GRADING_SEED = 20_240
#: Grading time limits: a mutant that loops forever is stopped at ten times the time the
#: model answer took to grade (traced, so already slower than a mutant), never under
#: MIN_MUTANT_TIMEOUT; a busy machine slows both alike. MUTANT_TIMEOUT bounds the rest.
MUTANT_TIMEOUT = 60.0
MIN_MUTANT_TIMEOUT = 15.0
#: Each check of a mutant also stops at ten times what that check took for the model
#: answer (traced), never under MIN_CHECK_LIMIT: a loop in the first check is stopped in
#: seconds, not when the whole grading's limit runs out. A stopped check fails.
MIN_CHECK_LIMIT = 2.0

# (c) a learner file that calls the reference library for (part of) the answer.
LIBRARY_CHEATS = {
    "0.2": """
        import numpy as np
        import torch

        def logistic_loss_and_grad(W, b, X, Y, C):
            W_t, b_t = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
            scores = torch.tensor(X) @ W_t.T + b_t
            if W.shape[0] == 1:
                log_loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    scores, torch.tensor(Y), reduction="sum")
            else:
                log_loss = -(torch.log_softmax(scores, dim=1) * torch.tensor(Y)).sum()
            loss = log_loss + (W_t**2).sum() / (2 * C)
            grad_W, grad_b = torch.autograd.grad(loss, [W_t, b_t])
            return loss.item(), grad_W.numpy(), grad_b.numpy()

        def logistic_gradient_step(W, b, X, Y, C, lr):
            if not lr > 0:
                raise ValueError("lr must be positive")
            loss, grad_W, grad_b = logistic_loss_and_grad(W, b, X, Y, C)
            return W - lr * grad_W, b - lr * grad_b, loss
    """,
    "0.1": """
        import scipy.special

        def softmax(x, axis=-1):
            return scipy.special.softmax(x, axis=axis)

        def logsumexp(x, axis=None, keepdims=False):
            return scipy.special.logsumexp(x, axis=axis, keepdims=keepdims)
    """,
    "0.3": """
        import torch

        def softmax_cross_entropy(logits, y):
            leaf = torch.tensor(logits, requires_grad=True)
            loss = torch.nn.functional.cross_entropy(leaf, torch.tensor(y))
            (grad,) = torch.autograd.grad(loss, [leaf])
            return loss.item(), grad.numpy()
    """,
    "1.2": """
        from nltk.stem.porter import PorterStemmer

        _NLTK = PorterStemmer(PorterStemmer.ORIGINAL_ALGORITHM)
        measure, step1a, step1b, step1c = (
            _NLTK._measure, _NLTK._step1a, _NLTK._step1b, _NLTK._step1c
        )
    """,
    "1.3": """
        from sklearn.feature_extraction.text import TfidfTransformer

        def tfidf_from_counts(counts, smooth_idf=True, sublinear_tf=False, norm="l2"):
            model = TfidfTransformer(norm=norm, smooth_idf=smooth_idf, sublinear_tf=sublinear_tf)
            return model.fit_transform(counts).toarray()
    """,
    "1.4": """
        import importlib

        _bpe = importlib.import_module("nlpjourney.tokenizers.basic_bpe")
        get_pair_counts, merge = _bpe.get_pair_counts, _bpe.merge
    """,
    "1.5": """
        import torch
        import torch.nn.functional as F

        def sgns_loss_and_grads(center, context, negatives):
            leaves = [torch.tensor(a, requires_grad=True) for a in (center, context, negatives)]
            c, o, n = leaves
            scores = torch.einsum("bd,bkd->bk", c, n)
            loss = -(F.logsigmoid((c * o).sum(-1)).sum() + F.logsigmoid(-scores).sum())
            grads = torch.autograd.grad(loss, leaves)
            return loss.item(), *(g.numpy() for g in grads)

        def sgns_step(w_in, w_out, centers, contexts, negatives, lr):
            loss, d_c, d_o, d_n = sgns_loss_and_grads(w_in[centers], w_out[contexts],
                                                       w_out[negatives])
            torch.from_numpy(w_in).index_add_(0, torch.as_tensor(centers),
                                              torch.as_tensor(-lr * d_c))
            torch.from_numpy(w_out).index_add_(0, torch.as_tensor(contexts),
                                               torch.as_tensor(-lr * d_o))
            torch.from_numpy(w_out).index_add_(0, torch.as_tensor(negatives).reshape(-1),
                                               torch.as_tensor(-lr * d_n).reshape(-1, w_out.shape[1]))
            return loss
    """,
    "1.6": """
        from nltk.probability import ConditionalFreqDist

        def continuation_counts(bigrams):
            table = ConditionalFreqDist((right, left) for left, right in set(bigrams))
            return {word: len(table[word]) for word in table}
    """,
    "2.1": """
        from sklearn.naive_bayes import MultinomialNB

        def fit_multinomial_nb(X, y, alpha=1.0):
            model = MultinomialNB(alpha=alpha).fit(X, y)
            return model.classes_, model.class_log_prior_, model.feature_log_prob_
    """,
    "2.2": """
        import numpy as np
        from scipy.cluster.vq import vq
        from sklearn.cluster import KMeans

        def assign_clusters(X, centres):
            rows = X.toarray() if hasattr(X, "toarray") else X
            return vq(rows, np.asarray(centres, dtype=float))[0].astype(np.int64)

        def update_centres(X, labels, centres):
            k = len(centres)
            model = KMeans(n_clusters=k, init=centres, n_init=1, max_iter=1).fit(X)
            return model.cluster_centers_
    """,
    "2.3": """
        import importlib

        import numpy as np

        # the library's compiled sweep, reached by name to get past a plain import scan
        _kernel = importlib.import_module("nlpjourney.topics._kernels").gibbs_sweep_kernel

        def gibbs_sweep(doc_ids, word_ids, z, n_dk, n_kw, n_k, alpha, eta, uniforms):
            _kernel(np.asarray(doc_ids, dtype=np.int64), np.asarray(word_ids, dtype=np.int64),
                    z, n_dk, n_kw, n_k, float(alpha), float(eta), np.asarray(uniforms, float))
            return z
    """,
    "2.4": """
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        from vaderSentiment.vaderSentiment import negated as _negated

        def negated(words_before):
            return _negated(list(words_before))

        def negation_rule(valence, lowered, i, distance):
            return SentimentIntensityAnalyzer._negation_check(valence, lowered, distance - 1, i)
    """,
    "2.5": """
        import numpy as np
        from nltk.tag.hmm import HiddenMarkovModelTagger

        def viterbi(emissions, transitions, start=None, end=None):
            emissions = np.array(emissions, dtype=np.float64)
            n, k = emissions.shape
            if end is not None:
                emissions[-1] += end
            hmm = HiddenMarkovModelTagger(list(range(n)), list(range(k)), None, None, None)
            first = np.zeros(k) if start is None else np.asarray(start)
            hmm._cache = (first, emissions.T, np.asarray(transitions), {t: t for t in range(n)})
            path = np.array(hmm._best_path(list(range(n))), dtype=np.int64)
            score = first[path[0]] + emissions[np.arange(n), path].sum()
            return path, float(score + np.asarray(transitions)[path[:-1], path[1:]].sum())
    """,
    "2.6": """
        import numpy as np
        from scipy.special import logsumexp

        def sequence_score(emissions, transitions, tags, start=None, end=None):
            k = emissions.shape[1]
            start = np.zeros(k) if start is None else start
            end = np.zeros(k) if end is None else end
            tags = np.asarray(tags)
            return float(start[tags[0]] + emissions[np.arange(len(tags)), tags].sum()
                         + transitions[tags[:-1], tags[1:]].sum() + end[tags[-1]])

        def forward_log_alphas(emissions, transitions, start=None, end=None):
            alphas = np.empty_like(emissions)
            alphas[0] = (0 if start is None else start) + emissions[0]
            for t in range(1, len(emissions)):
                alphas[t] = logsumexp(alphas[t - 1][:, None] + transitions, axis=0) + emissions[t]
            return alphas

        def log_partition(emissions, transitions, start=None, end=None):
            alphas = forward_log_alphas(emissions, transitions, start)
            return float(logsumexp(alphas[-1] + (0 if end is None else end)))
    """,
    "2.7": """
        from nltk.parse.dependencygraph import DependencyGraph
        from nltk.parse.transitionparser import TransitionParser

        def arc_standard_oracle(stack, buffer, gold_heads, heads):
            if len(stack) >= 2:
                s0, s1 = stack[-1], stack[-2]
                if s1 != 0 and gold_heads[s1] == s0:
                    return "LEFT-ARC"
                if gold_heads[s0] == s1 and all(
                    heads[w] == s0 for w in range(1, len(gold_heads)) if gold_heads[w] == s0
                ):
                    return "RIGHT-ARC"
            return "SHIFT"

        def oracle_transitions(gold_heads):
            n = len(gold_heads) - 1
            if n:
                rows = "\n".join(f"w{i}\tX\t{gold_heads[i]}\tdep" for i in range(1, n + 1))
                graph = DependencyGraph(rows, top_relation_label="root")
                if not TransitionParser("arc-standard")._is_projective(graph):
                    raise ValueError("not projective")
            stack, buffer, heads, out = [0], list(range(1, n + 1)), [-1] * (n + 1), []
            while buffer or len(stack) > 1:
                action = arc_standard_oracle(stack, buffer, gold_heads, heads)
                if action == "SHIFT":
                    stack.append(buffer.pop(0))
                elif action == "LEFT-ARC":
                    heads[stack.pop(-2)] = stack[-1]
                else:
                    dependent = stack.pop()
                    heads[dependent] = stack[-1]
                out.append(action)
            return out
    """,
    "2.8": """
        import bm25s.scoring
        import numpy as np
        import pytrec_eval

        def bm25_idf(df, n_docs, method="lucene"):
            idf = bm25s.scoring._select_idf_scorer(method)
            return np.array([idf(d, n_docs) if d else 0.0 for d in np.ravel(df)]).reshape(np.shape(df))

        def bm25_tf(tf, doc_len, avgdl, k1=1.5, b=0.75, method="lucene", delta=0.5):
            tfc = bm25s.scoring._select_tfc_scorer(method)
            return tfc(np.asarray(tf, float), np.asarray(doc_len, float), avgdl, k1, b, delta)

        def dcg_at_k(gains, k):
            return sum(g / np.log2(i + 2) for i, g in enumerate(list(gains)[:k]))

        def ndcg_at_k(ranking, qrels, k=10):
            run = {"q": {d: float(len(ranking) - i) for i, d in enumerate(ranking)}}
            evaluator = pytrec_eval.RelevanceEvaluator({"q": dict(qrels)}, {f"ndcg_cut.{k}"})
            return evaluator.evaluate(run)["q"][f"ndcg_cut_{k}"]
    """,
    "3.1": """
        import torch

        def softmax_backward(y, grad_out, axis=-1):
            x = torch.tensor(y).log().requires_grad_()
            out = torch.softmax(x, axis)
            (grad,) = torch.autograd.grad(out, [x], torch.tensor(grad_out))
            return grad.numpy()
    """,
    "3.2": """
        import torch

        def adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=1e-3, betas=(0.9, 0.999),
                       eps=1e-8, weight_decay=1e-2):
            p = torch.nn.Parameter(torch.tensor(param))
            opt = torch.optim.AdamW([p], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
            p.grad = torch.tensor(grad)
            opt.step()
            state = opt.state[p]
            return p.detach().numpy(), state["exp_avg"].numpy(), state["exp_avg_sq"].numpy()
    """,
    "3.3": """
        import torch

        def lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh):
            cell = torch.nn.LSTMCell(W_ih.shape[1], W_hh.shape[1], dtype=torch.float64)
            with torch.no_grad():
                for p, w in zip(cell.parameters(), (W_ih, W_hh, b_ih, b_hh)):
                    p.copy_(torch.tensor(w))
                h_new, c_new = cell(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))
            return h_new.numpy(), c_new.numpy()
    """,
    "3.4": """
        import torch
        import torch.nn.functional as F

        def unfold1d(x, kernel_size, stride=1, padding=0, dilation=1):
            return F.unfold(x[:, :, None, :], (1, kernel_size), dilation=(1, dilation),
                            padding=(0, padding), stride=(1, stride))

        def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1):
            return F.conv1d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)

        def max_over_time(h, lengths=None):
            if lengths is not None:
                past_end = torch.arange(h.shape[-1])[None, :] >= lengths[:, None]
                h = h.masked_fill(past_end[:, None, :], float("-inf"))
            return F.adaptive_max_pool1d(h, 1)[..., 0]
    """,
    "3.5": """
        from nlpjourney.seq2seq import attention as _attention
        from nlpjourney.seq2seq.beam import beam_search_step  # noqa: F401

        def additive_attention(query, keys, values, w_query, w_key, v, mask=None):
            return _attention.additive_attention(query, keys, values, w_query, w_key, v, mask)
    """,
    "4.1": """
        import torch.nn.functional as F

        def causal_self_attention(x, w_qkv, w_out, num_heads):
            batch, seq_len, dim = x.shape
            q, k, v = (x @ w_qkv.T).split(dim, dim=-1)
            q, k, v = (t.view(batch, seq_len, num_heads, -1).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return y.transpose(1, 2).reshape(batch, seq_len, dim) @ w_out.T
    """,
    "4.2": """
        from nlpjourney.train import Trainer  # noqa: F401
        from nlpjourney.train.loop import train_step  # noqa: F401
    """,
    "4.3": """
        import torch.nn.functional as F
        from sentence_transformers.models import Pooling

        def mean_pool(token_states, attention_mask):
            pooling = Pooling(token_states.shape[-1], pooling_mode="mean")
            features = {"token_embeddings": token_states, "attention_mask": attention_mask}
            return pooling(features)["sentence_embedding"]

        def l2_normalize(vectors, eps=1e-12):
            return F.normalize(vectors, p=2, dim=-1, eps=eps)
    """,
    "4.5": """
        import torch
        import torch.nn.functional as F

        def rms_norm(x, weight, eps):
            return F.rms_norm(x, (x.shape[-1],), weight, eps)

        def apply_rope(x, cos, sin, *, interleaved=False):
            half = x.shape[-1] // 2
            turned = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
            return x * torch.cat([cos, cos], -1) + turned * torch.cat([sin, sin], -1)

        def gqa_attention(x, w_q, w_k, w_v, w_o, cos, sin, num_heads, num_kv_heads):
            b, t, c = x.shape
            q = (x @ w_q.T).view(b, t, num_heads, -1).transpose(1, 2)
            k = (x @ w_k.T).view(b, t, num_kv_heads, -1).transpose(1, 2)
            v = (x @ w_v.T).view(b, t, num_kv_heads, -1).transpose(1, 2)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            return y.transpose(1, 2).reshape(b, t, c) @ w_o.T
    """,
    "6.1": """
        import torch.nn.functional as F
        from transformers.generation.logits_process import TopPLogitsWarper

        def attend_with_cache(q, k_new, v_new, cache_k, cache_v, pos):
            end = pos + q.shape[2]
            cache_k[:, :, pos:end], cache_v[:, :, pos:end] = k_new, v_new
            k, v = cache_k[:, :, :end], cache_v[:, :, :end]
            out = F.scaled_dot_product_attention(q, k, v, is_causal=pos == 0, enable_gqa=True)
            return out, cache_k, cache_v

        def top_p_filter(logits, top_p):
            return TopPLogitsWarper(top_p)(None, logits)
    """,
    "6.3": """
        from nlpjourney.infer.chat import ChatSession
        from openai.lib.streaming.chat import ChatCompletionStreamState

        def join_chunks(chunks):
            state = ChatCompletionStreamState()
            for chunk in chunks:
                state.handle_chunk(chunk)
            done = state.get_final_completion()
            return [(c.message.content or "", c.finish_reason) for c in done.choices]

        def trim_messages(messages, count_tokens, budget):
            session = ChatSession(None, None, system=messages[0]["content"])
            session.turns = [dict(m) for m in messages[1:-1]]
            session.fit(messages[-1]["content"])
            return session.messages(messages[-1]["content"])
    """,
    "7.2": """
        from nlpjourney.apps.chatbot import ConversationMemory, FunctionChatModel

        def messages_to_fold(sizes, room, keep_recent=2):
            # the memory's own fit decides, on messages of those sizes (s - 1 words each)
            messages = [{"role": ("user", "assistant")[i % 2], "content": "w " * (s - 1)}
                        for i, s in enumerate(sizes)]
            llm = FunctionChatModel(lambda messages, **settings: "")
            memory = ConversationMemory(messages)
            fixed = llm.count_tokens(memory.prompt("s", "q", recent=[]))
            return memory.fit(llm, "s", "q", room + fixed, 1, keep_recent)
    """,
    "6.2": """
        from httpx_sse import ServerSentEvent  # noqa: F401

        from nlpjourney.serve.app import _sse

        def format_event(payload):
            if isinstance(payload, str):
                return "".join(f"data: {line}\\n" for line in payload.split("\\n")) + "\\n"
            return _sse(payload)

        def parse_events(lines):
            events, data = [], None
            for line in lines:
                if line == "":
                    if data is not None:
                        events.append("\\n".join(data))
                    data = None
                elif line.startswith("data"):
                    value = line[5:]
                    data = (data or []) + [value[1:] if value.startswith(" ") else value]
            return events
    """,
}

# The table cheat: every call's arguments, fingerprinted, give the recorded answer.
FINGERPRINT = '''
import hashlib


_PLAIN = {str, int, float, bool, bytes, type(None)}


def _fingerprint(obj):
    """A stable text for an argument: arrays by their bytes, callables by their name."""
    # First the common cases (a plain value, a flat list or tuple of them), as the general
    # rules below would write them, without a call per item: the parser's oracle is
    # called some 140,000 times, each with three lists.
    kind = type(obj)
    if kind in _PLAIN:
        return repr(obj)
    if (kind is list or kind is tuple) and _PLAIN.issuperset(map(type, obj)):
        return kind.__name__ + "(" + ",".join(map(repr, obj)) + ")"
    if hasattr(obj, "detach") and hasattr(obj, "numpy"):
        obj = obj.detach().cpu().numpy()
    if hasattr(obj, "tobytes") and hasattr(obj, "dtype"):
        data = obj.tobytes() if obj.dtype != object else repr(obj.tolist()).encode()
        return "array" + str(obj.shape) + str(obj.dtype) + hashlib.sha1(data).hexdigest()
    if isinstance(obj, dict):
        items = sorted((_fingerprint(k), _fingerprint(v)) for k, v in obj.items())
        return "dict(" + ",".join(k + ":" + v for k, v in items) + ")"
    if isinstance(obj, list | tuple):
        return type(obj).__name__ + "(" + ",".join(_fingerprint(o) for o in obj) + ")"
    if isinstance(obj, str | int | float | bool | bytes | type(None)):
        return repr(obj)
    return "object:" + type(obj).__qualname__ + ":" + getattr(obj, "__qualname__", "")


def _key(name, args, kwargs):
    return _fingerprint((name, args, kwargs))
'''


def _checks_file(topic: topics.Topic) -> Path:
    return topic.exercise_dir / "checks.py"


def graded_names(topic: topics.Topic) -> list[str]:
    tree = ast.parse((topic.exercise_dir / "exercise.py").read_text())
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]


def reference_name(topic: topics.Topic) -> str:
    for node in ast.parse(_checks_file(topic).read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "REFERENCE":
            return node.value.value
    raise AssertionError(f"exercises/{topic.id}/checks.py sets no REFERENCE")


def model_source(topic: topics.Topic) -> str:
    """The library modules that define the graded functions, as one learner file."""
    reference = importlib.import_module(reference_name(topic))
    modules = []
    for name in graded_names(topic):
        module = inspect.getmodule(getattr(reference, name))
        if module not in modules:
            modules.append(module)
    parts = ["from __future__ import annotations"]
    for module in modules:
        source = inspect.getsource(module)
        parts.append(source.replace("from __future__ import annotations\n", ""))
    return "\n\n".join(parts)


def checks_without_forbidden(topic: topics.Topic, folder: Path) -> Path:
    """A copy of the checks whose FORBIDDEN is empty, for grading copies of the library."""
    source = _checks_file(topic).read_text()
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "FORBIDDEN":
            lines[node.lineno - 1 : node.end_lineno] = ["FORBIDDEN = ()\n"]
            break
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n")
    copy = folder / "checks.py"
    copy.write_text("".join(lines))
    return copy


class CheckClock:
    """A pytest plugin for a forked grading: it times each check (``times``) and, given
    ``limits`` (check name -> seconds), fails a check that runs past its limit."""

    def __init__(self, limits: dict[str, float] | None = None) -> None:
        self.limits = limits
        self.times: dict[str, float] = {}

    @staticmethod
    def _stop(signum: int, frame: Any) -> None:
        raise TimeoutError("the check ran past ten times the model answer's time")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        if self.limits is not None:
            signal.signal(signal.SIGALRM, self._stop)
            signal.setitimer(signal.ITIMER_REAL, self.limits.get(item.name, MIN_CHECK_LIMIT))
        started = time.monotonic()
        try:
            yield
        finally:
            if self.limits is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
            self.times[item.name] = time.monotonic() - started


def start_grading(
    checks: Path,
    exercise: Path,
    seed: int,
    *,
    trace: bool = False,
    dump_table: Path | None = None,
    first_failure: bool = False,
    timeout: float = MUTANT_TIMEOUT,
    check_limits: dict[str, float] | None = None,
) -> tuple[int, float, Path, Path | None]:
    """Start grading ``exercise`` in a forked child: (its pid, its deadline, where its
    results go, where the lines it ran go when ``trace``). With ``first_failure`` the
    grading stops at the first failed check (enough to know a mutant is caught). With
    ``check_limits`` each check stops at its limit (:class:`CheckClock`); with ``trace``
    the child also writes each check's time beside the lines it ran."""
    out = checks.parent / f"results-{exercise.stem}-{seed}.json"
    lines_file = checks.parent / f"lines-{exercise.stem}.json"
    out.unlink(missing_ok=True)
    target = str(exercise)
    pid = os.fork()
    if pid == 0:  # the child: grade, write the results, and leave without cleanup
        code = 1
        try:
            import pytest as child_pytest
            import torch

            torch.set_num_threads(1)  # children run side by side, one per core
            ran: set[int] = set()
            if trace:

                def local(frame, event, arg):
                    if event == "line":
                        ran.add(frame.f_lineno)
                    return local

                def tracer(frame, event, arg):
                    return local if frame.f_code.co_filename == target else None

                sys.settrace(tracer)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.environ.update(
                grading.GRADING_ENV
            )  # as `journey check` grades: no autoloaded plugins
            clock = CheckClock(check_limits)
            child_pytest.main([
                str(checks), "-p", "nlpjourney.course.checking", "--exercise", target,
                "--results-json", str(out), "--seed", str(seed),
                "-c", str(checks.parent / "pytest.ini"), "--rootdir", str(checks.parent),
                "-p", "no:cacheprovider", "-q", "--import-mode=importlib", *grading.QUIET_PLUGINS,
                *(["--exitfirst"] if first_failure else []),
            ], plugins=[clock])  # fmt: skip
            sys.settrace(None)
            if trace:
                lines_file.write_text(json.dumps({"lines": sorted(ran), "times": clock.times}))
            if dump_table is not None:
                for module in list(sys.modules.values()):
                    if getattr(module, "__file__", None) == target:
                        dump_table.write_bytes(pickle.dumps(module.JOURNEY_TABLE))
            code = 0
        finally:
            os._exit(code)
    return pid, time.monotonic() + timeout, out, lines_file if trace else None


def finish_grading(
    pid: int, deadline: float, out: Path, lines_file: Path | None
) -> tuple[list[dict] | None, set[int]]:
    """Wait for a child of :func:`start_grading`: (results, or None when it crashed or
    timed out; the lines of the exercise that ran, when traced: see :func:`check_times`)."""
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None, set()
        time.sleep(0.02)
    report = json.loads(out.read_text()) if out.is_file() else None
    results = report["checks"] if isinstance(report, dict) else report
    traced = json.loads(lines_file.read_text()) if lines_file and lines_file.is_file() else {}
    return results, set(traced.get("lines", []))


def check_times(lines_file: Path) -> dict[str, float]:
    """Each check's seconds in a traced grading (written beside the lines it ran)."""
    return json.loads(lines_file.read_text())["times"] if lines_file.is_file() else {}


def grade_in_fork(
    checks: Path,
    exercise: Path,
    seed: int,
    *,
    trace: bool = False,
    dump_table: Path | None = None,
    first_failure: bool = False,
) -> tuple[list[dict] | None, set[int]]:
    """Grade ``exercise`` in a forked child and wait for it (see :func:`finish_grading`)."""
    return finish_grading(*start_grading(checks, exercise, seed, trace=trace,
                                         dump_table=dump_table, first_failure=first_failure))  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def warm_imports() -> None:
    """Import the checks' heavy libraries once, before any fork (a forked child that
    imports transformers' Llama itself spends seconds on it, for every mutant; torch's
    first optimizer step imports torch._dynamo, five seconds)."""
    for name in ("numpy", "scipy.special", "scipy.sparse", "scipy.spatial.distance",
                 "sklearn.feature_extraction.text", "sklearn.naive_bayes", "sklearn.linear_model",
                 "sklearn.datasets", "torch", "torch._dynamo", "transformers.models.llama.modeling_llama",
                 "nltk.stem.porter", "vaderSentiment.vaderSentiment", "nlpjourney.course.checking",
                 "nlpjourney.data.corpora", "nlpjourney.features", "nlpjourney.models",
                 "nlpjourney.infer", "nlpjourney.sentiment"):  # fmt: skip
        importlib.import_module(name)


def mutant_rate(topic_id: str, folder: Path) -> tuple[int, int, list[str]]:
    """(caught, total, the changes that survived) for one exercise's mutants."""
    topic = topics.get(topic_id)
    work = folder / topic_id
    checks = checks_without_forbidden(topic, work)
    source = model_source(topic)
    model = work / "model_answer.py"
    model.write_text(source)
    started = time.monotonic()
    results, ran = grade_in_fork(checks, model, GRADING_SEED, trace=True)
    timeout = min(MUTANT_TIMEOUT, max(MIN_MUTANT_TIMEOUT, 10 * (time.monotonic() - started)))
    limits = {
        name: max(MIN_CHECK_LIMIT, 10 * seconds)
        for name, seconds in check_times(checks.parent / "lines-model_answer.json").items()
    }
    assert results and all(r["passed"] for r in results), (
        f"{topic_id}: the model answer, as a learner file, fails: "
        f"{[r for r in results or [] if not r['passed']]}"
    )
    caught, survivors = 0, []
    found = list(
        mutants(
            source, graded_names(topic), lines=ran, limit=MUTANTS_PER_EXERCISE, seed=MUTANT_SEED
        )
    )
    running: list[tuple[Any, tuple[int, float, Path, Path | None]]] = []

    def settle() -> None:
        nonlocal caught
        mutant, child = running.pop(0)
        results, _ = finish_grading(*child)
        if results is None or not results or not all(r["passed"] for r in results):
            caught += 1
        else:
            survivors.append(mutant.change)

    for i, mutant in enumerate(found):  # PARALLEL children at a time
        path = work / f"mutant_{i:02d}.py"
        path.write_text(mutant.source)
        running.append(
            (
                mutant,
                start_grading(
                    checks,
                    path,
                    GRADING_SEED,
                    first_failure=True,
                    timeout=timeout,
                    check_limits=limits,
                ),
            )  # fmt: skip
        )
        if len(running) >= PARALLEL:
            settle()
    while running:
        settle()
    return caught, len(found), survivors


def write_learner(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def test_grader_strength_measures_every_exercise() -> None:
    """Every topic with an exercise is measured here (its model answer is graded at a
    fresh seed only here: ``test_exercises_and_lessons.py`` grades the template's)."""
    assert sorted(EXERCISES) == sorted(t.id for t in topics.TOPICS if t.parts()["exercise"])


@pytest.mark.parametrize("topic_id", EXERCISES)
def test_grader_strength_cheats_fail(topic_id: str, tmp_path: Path) -> None:
    """Importing the model answer (directly, through importlib), calling the reference
    library, and a table of the fixed cases' answers all fail.

    (a)-(c) rely on `journey check` refusing files that use what FORBIDDEN names.
    """
    topic = topics.get(topic_id)
    reference = reference_name(topic)
    names = graded_names(topic)
    cheats = {
        "star_import": f"from {reference} import *  # noqa: F403\n",
        "through_importlib": (
            "import importlib\n\n"
            f"_answer = importlib.import_module({reference!r})\n"
            + "".join(f"{name} = _answer.{name}\n" for name in names)
        ),
        "reference_library": LIBRARY_CHEATS[topic_id],
    }
    # (d) record the model answer's answers to the checks at one seed, then replay them.
    table = tmp_path / "table.pkl"
    recorder = (
        model_source(topic)
        + FINGERPRINT
        + textwrap.dedent(f"""

        JOURNEY_TABLE = {{}}


        def _recording(name, function):
            def wrapper(*args, **kwargs):
                key = _key(name, args, kwargs)
                try:
                    result = function(*args, **kwargs)
                except Exception as error:
                    JOURNEY_TABLE[key] = ("raise", error)
                    raise
                JOURNEY_TABLE[key] = ("return", result)
                return result
            return wrapper


        for _name in {names!r}:
            globals()[_name] = _recording(_name, globals()[_name])
    """)
    )
    checks = checks_without_forbidden(topic, tmp_path / "record")
    recorded = write_learner(tmp_path, "recorder.py", recorder)
    # A fresh seed each run: recording is also the model answer's grading at a new seed.
    seed = grading.new_seed()
    results, _ = grade_in_fork(checks, recorded, seed, dump_table=table)
    assert results and all(r["passed"] for r in results), (
        f"{topic_id}: the model answer fails at --seed {seed}: "
        f"{[r for r in results or [] if not r['passed']]}"
    )
    assert table.is_file(), "recording the fixed cases' answers failed"
    cheats["lookup_table"] = FINGERPRINT + textwrap.dedent(f"""
        import copy
        import pickle

        with open({str(table)!r}, "rb") as file:
            _TABLE = pickle.load(file)


        def _answer(name):
            def lookup(*args, **kwargs):
                kind, value = _TABLE.get(_key(name, args, kwargs), ("return", None))
                if kind == "raise":
                    raise value
                return copy.deepcopy(value)
            return lookup


        for _name in {names!r}:
            globals()[_name] = _answer(_name)
    """)
    table_cheat = write_learner(tmp_path, "lookup_table.py", cheats.pop("lookup_table"))
    # (a)-(c) go through `journey check`'s own path, which refuses them.
    passed = {
        name: grading.run_checks(
            topic, write_learner(tmp_path, f"{name}.py", source), seed=GRADING_SEED
        ).ok
        for name, source in cheats.items()
    }
    # (d) uses nothing forbidden, so grading it without the guard is grading it as
    # `journey check` would. The table is faithful: replayed under the seed (and check
    # names) it was recorded with, it passes; under another seed the fresh inputs defeat
    # it, and one failing check is enough to know that (the heavy checks come later).
    # (4.2 and 1.5 are graded by the step's effect on the weights, 2.3 by the sweep's
    # on the count tables, which no table of return values can replay; 3.4's and 3.5's
    # gradient checks need the answer's autograd graph, which a table of tensors does not
    # carry.)
    same_seed, _ = grade_in_fork(checks, table_cheat, seed)
    other_seed, _ = grade_in_fork(checks, table_cheat, (seed + 1) % 1_000_000, first_failure=True)
    unreplayable = {
        "3.4": {
            "test_conv1d_gradients_equal_torch",
            "test_max_over_time_gradient_goes_to_the_maximum",
        },
        "3.5": {"test_attention_gradients"},
    }.get(topic_id, set())
    if topic_id not in ("4.2", "1.5", "2.3"):
        assert same_seed and all(r["passed"] for r in same_seed if r["name"] not in unreplayable), (
            "the table is incomplete"
        )
    passed["lookup_table"] = bool(other_seed) and all(r["passed"] for r in other_seed)
    assert passed == dict.fromkeys(passed, False), f"{topic_id}: cheats graded as done: {passed}"


@pytest.mark.parametrize("topic_id", EXERCISES)
def test_grader_strength_mutants_caught(topic_id: str, tmp_path: Path, grader_rates: Path) -> None:
    """At least 80 % of the exercise's mutants are caught.

    One test per exercise, so that parallel workers share them out; each writes its rate
    where ``tests/conftest.py`` sums them when the run ends and fails it under 90 % in all.
    """
    caught, total, survivors = mutant_rate(topic_id, tmp_path)
    print(f"{topic_id}: {caught}/{total} mutants caught ({caught / total:.0%}); "
          f"survived: {survivors}")  # fmt: skip
    (grader_rates / f"{topic_id}.json").write_text(json.dumps({"caught": caught, "total": total}))
    assert total >= 10, f"{topic_id}: only {total} mutants (need at least 10)"
    assert caught >= 0.8 * total, f"{topic_id}: {caught}/{total} caught, under 80 %: {survivors}"
