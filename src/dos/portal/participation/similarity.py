"""German text similarity computed locally: stemmed-token TF-IDF vectors and cosine.

Used while a citizen types a new idea, to show similar existing ideas and to suggest the
fitting action field. No network and no model files: the Snowball German stemmer only.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[a-zäöüß0-9]+", re.IGNORECASE)

STOPWORDS = frozenset(
    [
        "aber",
        "alle",
        "allem",
        "allen",
        "aller",
        "alles",
        "als",
        "also",
        "am",
        "an",
        "ander",
        "andere",
        "anderem",
        "anderen",
        "anderer",
        "anderes",
        "auch",
        "auf",
        "aus",
        "bei",
        "bin",
        "bis",
        "bist",
        "da",
        "damit",
        "dann",
        "das",
        "dass",
        "dem",
        "den",
        "denn",
        "der",
        "des",
        "dessen",
        "die",
        "dies",
        "diese",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "doch",
        "dort",
        "du",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "er",
        "es",
        "etwas",
        "euch",
        "euer",
        "für",
        "gegen",
        "gibt",
        "hat",
        "hatte",
        "haben",
        "hier",
        "hin",
        "hinter",
        "ich",
        "ihr",
        "ihre",
        "im",
        "in",
        "ist",
        "ja",
        "jede",
        "jedem",
        "jeden",
        "jeder",
        "jedes",
        "kann",
        "kein",
        "keine",
        "können",
        "man",
        "mehr",
        "mein",
        "mit",
        "muss",
        "nach",
        "nicht",
        "noch",
        "nun",
        "nur",
        "ob",
        "oder",
        "ohne",
        "sehr",
        "sein",
        "seine",
        "sich",
        "sie",
        "sind",
        "so",
        "soll",
        "sollte",
        "sollten",
        "sowie",
        "über",
        "um",
        "und",
        "uns",
        "unser",
        "unsere",
        "unter",
        "viel",
        "vom",
        "von",
        "vor",
        "war",
        "waren",
        "was",
        "weil",
        "wenn",
        "wer",
        "werden",
        "wie",
        "wir",
        "wird",
        "wo",
        "wollen",
        "zu",
        "zum",
        "zur",
        "zwischen",
    ]
)


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:  # type: ignore[name-defined]
    return snowballstemmer.stemmer("german")


def tokens(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed German tokens of ``text``."""
    words = [w.lower() for w in WORD.findall(text)]
    words = [w for w in words if len(w) > 2 and w not in STOPWORDS]
    return list(_stemmer().stemWords(words))


class Index:
    """TF-IDF vectors of a few documents (ideas of a process, action fields)."""

    def __init__(self, documents: Sequence[str]) -> None:
        self.bags = [Counter(tokens(doc)) for doc in documents]
        frequency: Counter[str] = Counter()
        for bag in self.bags:
            frequency.update(bag.keys())
        n = len(self.bags)
        self.idf = {term: math.log((1 + n) / (1 + df)) + 1 for term, df in frequency.items()}
        self.vectors = [self._weigh(bag) for bag in self.bags]

    def _weigh(self, bag: Counter[str]) -> dict[str, float]:
        vector = {t: (1 + math.log(c)) * self.idf.get(t, 1.0) for t, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    def scores(self, query: str) -> list[float]:
        """Cosine similarity of ``query`` to every document, in document order."""
        vector = self._weigh(Counter(tokens(query)))
        return [sum(w * doc.get(t, 0.0) for t, w in vector.items()) for doc in self.vectors]


def rank(
    query: str, documents: Iterable[tuple[object, str]], *, limit: int = 5, minimum: float = 0.12
) -> list[tuple[object, float]]:
    """The keys of the documents most similar to ``query``, best first, above ``minimum``."""
    items = list(documents)
    if not items or not tokens(query):
        return []
    index = Index([text for _key, text in items])
    scored = [(key, score) for (key, _t), score in zip(items, index.scores(query), strict=True)]
    scored = [item for item in scored if item[1] >= minimum]
    scored.sort(key=lambda item: item[1], reverse=True)
    return scored[:limit]
