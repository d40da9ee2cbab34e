"""Applications: end-to-end workflows, each a function with a typed config.

The top floor of the library. A workflow picks a dataset, a tokenizer and a model,
trains or runs it, and writes what a person wants to keep (a run folder, a plot, a
score). The ``journey`` command, the lessons, the tests and the benchmarks all call
these same functions; the command line only parses options and prints.

- :mod:`~nlpjourney.apps.gpt`: a GPT (or a Llama, ``GPTRunConfig(model="llama")``) on
  Tiny Shakespeare by a named recipe (:func:`train_gpt`, :class:`GPTRunConfig`,
  :data:`GPT_RECIPES`, :data:`LLAMA_RECIPES`), read back with :func:`load_run` and
  sampled with :func:`generate_text`;
- :mod:`~nlpjourney.apps.char_rnn`: a character RNN, LSTM or GRU on Tiny Shakespeare by
  truncated backpropagation through time (:func:`train_char_rnn`,
  :class:`CharRNNRunConfig`; the stream is :class:`nlpjourney.train.TBPTTStream`), read
  back and sampled by ``journey sample`` like a GPT run;
- :mod:`~nlpjourney.apps.translation` and :mod:`~nlpjourney.apps.translator`: the
  Multi30k translator (joint BPE, length-bucketed batches, label smoothing, BLEU through
  sacreBLEU; :func:`train_translator`, :class:`TranslatorRunConfig`,
  :func:`evaluate_bleu`, :func:`load_translator`, :class:`Translator`);
- :mod:`~nlpjourney.apps.seq2seq` and :mod:`~nlpjourney.apps.seq2seq_translation`: the
  recurrent Multi30k translator with attention (:func:`train_seq2seq`,
  :class:`Seq2SeqRunConfig`, :func:`load_seq2seq`, :class:`Seq2SeqTranslator`,
  :func:`bleu_by_length`; :func:`load_any_translator` reads either kind's run folder);
- :mod:`~nlpjourney.apps.bert` and :mod:`~nlpjourney.apps.bert_data`: BERT trained
  here, a tiny masked-LM pretrained from scratch and the real all-MiniLM-L6-v2
  fine-tuned for sentence polarity and CoNLL-2003 NER (:func:`train_bert`,
  :class:`BertRunConfig`, :func:`mask_tokens`, :func:`align_labels`, :func:`span_f1`);
- :mod:`~nlpjourney.apps.embeddings`: word vectors (word2vec, FastText, GloVe, PPMI-SVD)
  trained on the registry's English text, evaluated and queried
  (:func:`train_embeddings`, :class:`EmbeddingsRunConfig`, :func:`neighbours`);
- :mod:`~nlpjourney.apps.classify`: a naive Bayes text classifier (the SMS spam filter)
  trained on a registry dataset, evaluated, saved and used (:func:`train_classifier`,
  :class:`ClassifyRunConfig`, :func:`classify_texts`);
- :mod:`~nlpjourney.apps.topics`: topic models (NMF, online-VB and Gibbs LDA) of the State
  of the Union addresses or Brown, each topic's coherence, and a picture of topic weight by
  year or genre (:func:`find_topics`, :class:`TopicsRunConfig`);
- :mod:`~nlpjourney.apps.cluster`: a labelled registry corpus clustered by TF-IDF and
  scored against its labels (:func:`cluster_corpus`, :class:`ClusterRunConfig`);
- :mod:`~nlpjourney.apps.search`: a BM25 search engine over a registry dataset or a folder
  of text files, its answers shown as marked snippets (:func:`build_index`,
  :func:`query_index`, :class:`SearchIndexConfig`, :class:`SearchConfig`, :class:`Hit`);
- :mod:`~nlpjourney.apps.ner`: named entity recognition on CoNLL-2003 or files in CoNLL
  columns, a CRF or a neural tagger trained, scored and used (:func:`train_ner`,
  :func:`predict_ner`, :class:`NerRunConfig`, :class:`NerPredictConfig`);
- :mod:`~nlpjourney.apps.parse`: dependency parsers (perceptron, neural) trained on UD
  English LinES or a CoNLL-U file, used on CoNLL-U and scored (:func:`train_parser`,
  :func:`predict_parse`, :func:`evaluate_parse`, :class:`ParseTrainConfig`,
  :class:`ParsePredictConfig`);
- :mod:`~nlpjourney.apps.tagging`: part-of-speech taggers (perceptron, HMM) trained on UD
  LinES, the Penn Treebank sample or a CoNLL-U file, saved, and used on text
  (:func:`train_tagger`, :func:`predict_tags`, :func:`load_tagger`, :class:`TagTrainConfig`);
- :mod:`~nlpjourney.apps.sweep`: the scaling-law sweep, GPTs of several sizes on equal
  compute (:func:`run_sweep`, :class:`SweepConfig`);
- :mod:`~nlpjourney.apps.runs`: what every workflow does with its run folder;
- :mod:`~nlpjourney.apps.chatbot`: a chatbot with a persona, a memory that summarises,
  retrieval over the user's notes and conversations saved in SQLite (:class:`Chatbot`,
  :class:`Persona`, :class:`ConversationStore`; ``journey chat --persona --notes``).

Importing this package is cheap: each name's module is imported the first time the name
is asked for, and the modules that need torch import it when a workflow runs, so ``from
nlpjourney.apps import GPTRunConfig`` can fill a command's help.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for readers and type checkers
    from nlpjourney.apps.bert import (
        BertRecipe,
        BertRunConfig,
        BertRunResult,
        MaskedScores,
        train_bert,
    )
    from nlpjourney.apps.bert_data import ExampleSampler, align_labels, mask_tokens, span_f1
    from nlpjourney.apps.char_rnn import RECIPES as CHAR_RNN_RECIPES
    from nlpjourney.apps.char_rnn import (
        CharRNNRecipe,
        CharRNNRunConfig,
        CharRNNRunResult,
        train_char_rnn,
    )
    from nlpjourney.apps.chatbot import Chatbot, ConversationStore, Persona
    from nlpjourney.apps.classify import (
        ClassifyRunConfig,
        ClassifyRunResult,
        classify_texts,
        train_classifier,
    )
    from nlpjourney.apps.cluster import ClusterRunConfig, ClusterRunResult, cluster_corpus
    from nlpjourney.apps.embeddings import (
        EmbeddingsRunConfig,
        EmbeddingsRunResult,
        EnglishCorpus,
        neighbours,
        train_embeddings,
    )
    from nlpjourney.apps.gpt import (
        ARCHITECTURES,
        LLAMA_RECIPES,
        Architecture,
        GPTRecipe,
        GPTRunConfig,
        generate_text,
        load_run,
        train_gpt,
    )
    from nlpjourney.apps.gpt import RECIPES as GPT_RECIPES
    from nlpjourney.apps.ner import (
        NerPredictConfig,
        NerRunConfig,
        NerRunResult,
        predict_ner,
        train_ner,
    )
    from nlpjourney.apps.parse import (
        ParsePredictConfig,
        ParseTrainConfig,
        ParseTrainResult,
        evaluate_parse,
        predict_parse,
        train_parser,
    )
    from nlpjourney.apps.polarity_cnn import (
        PolarityCVConfig,
        PolarityCVRow,
        PolarityCVTable,
        polarity_cross_validation,
    )
    from nlpjourney.apps.runs import (
        RunStart,
        check_run_folder,
        last_scores,
        overall_rate,
        recipe_config,
        start_run,
    )
    from nlpjourney.apps.search import (
        Hit,
        SearchConfig,
        SearchIndexConfig,
        build_index,
        query_index,
    )
    from nlpjourney.apps.seq2seq import RECIPES as SEQ2SEQ_RECIPES
    from nlpjourney.apps.seq2seq import (
        Seq2SeqRunConfig,
        load_any_translator,
        load_seq2seq,
        train_seq2seq,
    )
    from nlpjourney.apps.seq2seq_translation import Seq2SeqTranslator, bleu_by_length
    from nlpjourney.apps.sweep import RunResult, SweepConfig, read_sweep, run_sweep
    from nlpjourney.apps.tagging import (
        TagPredictConfig,
        TagTrainConfig,
        TagTrainResult,
        load_tagger,
        predict_tags,
        train_tagger,
    )
    from nlpjourney.apps.topics import TopicsRunConfig, TopicsRunResult, find_topics
    from nlpjourney.apps.translation import ParallelBatches, Translator
    from nlpjourney.apps.translator import RECIPES as TRANSLATOR_RECIPES
    from nlpjourney.apps.translator import (
        TranslatorRecipe,
        TranslatorRunConfig,
        evaluate_bleu,
        fit_translator,
        load_translator,
        train_translator,
    )

__all__ = [
    "ARCHITECTURES",
    "CHAR_RNN_RECIPES",
    "CharRNNRecipe",
    "CharRNNRunConfig",
    "CharRNNRunResult",
    "train_char_rnn",
    "Architecture",
    "BertRecipe",
    "BertRunConfig",
    "BertRunResult",
    "ClassifyRunConfig",
    "ClassifyRunResult",
    "EmbeddingsRunConfig",
    "ClusterRunConfig",
    "ClusterRunResult",
    "EmbeddingsRunResult",
    "EnglishCorpus",
    "ExampleSampler",
    "GPT_RECIPES",
    "LLAMA_RECIPES",
    "TRANSLATOR_RECIPES",
    "GPTRecipe",
    "GPTRunConfig",
    "Hit",
    "NerPredictConfig",
    "NerRunConfig",
    "NerRunResult",
    "MaskedScores",
    "ParallelBatches",
    "ParsePredictConfig",
    "ParseTrainConfig",
    "ParseTrainResult",
    "PolarityCVConfig",
    "PolarityCVRow",
    "PolarityCVTable",
    "RunResult",
    "RunStart",
    "SearchConfig",
    "SearchIndexConfig",
    "SweepConfig",
    "TagPredictConfig",
    "TagTrainConfig",
    "TagTrainResult",
    "TopicsRunConfig",
    "TopicsRunResult",
    "Translator",
    "TranslatorRecipe",
    "TranslatorRunConfig",
    "check_run_folder",
    "classify_texts",
    "cluster_corpus",
    "evaluate_bleu",
    "fit_translator",
    "evaluate_parse",
    "find_topics",
    "align_labels",
    "build_index",
    "generate_text",
    "load_run",
    "load_tagger",
    "load_translator",
    "mask_tokens",
    "neighbours",
    "last_scores",
    "overall_rate",
    "predict_ner",
    "predict_parse",
    "polarity_cross_validation",
    "read_sweep",
    "recipe_config",
    "predict_tags",
    "query_index",
    "run_sweep",
    "start_run",
    "span_f1",
    "train_bert",
    "train_classifier",
    "train_embeddings",
    "train_gpt",
    "train_parser",
    "train_tagger",
    "train_ner",
    "train_translator",
    "SEQ2SEQ_RECIPES",
    "Seq2SeqRunConfig",
    "Seq2SeqTranslator",
    "bleu_by_length",
    "load_any_translator",
    "load_seq2seq",
    "train_seq2seq",
    "Chatbot",
    "ConversationStore",
    "Persona",
]

#: Every name's module, imported on first use (PEP 562): importing the package, or one
#: of its modules, costs nothing, so the ``journey`` command starts quickly.
_LAZY: dict[str, tuple[str, str]] = {
    "ARCHITECTURES": ("nlpjourney.apps.gpt", "ARCHITECTURES"),
    "Architecture": ("nlpjourney.apps.gpt", "Architecture"),
    "BertRecipe": ("nlpjourney.apps.bert", "BertRecipe"),
    "BertRunConfig": ("nlpjourney.apps.bert", "BertRunConfig"),
    "BertRunResult": ("nlpjourney.apps.bert", "BertRunResult"),
    "CHAR_RNN_RECIPES": ("nlpjourney.apps.char_rnn", "RECIPES"),
    "CharRNNRecipe": ("nlpjourney.apps.char_rnn", "CharRNNRecipe"),
    "CharRNNRunConfig": ("nlpjourney.apps.char_rnn", "CharRNNRunConfig"),
    "CharRNNRunResult": ("nlpjourney.apps.char_rnn", "CharRNNRunResult"),
    "ClassifyRunConfig": ("nlpjourney.apps.classify", "ClassifyRunConfig"),
    "ClassifyRunResult": ("nlpjourney.apps.classify", "ClassifyRunResult"),
    "ClusterRunConfig": ("nlpjourney.apps.cluster", "ClusterRunConfig"),
    "ClusterRunResult": ("nlpjourney.apps.cluster", "ClusterRunResult"),
    "EmbeddingsRunConfig": ("nlpjourney.apps.embeddings", "EmbeddingsRunConfig"),
    "EmbeddingsRunResult": ("nlpjourney.apps.embeddings", "EmbeddingsRunResult"),
    "EnglishCorpus": ("nlpjourney.apps.embeddings", "EnglishCorpus"),
    "ExampleSampler": ("nlpjourney.apps.bert_data", "ExampleSampler"),
    "GPTRecipe": ("nlpjourney.apps.gpt", "GPTRecipe"),
    "GPTRunConfig": ("nlpjourney.apps.gpt", "GPTRunConfig"),
    "GPT_RECIPES": ("nlpjourney.apps.gpt", "RECIPES"),
    "Hit": ("nlpjourney.apps.search", "Hit"),
    "LLAMA_RECIPES": ("nlpjourney.apps.gpt", "LLAMA_RECIPES"),
    "MaskedScores": ("nlpjourney.apps.bert", "MaskedScores"),
    "NerPredictConfig": ("nlpjourney.apps.ner", "NerPredictConfig"),
    "NerRunConfig": ("nlpjourney.apps.ner", "NerRunConfig"),
    "NerRunResult": ("nlpjourney.apps.ner", "NerRunResult"),
    "ParallelBatches": ("nlpjourney.apps.translation", "ParallelBatches"),
    "ParsePredictConfig": ("nlpjourney.apps.parse", "ParsePredictConfig"),
    "ParseTrainConfig": ("nlpjourney.apps.parse", "ParseTrainConfig"),
    "ParseTrainResult": ("nlpjourney.apps.parse", "ParseTrainResult"),
    "PolarityCVConfig": ("nlpjourney.apps.polarity_cnn", "PolarityCVConfig"),
    "PolarityCVRow": ("nlpjourney.apps.polarity_cnn", "PolarityCVRow"),
    "PolarityCVTable": ("nlpjourney.apps.polarity_cnn", "PolarityCVTable"),
    "RunResult": ("nlpjourney.apps.sweep", "RunResult"),
    "RunStart": ("nlpjourney.apps.runs", "RunStart"),
    "SEQ2SEQ_RECIPES": ("nlpjourney.apps.seq2seq", "RECIPES"),
    "SearchConfig": ("nlpjourney.apps.search", "SearchConfig"),
    "SearchIndexConfig": ("nlpjourney.apps.search", "SearchIndexConfig"),
    "Seq2SeqRunConfig": ("nlpjourney.apps.seq2seq", "Seq2SeqRunConfig"),
    "Seq2SeqTranslator": ("nlpjourney.apps.seq2seq_translation", "Seq2SeqTranslator"),
    "SweepConfig": ("nlpjourney.apps.sweep", "SweepConfig"),
    "TRANSLATOR_RECIPES": ("nlpjourney.apps.translator", "RECIPES"),
    "TagPredictConfig": ("nlpjourney.apps.tagging", "TagPredictConfig"),
    "TagTrainConfig": ("nlpjourney.apps.tagging", "TagTrainConfig"),
    "TagTrainResult": ("nlpjourney.apps.tagging", "TagTrainResult"),
    "TopicsRunConfig": ("nlpjourney.apps.topics", "TopicsRunConfig"),
    "TopicsRunResult": ("nlpjourney.apps.topics", "TopicsRunResult"),
    "Translator": ("nlpjourney.apps.translation", "Translator"),
    "TranslatorRecipe": ("nlpjourney.apps.translator", "TranslatorRecipe"),
    "TranslatorRunConfig": ("nlpjourney.apps.translator", "TranslatorRunConfig"),
    "align_labels": ("nlpjourney.apps.bert_data", "align_labels"),
    "bleu_by_length": ("nlpjourney.apps.seq2seq_translation", "bleu_by_length"),
    "build_index": ("nlpjourney.apps.search", "build_index"),
    "check_run_folder": ("nlpjourney.apps.runs", "check_run_folder"),
    "classify_texts": ("nlpjourney.apps.classify", "classify_texts"),
    "cluster_corpus": ("nlpjourney.apps.cluster", "cluster_corpus"),
    "evaluate_bleu": ("nlpjourney.apps.translator", "evaluate_bleu"),
    "evaluate_parse": ("nlpjourney.apps.parse", "evaluate_parse"),
    "find_topics": ("nlpjourney.apps.topics", "find_topics"),
    "fit_translator": ("nlpjourney.apps.translator", "fit_translator"),
    "generate_text": ("nlpjourney.apps.gpt", "generate_text"),
    "last_scores": ("nlpjourney.apps.runs", "last_scores"),
    "load_any_translator": ("nlpjourney.apps.seq2seq", "load_any_translator"),
    "load_run": ("nlpjourney.apps.gpt", "load_run"),
    "load_seq2seq": ("nlpjourney.apps.seq2seq", "load_seq2seq"),
    "load_tagger": ("nlpjourney.apps.tagging", "load_tagger"),
    "load_translator": ("nlpjourney.apps.translator", "load_translator"),
    "mask_tokens": ("nlpjourney.apps.bert_data", "mask_tokens"),
    "neighbours": ("nlpjourney.apps.embeddings", "neighbours"),
    "overall_rate": ("nlpjourney.apps.runs", "overall_rate"),
    "polarity_cross_validation": ("nlpjourney.apps.polarity_cnn", "polarity_cross_validation"),
    "predict_ner": ("nlpjourney.apps.ner", "predict_ner"),
    "predict_parse": ("nlpjourney.apps.parse", "predict_parse"),
    "predict_tags": ("nlpjourney.apps.tagging", "predict_tags"),
    "query_index": ("nlpjourney.apps.search", "query_index"),
    "read_sweep": ("nlpjourney.apps.sweep", "read_sweep"),
    "recipe_config": ("nlpjourney.apps.runs", "recipe_config"),
    "run_sweep": ("nlpjourney.apps.sweep", "run_sweep"),
    "span_f1": ("nlpjourney.apps.bert_data", "span_f1"),
    "start_run": ("nlpjourney.apps.runs", "start_run"),
    "train_bert": ("nlpjourney.apps.bert", "train_bert"),
    "train_char_rnn": ("nlpjourney.apps.char_rnn", "train_char_rnn"),
    "train_classifier": ("nlpjourney.apps.classify", "train_classifier"),
    "train_embeddings": ("nlpjourney.apps.embeddings", "train_embeddings"),
    "train_gpt": ("nlpjourney.apps.gpt", "train_gpt"),
    "train_ner": ("nlpjourney.apps.ner", "train_ner"),
    "train_parser": ("nlpjourney.apps.parse", "train_parser"),
    "train_seq2seq": ("nlpjourney.apps.seq2seq", "train_seq2seq"),
    "train_tagger": ("nlpjourney.apps.tagging", "train_tagger"),
    "train_translator": ("nlpjourney.apps.translator", "train_translator"),
    "Chatbot": ("nlpjourney.apps.chatbot", "Chatbot"),
    "ConversationStore": ("nlpjourney.apps.chatbot", "ConversationStore"),
    "Persona": ("nlpjourney.apps.chatbot", "Persona"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value  # the next lookup is a plain attribute
        return value
    raise AttributeError(f"module 'nlpjourney.apps' has no attribute {name!r}")
