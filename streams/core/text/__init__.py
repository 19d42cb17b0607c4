"""Text analytics for the stream core (no Faust): language, sentiment, lexicon matching.

- ``lang.lang(text)``: "zh" or "en";
- ``sentiment.analyse(text)`` / ``SentimentModel``: label, score in -1..1, language;
- ``lexicon.crisis_lexicon()`` / ``taboo_lexicon()``: ``Lexicon.find(text)``, the bare term hits;
- ``context.CrisisDetector`` / ``TabooDetector``: those hits read in context (``rules.py``);
- ``english.english()``: the linear English scorer (VADER's lexicon and rules);
- ``tools.TextAnalytics(TextConfig)``: all three, as the store processor uses them;
- ``train``: new Chinese weights from labelled data (needs the ``train`` extra).

Kept free of imports so that loading one module does not load the others' dependencies.
"""
