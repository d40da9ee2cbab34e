"""Text preprocessing from scratch (topic 1.2): tokenizing, normalizing, stemming,
lemmatizing, stop words and augmentation, each in its own module.

Import the module you need, e.g. ``from nlpjourney.text.stem import PorterStemmer``.
"""
