"""Words that describe people by relation or role ("his wife", "the doctor"), for resolving mentions."""

from __future__ import annotations

from pipeline.reading.lexicon import words

DETERMINERS = frozenset({"the", "a", "an", "this", "that", "his", "her", "my", "our", "their", "your", "its"})
POSSESSIVES = {"his": "M", "her": "F", "my": "I", "our": "P", "their": "P", "your": "U"}
PREPS = frozenset({"in", "from", "with", "at", "of", "on", "by"})
KIN = frozenset(
    {
        "sister",
        "brother",
        "mother",
        "father",
        "wife",
        "husband",
        "son",
        "daughter",
        "aunt",
        "uncle",
        "niece",
        "nephew",
        "cousin",
        "grandmother",
        "grandfather",
        "sister-in-law",
        "brother-in-law",
        "mother-in-law",
        "father-in-law",
        "master",
        "mistress",
        "friend",
        "companion",
        "superior",
        "neighbour",
        "neighbor",
        "guest",
        "visitor",
        "host",
        "hostess",
        "employer",
        "servant",
        "maid",
        "grandson",
        "granddaughter",
        "fiancé",
        "fiancée",
        "partner",
        "colleague",
        "ladyship",
        "lordship",
        "mama",
        "papa",
        "mamma",
        "ma",
        "pa",
        "mum",
        "dad",
    }
)
GENERIC = frozenset(
    {
        "man",
        "woman",
        "boy",
        "girl",
        "lady",
        "gentleman",
        "child",
        "person",
        "fellow",
        "one",
        "people",
        "men",
        "women",
        "voice",
        "figure",
        "creature",
    }
)


#: Words after which "a man", "a woman" describes someone already there, not a new person.
NOT_A_REFERENCE = frozenset(
    words("like as than such was is were are am be been being became become becomes seemed seems looked")
)
#: Relations that a family title names: "his wife" is Mrs. <his surname>, "her father" Mr. <hers>.
FAMILY_TITLE = {
    "wife": ("mrs", "lady"),
    "lady": ("mrs", "lady"),
    "mother": ("mrs", "lady"),
    "mamma": ("mrs", "lady"),
    "mama": ("mrs", "lady"),
    "husband": ("mr", "sir", "lord"),
    "father": ("mr", "sir", "lord"),
    "papa": ("mr", "sir", "lord"),
}

MARRIED = frozenset({"mrs", "lady", "madame", "mme", "frau", "signora", "señora", "dame"})
