"""The roadmap's topics, with stable ids, and where each topic's five parts live.

A topic is done when it has a library module, tests, a lesson, an exercise and (where
speed or quality is the point) a benchmark. The lesson and exercise are found from the
id by convention (``lessons/<id>-<slug>.py``, ``exercises/<id>/``); the library modules,
tests and benchmarks are listed on the topic, so ``journey`` can show what exists.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from nlpjourney.course.paths import course_root, repo_root
from nlpjourney.errors import lookup

AREAS: dict[str, str] = {
    "0": "Machine-learning foundations",
    "1": "NLP foundations",
    "2": "Core NLP tasks",
    "3": "Deep learning for NLP",
    "4": "Transformers and LLMs",
    "5": "Multimodal",
    "6": "Inference, deployment, production",
    "7": "Projects that tie it together",
}


@dataclass(frozen=True)
class Topic:
    """One roadmap topic.

    Attributes:
        id: the stable id, e.g. "1.4".
        slug: short name used in file names, e.g. "subword-tokenization".
        title: what the topic covers, in a few words.
        modules: library modules (dotted names) that implement it.
        tests: test files, relative to the repository root.
        benchmarks: benchmark scripts, relative to the repository root.
    """

    id: str
    slug: str
    title: str
    modules: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    benchmarks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.area not in AREAS:
            raise ValueError(f"topic id {self.id!r} is not in a known area")

    @property
    def area(self) -> str:
        return self.id.split(".")[0]

    @property
    def name(self) -> str:
        """``<id>-<slug>``: the stem of the lesson file and the workspace folder."""
        return f"{self.id}-{self.slug}"

    @property
    def lesson_path(self) -> Path:
        return course_root() / "lessons" / f"{self.name}.py"

    @property
    def exercise_dir(self) -> Path:
        return course_root() / "exercises" / self.id

    def parts(self) -> dict[str, bool]:
        """Which of the five parts exist: library, tests, lesson, exercise, benchmark."""
        repo = repo_root()
        return {
            "library": bool(self.modules) and all(module_exists(m) for m in self.modules),
            "tests": repo is not None
            and bool(self.tests)
            and all((repo / t).is_file() for t in self.tests),
            "lesson": self.lesson_path.is_file(),
            "exercise": (self.exercise_dir / "exercise.py").is_file()
            and (self.exercise_dir / "checks.py").is_file(),
            "benchmark": repo is not None
            and bool(self.benchmarks)
            and all((repo / b).is_file() for b in self.benchmarks),
        }


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


TOPICS: tuple[Topic, ...] = (
    Topic(
        "0.1",
        "math-for-ml",
        "Math for ML with NumPy: vectors, matrices, gradients, probability",
        modules=("nlpjourney.ml.math",),
        tests=("tests/ml/test_math.py",),
        benchmarks=("benchmarks/ml_math.py",),
    ),
    Topic(
        "0.2",
        "classic-ml",
        "Classic ML: regression, trees, kNN, SVM, k-means, PCA, metrics",
        modules=(
            "nlpjourney.ml.base",
            "nlpjourney.ml.linear",
            "nlpjourney.ml.svm",
            "nlpjourney.ml.tree",
            "nlpjourney.ml.ensemble",
            "nlpjourney.ml.neighbors",
            "nlpjourney.ml.kmeans",
            "nlpjourney.ml.decomposition",
            "nlpjourney.ml.model_selection",
            "nlpjourney.evaluate.classification",
        ),
        tests=(
            "tests/ml/test_base.py",
            "tests/ml/test_linear.py",
            "tests/ml/test_svm.py",
            "tests/ml/test_tree.py",
            "tests/ml/test_ensemble.py",
            "tests/ml/test_neighbors.py",
            "tests/ml/test_kmeans.py",
            "tests/ml/test_decomposition.py",
            "tests/ml/test_model_selection.py",
            "tests/evaluate/test_classification.py",
        ),
        benchmarks=("benchmarks/ml_linear.py", "benchmarks/ml_estimators.py"),
    ),
    Topic(
        "0.3",
        "numpy-neural-network",
        "A neural network in plain NumPy: perceptron, MLP, backprop",
        modules=("nlpjourney.ml.mlp", "nlpjourney.ml.two_layer"),
        tests=("tests/ml/test_mlp.py", "tests/ml/test_two_layer.py"),
        benchmarks=("benchmarks/ml_mlp.py",),
    ),
    Topic(
        "1.1",
        "what-nlp-is",
        "What NLP is: syntax, semantics, pragmatics, discourse",
        modules=("nlpjourney.text.spacy_pipeline",),
        tests=("tests/text/test_spacy_pipeline.py",),
    ),
    Topic(
        "1.2",
        "text-preprocessing",
        "Text preprocessing: tokenizing, normalizing, stemming, lemmas",
        modules=(
            "nlpjourney.text.tokenize",
            "nlpjourney.text.punkt",
            "nlpjourney.text.normalize",
            "nlpjourney.text.stem",
            "nlpjourney.text.wordnet",
            "nlpjourney.text.lemmatize",
            "nlpjourney.text.stopwords",
            "nlpjourney.text.augment",
        ),
        tests=(
            "tests/text/test_tokenize.py",
            "tests/text/test_punkt.py",
            "tests/text/test_normalize.py",
            "tests/text/test_stem.py",
            "tests/text/test_lemmatize.py",
            "tests/text/test_stopwords.py",
            "tests/text/test_augment.py",
        ),
        benchmarks=(
            "benchmarks/text_tokenize.py",
            "benchmarks/text_stem.py",
            "benchmarks/text_lemmatize.py",
        ),
    ),
    Topic(
        "1.3",
        "features",
        "Features: bag-of-words, TF-IDF, n-grams, hashing",
        modules=(
            "nlpjourney.features.analysis",
            "nlpjourney.features.counting",
            "nlpjourney.features.tfidf",
            "nlpjourney.features.hashing",
        ),
        tests=(
            "tests/features/test_counting.py",
            "tests/features/test_tfidf.py",
            "tests/features/test_hashing.py",
        ),
        benchmarks=("benchmarks/features_tfidf.py",),
    ),
    Topic(
        "1.4",
        "subword-tokenization",
        "Subword tokenization: byte-level BPE, WordPiece, Unigram",
        modules=(
            "nlpjourney.tokenizers.base",
            "nlpjourney.tokenizers.byte_level",
            "nlpjourney.tokenizers.basic_bpe",
            "nlpjourney.tokenizers.bpe",
            "nlpjourney.tokenizers.pretokens",
            "nlpjourney.tokenizers.bpe_trainer",
            "nlpjourney.tokenizers.sentencepiece_bpe",
            "nlpjourney.tokenizers.wordpiece",
            "nlpjourney.tokenizers.unigram",
            "nlpjourney.tokenizers.unigram_trainer",
            "nlpjourney.tokenizers.gguf",
            "nlpjourney.data.gguf",
            "nlpjourney.tokenizers.chat",
            "nlpjourney.tokenizers.pretrained",
        ),
        tests=(
            "tests/tokenizers/test_byte_level.py",
            "tests/tokenizers/test_basic_bpe.py",
            "tests/tokenizers/test_bpe.py",
            "tests/tokenizers/test_bpe_trainer.py",
            "tests/tokenizers/test_sentencepiece_bpe.py",
            "tests/tokenizers/test_wordpiece.py",
            "tests/tokenizers/test_unigram.py",
            "tests/tokenizers/test_gguf.py",
            "tests/data/test_gguf.py",
            "tests/tokenizers/test_chat.py",
        ),
        benchmarks=(
            "benchmarks/tokenizers_bpe.py",
            "benchmarks/tokenizers_bpe_trainer.py",
            "benchmarks/tokenizers_wordpiece.py",
        ),
    ),
    Topic(
        "1.5",
        "word-embeddings",
        "Word embeddings: word2vec, GloVe, FastText, PPMI+SVD",
        modules=(
            "nlpjourney.embeddings.word2vec",
            "nlpjourney.embeddings.fasttext",
            "nlpjourney.embeddings.glove",
            "nlpjourney.embeddings.ppmi",
            "nlpjourney.embeddings.evaluate",
            "nlpjourney.embeddings.keyed_vectors",
        ),
        tests=(
            "tests/embeddings/test_word2vec.py",
            "tests/embeddings/test_fasttext.py",
            "tests/embeddings/test_glove.py",
            "tests/embeddings/test_ppmi.py",
            "tests/embeddings/test_evaluate.py",
            "tests/embeddings/test_keyed_vectors.py",
        ),
        benchmarks=("benchmarks/embeddings_word2vec.py",),
    ),
    Topic(
        "1.6",
        "ngram-language-models",
        "n-gram language models, smoothing, perplexity",
        modules=("nlpjourney.lm.ngram", "nlpjourney.lm.kneser_ney"),
        tests=("tests/lm/test_ngram.py",),
        benchmarks=("benchmarks/lm_ngram.py",),
    ),
    Topic(
        "2.1",
        "text-classification",
        "Text classification: naive Bayes, logistic regression, SVM",
        modules=(
            "nlpjourney.classify.naive_bayes",
            "nlpjourney.classify.spam",
            "nlpjourney.evaluate.classification",
            "nlpjourney.apps.classify",
        ),
        tests=(
            "tests/classify/test_naive_bayes.py",
            "tests/classify/test_spam.py",
            "tests/evaluate/test_classification.py",
            "tests/apps/test_classify.py",
        ),
        benchmarks=("benchmarks/classify_naive_bayes.py", "benchmarks/ml_linear.py"),
    ),
    Topic(
        "2.2",
        "text-clustering",
        "Text clustering: k-means, agglomerative",
        modules=(
            "nlpjourney.cluster.kmeans",
            "nlpjourney.cluster.agglomerative",
            "nlpjourney.cluster.metrics",
            "nlpjourney.apps.cluster",
        ),
        tests=(
            "tests/cluster/test_kmeans.py",
            "tests/cluster/test_agglomerative.py",
            "tests/cluster/test_metrics.py",
            "tests/apps/test_cluster.py",
        ),
        benchmarks=("benchmarks/cluster_text.py",),
    ),
    Topic(
        "2.3",
        "topic-modelling",
        "Topic modelling: LDA, NMF, coherence",
        modules=(
            "nlpjourney.topics.lda",
            "nlpjourney.topics.nmf",
            "nlpjourney.topics.coherence",
            "nlpjourney.apps.topics",
        ),
        tests=(
            "tests/topics/test_lda.py",
            "tests/topics/test_nmf.py",
            "tests/topics/test_coherence.py",
            "tests/apps/test_topics.py",
            "tests/cli/test_topics.py",
        ),
        benchmarks=(
            "benchmarks/topics_lda.py",
            "benchmarks/topics_coherence.py",
            "benchmarks/topics_nmf.py",
        ),
    ),
    Topic(
        "2.4",
        "sentiment-analysis",
        "Sentiment: lexicon-based, machine-learning, aspect-based",
        modules=(
            "nlpjourney.sentiment.vader",
            "nlpjourney.sentiment.lexicons",
            "nlpjourney.sentiment.learned",
            "nlpjourney.sentiment.reviews",
            "nlpjourney.sentiment.aspects",
        ),
        tests=(
            "tests/sentiment/test_vader.py",
            "tests/sentiment/test_lexicons.py",
            "tests/sentiment/test_learned.py",
            "tests/sentiment/test_reviews.py",
            "tests/sentiment/test_aspects.py",
        ),
        benchmarks=("benchmarks/sentiment_vader.py", "benchmarks/sentiment_accuracy.py"),
    ),
    Topic(
        "2.5",
        "pos-tagging",
        "Part-of-speech tagging: HMM + Viterbi, averaged perceptron",
        modules=(
            "nlpjourney.tagging.decode",
            "nlpjourney.tagging.hmm",
            "nlpjourney.tagging.perceptron",
        ),
        tests=(
            "tests/tagging/test_decode.py",
            "tests/tagging/test_hmm.py",
            "tests/tagging/test_perceptron.py",
        ),
        benchmarks=("benchmarks/tagging_perceptron.py",),
    ),
    Topic(
        "2.6",
        "named-entity-recognition",
        "Named entity recognition: rules, perceptron/CRF, neural",
        modules=(
            "nlpjourney.tagging.crf",
            "nlpjourney.tagging.features",
            "nlpjourney.tagging.ner",
            "nlpjourney.evaluate.sequence",
            "nlpjourney.tagging.bilstm_crf",
            "nlpjourney.tagging.bert",
            "nlpjourney.apps.ner",
        ),
        tests=(
            "tests/tagging/test_crf.py",
            "tests/tagging/test_features.py",
            "tests/tagging/test_ner.py",
            "tests/tagging/test_bilstm_crf.py",
            "tests/tagging/test_bert_tagger.py",
            "tests/evaluate/test_sequence.py",
            "tests/cli/test_ner.py",
        ),
        benchmarks=("benchmarks/tagging_crf.py", "benchmarks/tagging_ner_neural.py"),
    ),
    Topic(
        "2.7",
        "dependency-parsing",
        "Dependency parsing: transition-based, neural, UAS/LAS",
        modules=(
            "nlpjourney.parsing.transitions",
            "nlpjourney.parsing.reachability",
            "nlpjourney.parsing.conllu",
            "nlpjourney.parsing.projectivity",
            "nlpjourney.parsing.scoring",
            "nlpjourney.parsing.draw",
            "nlpjourney.parsing.features",
            "nlpjourney.parsing.perceptron",
            "nlpjourney.parsing.neural",
            "nlpjourney.apps.parse",
        ),
        tests=(
            "tests/parsing/test_transitions.py",
            "tests/parsing/test_conllu.py",
            "tests/parsing/test_projectivity.py",
            "tests/parsing/test_scoring.py",
            "tests/parsing/test_draw.py",
            "tests/parsing/test_features.py",
            "tests/parsing/test_perceptron.py",
            "tests/parsing/test_neural.py",
            "tests/cli/test_parse.py",
        ),
        benchmarks=("benchmarks/parsing_conllu.py",),
    ),
    Topic(
        "2.8",
        "information-retrieval",
        "Information retrieval: inverted index, BM25, dense, hybrid",
        modules=(
            "nlpjourney.retrieval.scoring",
            "nlpjourney.retrieval.index",
            "nlpjourney.retrieval.bm25",
            "nlpjourney.retrieval.ranking",
            "nlpjourney.retrieval.feedback",
            "nlpjourney.retrieval.dense",
            "nlpjourney.retrieval.ann",
            "nlpjourney.retrieval.hnsw",
            "nlpjourney.retrieval.hybrid",
            "nlpjourney.evaluate.ir",
            "nlpjourney.apps.search",
        ),
        tests=(
            "tests/retrieval/test_scoring.py",
            "tests/retrieval/test_index.py",
            "tests/retrieval/test_bm25.py",
            "tests/retrieval/test_ranking.py",
            "tests/retrieval/test_feedback.py",
            "tests/retrieval/test_dense.py",
            "tests/retrieval/test_ann.py",
            "tests/retrieval/test_hnsw.py",
            "tests/retrieval/test_hybrid.py",
            "tests/evaluate/test_ir.py",
            "tests/data/test_cranfield.py",
            "tests/apps/test_search.py",
            "tests/cli/test_search.py",
        ),
        benchmarks=(
            "benchmarks/retrieval_bm25.py",
            "benchmarks/retrieval_cranfield.py",
            "benchmarks/retrieval_dense.py",
        ),
    ),
    Topic(
        "3.1",
        "autograd-and-backprop",
        "Neural-network fundamentals: an autograd engine, backprop",
        modules=(
            "nlpjourney.autograd.value",
            "nlpjourney.autograd.topo",
            "nlpjourney.autograd.graph",
            "nlpjourney.autograd.tensor",
            "nlpjourney.autograd.pointwise",
            "nlpjourney.autograd.reductions",
            "nlpjourney.autograd.shape_ops",
            "nlpjourney.autograd.functional",
            "nlpjourney.autograd.gradcheck",
            "nlpjourney.autograd.backward_rules",
            "nlpjourney.autograd.nn",
        ),
        tests=(
            "tests/autograd/test_value.py",
            "tests/autograd/test_tensor.py",
            "tests/autograd/test_functional.py",
            "tests/autograd/test_backward_rules.py",
            "tests/autograd/test_nn.py",
        ),
        benchmarks=("benchmarks/autograd_tensor.py",),
    ),
    Topic(
        "3.2",
        "pytorch-fundamentals",
        "PyTorch fundamentals: tensors, modules, loops, optimizers",
        modules=(
            "nlpjourney.optim.sgd",
            "nlpjourney.optim.adam",
            "nlpjourney.optim.rmsprop",
            "nlpjourney.optim.adagrad",
            "nlpjourney.optim.clip",
            "nlpjourney.optim.schedules",
            "nlpjourney.optim.functional",
        ),
        tests=(
            "tests/optim/test_optimizers.py",
            "tests/optim/test_schedules.py",
            "tests/optim/test_functional.py",
        ),
        benchmarks=("benchmarks/optim_optimizers.py",),
    ),
    Topic(
        "3.3",
        "recurrent-networks",
        "RNN, LSTM, GRU from scratch; a character-level generator",
        modules=(
            "nlpjourney.rnn.cells",
            "nlpjourney.rnn.layers",
            "nlpjourney.rnn.fused",
            "nlpjourney.rnn.numpy_lstm",
            "nlpjourney.models.char_rnn",
            "nlpjourney.apps.char_rnn",
        ),
        tests=(
            "tests/rnn/test_cells.py",
            "tests/rnn/test_layers.py",
            "tests/rnn/test_numpy_lstm.py",
            "tests/course/test_rnn_diagrams.py",
            "tests/models/test_char_rnn.py",
            "tests/apps/test_char_rnn.py",
            "tests/cli/test_char_rnn.py",
        ),
        benchmarks=("benchmarks/rnn_layers.py", "benchmarks/models_char_rnn.py"),
    ),
    Topic(
        "3.4",
        "cnns-for-text",
        "CNNs for text classification and sequence labelling",
        modules=(
            "nlpjourney.cnn.conv",
            "nlpjourney.cnn.pooling",
            "nlpjourney.cnn.kim",
            "nlpjourney.cnn.labeller",
            "nlpjourney.apps.polarity_cnn",
        ),
        tests=(
            "tests/cnn/test_conv.py",
            "tests/cnn/test_pooling.py",
            "tests/cnn/test_kim.py",
            "tests/cnn/test_labeller.py",
            "tests/apps/test_polarity_cnn.py",
        ),
        benchmarks=(
            "benchmarks/cnn_conv.py",
            "benchmarks/cnn_kim.py",
            "benchmarks/cnn_labeller.py",
        ),
    ),
    Topic(
        "3.5",
        "sequence-to-sequence",
        "Sequence-to-sequence: attention, beam search, BLEU",
        modules=(
            "nlpjourney.seq2seq.attention",
            "nlpjourney.seq2seq.beam",
            "nlpjourney.seq2seq.model",
            "nlpjourney.apps.seq2seq",
            "nlpjourney.apps.seq2seq_translation",
            "nlpjourney.mt.ibm1",
            "nlpjourney.mt.aer",
            "nlpjourney.mt.gold",
            "nlpjourney.mt.corpus",
            "nlpjourney.mt.draw",
            "nlpjourney.mt.symmetrization",
        ),
        tests=(
            "tests/seq2seq/test_attention.py",
            "tests/seq2seq/test_beam.py",
            "tests/seq2seq/test_model.py",
            "tests/apps/test_seq2seq.py",
            "tests/mt/test_ibm1.py",
            "tests/mt/test_aer.py",
            "tests/mt/test_gold.py",
            "tests/mt/test_corpus.py",
            "tests/mt/test_draw.py",
            "tests/mt/test_symmetrization.py",
        ),
        benchmarks=("benchmarks/seq2seq_attention.py", "benchmarks/mt_ibm1.py"),
    ),
    Topic(
        "4.1",
        "the-transformer",
        "The transformer: attention, masks, positions, norms",
        modules=(
            "nlpjourney.nn.attention",
            "nlpjourney.nn.positional",
            "nlpjourney.nn.layers",
            "nlpjourney.models.transformer",
            "nlpjourney.apps.translation",
            "nlpjourney.apps.translator",
        ),
        tests=(
            "tests/nn/test_attention.py",
            "tests/nn/test_positional.py",
            "tests/nn/test_layers.py",
            "tests/models/test_transformer.py",
            "tests/apps/test_translator.py",
        ),
        benchmarks=("benchmarks/nn_attention.py", "benchmarks/models_transformer.py"),
    ),
    Topic(
        "4.2",
        "gpt-pretraining",
        "GPT: decoder-only pretraining, a scaling-law sweep",
        modules=(
            "nlpjourney.models.gpt",
            "nlpjourney.train.config",
            "nlpjourney.train.loop",
            "nlpjourney.train.checkpoint",
            "nlpjourney.train.metrics",
            "nlpjourney.train.data",
            "nlpjourney.train.validation",
            "nlpjourney.train.scaling",
            "nlpjourney.apps.gpt",
            "nlpjourney.apps.sweep",
        ),
        tests=(
            "tests/models/test_gpt.py",
            "tests/train/test_loop.py",
            "tests/train/test_data.py",
            "tests/train/test_validation.py",
            "tests/train/test_scaling.py",
            "tests/apps/test_gpt.py",
            "tests/apps/test_sweep.py",
            "tests/cli/test_train.py",
        ),
        benchmarks=("benchmarks/models_gpt.py",),
    ),
    Topic(
        "4.3",
        "bert",
        "BERT: masked-LM pretraining, sentence embeddings, fine-tuning heads",
        modules=(
            "nlpjourney.models.bert",
            "nlpjourney.models.sentence_encoder",
            "nlpjourney.apps.bert",
            "nlpjourney.apps.bert_data",
        ),
        tests=(
            "tests/models/test_bert.py",
            "tests/apps/test_bert.py",
            "tests/apps/test_bert_data.py",
        ),
        benchmarks=("benchmarks/models_minilm.py",),
    ),
    Topic("4.4", "t5-and-bart", "T5/BART: encoder-decoder text-to-text, summarization"),
    Topic(
        "4.5",
        "llama-and-open-models",
        "LLaMA and open models: RoPE, RMSNorm, SwiGLU, GQA, real weights",
        modules=(
            "nlpjourney.models.llama",
            "nlpjourney.models.llama_weights",
            "nlpjourney.data.gguf",
            "nlpjourney.data.quants",
            "nlpjourney.models.pretrained",
            "nlpjourney.infer.chat",
            "nlpjourney.nn.layers",
        ),
        tests=(
            "tests/models/test_llama.py",
            "tests/data/test_gguf_tensors.py",
            "tests/models/test_pretrained.py",
            "tests/infer/test_chat.py",
        ),
        benchmarks=("benchmarks/data_gguf.py",),
    ),
    Topic("4.6", "fine-tuning", "Fine-tuning: task heads, instruction tuning, LoRA and PEFT"),
    Topic("4.7", "alignment", "Alignment: reward models, RLHF with PPO, DPO"),
    Topic("4.8", "evaluation", "Evaluation: perplexity, BLEU, ROUGE, benchmarks, LLM-as-judge"),
    Topic(
        "4.9", "working-with-llms", "Working with LLMs: prompting, tools, agents, structured output"
    ),
    Topic("4.10", "ethics-and-bias", "Ethics and bias: WEAT, bias probes, explainability"),
    Topic("5.1", "vision-and-clip", "Vision transformer, CLIP-style training, zero-shot"),
    Topic("5.2", "captioning-and-vqa", "Image captioning, visual question answering"),
    Topic("5.3", "audio-and-text", "Audio-text: spectrograms, keyword spotting, ASR"),
    Topic(
        "6.1",
        "inference-optimisation",
        "Inference: KV cache, batching, speculative decoding, quantization",
        modules=("nlpjourney.infer.generate", "nlpjourney.nn.multihead"),
        tests=("tests/infer/test_generate.py", "tests/nn/test_multihead.py"),
        benchmarks=("benchmarks/infer_generate.py",),
    ),
    Topic(
        "6.2",
        "serving",
        "Serving: an OpenAI-compatible HTTP API",
        modules=(
            "nlpjourney.serve.engine",
            "nlpjourney.serve.app",
            "nlpjourney.serve.schemas",
            "nlpjourney.serve.errors",
            "nlpjourney.serve.limits",
            "nlpjourney.serve.metrics",
            "nlpjourney.serve.models",
            "nlpjourney.serve.load",
            "nlpjourney.serve.export",
            "nlpjourney.serve.gguf_writer",
            "nlpjourney.serve.sse",
        ),
        tests=(
            "tests/serve/test_engine.py",
            "tests/serve/test_server.py",
            "tests/serve/test_schema.py",
            "tests/serve/test_metrics.py",
            "tests/serve/test_process.py",
            "tests/serve/test_export.py",
            "tests/serve/test_gguf_writer.py",
            "tests/cli/test_export_cli.py",
            "tests/cli/test_serve_cli.py",
            "tests/serve/test_sse.py",
        ),
        benchmarks=("benchmarks/serve_load.py", "benchmarks/serve_export.py"),
    ),
    Topic(
        "6.3",
        "llm-applications",
        "Building with LLMs: a web chat UI, memory, context",
        modules=("nlpjourney.serve.chat_ui", "nlpjourney.serve.lab"),
        tests=(
            "tests/serve/test_chat_ui.py",
            "tests/serve/test_lab.py",
            "tests/serve/test_lab_browser.py",
        ),
        benchmarks=("benchmarks/serve_chat_ui.py",),
    ),
    Topic("6.4", "mlops", "MLOps: tracking, registry, pipelines, monitoring"),
    Topic("6.5", "llm-security", "LLM security: prompt injection, jailbreaks, backdoors"),
    Topic("6.6", "scaling-training", "Scaling training: DDP, FSDP, mixed precision"),
    Topic("7.1", "rag", "Retrieval-augmented generation with citations"),
    Topic(
        "7.2",
        "specialised-chatbot",
        "A specialised chatbot: domain knowledge, memory, API, UI",
        modules=(
            "nlpjourney.apps.chatbot.bot",
            "nlpjourney.apps.chatbot.folding",
            "nlpjourney.apps.chatbot.llm",
            "nlpjourney.apps.chatbot.memory",
            "nlpjourney.apps.chatbot.notes",
            "nlpjourney.apps.chatbot.persona",
            "nlpjourney.apps.chatbot.store",
        ),
        tests=(
            "tests/apps/test_chatbot.py",
            "tests/apps/test_chatbot_folding.py",
            "tests/cli/test_chatbot.py",
        ),
        benchmarks=("benchmarks/apps_chatbot.py",),
    ),
    Topic("7.3", "summarizer", "A summarizer: extractive TextRank and abstractive"),
    Topic("7.4", "document-analysis", "A document analysis platform"),
    Topic("7.5", "content-generation", "Content generation with style and tone controls"),
    Topic("7.6", "custom-nlp-pipeline", "A custom NLP pipeline for a domain"),
    Topic("7.7", "model-efficiency", "A model efficiency framework: compression trade-offs"),
)

BY_ID: dict[str, Topic] = {t.id: t for t in TOPICS}


def get(topic_id: str) -> Topic:
    """The topic with this id; an unknown id names the closest ones."""
    return lookup(BY_ID, topic_id, "topic id", "Run `journey` to see the roadmap's ids.")
