"""Text analytics for the stream core (no Faust): language, sentiment, lexicon matching.

- ``lang.lang(text)``: "zh" or "en";
- ``sentiment.analyse(text)`` / ``SentimentModel``: label, score in -1..1, language;
- ``lexicon.crisis_lexicon()`` / ``taboo_lexicon()``: ``Lexicon.find(text)`` hits;
- ``tools.TextAnalytics(TextConfig)``: all three, as the store processor uses them;
- ``train``: new Chinese weights from labelled data (needs the ``train`` extra).

Kept free of imports so that loading one module does not load the others' dependencies.
"""
