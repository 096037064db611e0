"""Word lists about English that the text stages share: speech verbs, pronouns, titles.

These describe the language, never a particular story. Everything is lower case.
"""

from __future__ import annotations

import re


def words(block: str) -> list[str]:
    """The whitespace-separated words of a block of text (keeps long word lists readable)."""
    return block.split()


# Verbs that introduce or tag speech, in their base form; inflections are generated below.
_SPEECH_VERB_BASES = words("""
say ask reply answer respond return retort rejoin cry call shout yell scream shriek bellow roar
whisper murmur mutter mumble breathe hiss sigh groan moan grumble growl snarl snap bark grunt
exclaim declare announce add continue begin resume repeat insist protest object observe remark
comment note suggest propose explain admit confess agree concede interrupt interject cut venture
inquire enquire demand query wonder tell beg plead urge warn promise assure remind order command
laugh chuckle giggle snort sniff sob wail whimper squeak squeal quack chirp puff pant gasp stammer
stutter drawl chorus echo intone recite read counter offer correct persist prompt coax tease
joke jest quip scoff sneer taunt mock muse reflect think conclude finish pronounce state report
announce acknowledge assent consent confirm deny retaliate rasp croak boom thunder rumble chant
sing trill purr coo soothe console reassure encourage advise caution lament complain whine hazard
guess agree volunteer put point murmur splutter sputter blurt burst breathe ejaculate expostulate
interpose entreat bawl hint pursue vociferate falter
""")

_IRREGULAR = {
    "say": ["said", "says", "saying"],
    "tell": ["told", "tells", "telling"],
    "begin": ["began", "begins", "beginning", "begun"],
    "read": ["read", "reads", "reading"],
    "think": ["thought", "thinks"],
    "cut": ["cut", "cuts"],
    "put": ["put", "puts"],
    "sing": ["sang", "sings", "sung"],
    "burst": ["burst", "bursts"],
}


def _inflect(base: str) -> set[str]:
    if base in _IRREGULAR:
        return {base, *_IRREGULAR[base]}
    forms = {base}
    if base.endswith("e"):
        forms |= {base + "d", base + "s", base[:-1] + "ing"}
    elif base.endswith("y") and base[-2] not in "aeiou":
        forms |= {base[:-1] + "ied", base[:-1] + "ies", base + "ing"}
    elif base.endswith(("sh", "ch", "s", "x", "z")):
        forms |= {base + "ed", base + "es", base + "ing"}
    else:
        forms |= {base + "ed", base + "s", base + "ing"}
        # doubled final consonant: snap -> snapped, sob -> sobbed, quip -> quipped
        if re.fullmatch(r"[a-z]*[^aeiou][aeiou][bdgmnprt]", base) and base not in {
            "answer",
            "offer",
            "murmur",
        }:
            forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return forms


#: "Cy piped" is speech; "his pipe", "pipes" are not.
SPEECH_VERBS: frozenset[str] = frozenset(f for b in _SPEECH_VERB_BASES for f in _inflect(b)) | {"piped"}
#: Verbs that tag speech only together with a particle ("went on", "called out", "broke in").
PHRASAL_SPEECH = {
    "go": "on",
    "goes": "on",
    "went": "on",
    "going": "on",
    "break": "in",
    "breaks": "in",
    "broke": "in",
    "chime": "in",
    "chimes": "in",
    "chimed": "in",
    "pipe": "up",
    "pipes": "up",
    "piped": "up",
    "speak": "up",
    "speaks": "up",
    "spoke": "up",
}
#: Verbs that are speech verbs in form but usually are not tags ("she said nothing" is fine; these are not).
WEAK_SPEECH_VERBS = frozenset(
    {
        "thought",
        "think",
        "thinks",
        "put",
        "puts",
        "read",
        "reads",
        "point",
        "points",
        "pointed",
        "note",
        "notes",
        "noted",
        "finish",
        "finished",
        "finishes",
        "cut",
        "cuts",
        "order",
        "ordered",
        "orders",
        "offer",
        "offered",
        "offers",
        "report",
        "reported",
        "reports",
        "state",
        "stated",
        "states",
        "reading",
        "begin",
        "begins",
        "saying",
        "telling",
        "singing",
    }
)

MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})
SUBJECT_PRONOUNS = {"he": "M", "she": "F", "i": "I", "we": "P", "they": "P"}

#: Titles before a name, with the gender they imply ("U" when they imply none).
TITLES: dict[str, str] = {
    "mr": "M",
    "mister": "M",
    "sir": "M",
    "lord": "M",
    "monsieur": "M",
    "m": "M",
    "herr": "M",
    "signor": "M",
    "señor": "M",
    "don": "M",
    "master": "M",
    "uncle": "M",
    "father": "M",
    "brother": "M",
    "king": "M",
    "prince": "M",
    "duke": "M",
    "count": "M",
    "baron": "M",
    "earl": "M",
    "squire": "M",
    "grandpa": "M",
    "mrs": "F",
    "miss": "F",
    "ms": "F",
    "lady": "F",
    "madame": "F",
    "mme": "F",
    "madam": "F",
    "mademoiselle": "F",
    "mlle": "F",
    "frau": "F",
    "fräulein": "F",
    "signora": "F",
    "señora": "F",
    "aunt": "F",
    "auntie": "F",
    "mother": "F",
    "sister": "F",
    "queen": "F",
    "princess": "F",
    "duchess": "F",
    "countess": "F",
    "baroness": "F",
    "dame": "F",
    "grandma": "F",
    "granny": "F",
    "dr": "U",
    "doctor": "U",
    "professor": "U",
    "prof": "U",
    "captain": "U",
    "capt": "U",
    "colonel": "U",
    "col": "U",
    "major": "U",
    "general": "U",
    "admiral": "U",
    "lieutenant": "U",
    "sergeant": "U",
    "inspector": "U",
    "constable": "U",
    "detective": "U",
    "reverend": "U",
    "rev": "U",
    "judge": "U",
    "governor": "U",
    "senator": "U",
    "president": "U",
    "saint": "U",
    "st": "U",
    "nurse": "U",
    "cousin": "U",
}
#: Words that take a full stop without ending the sentence ("Mr. Hale", "No. 4"), wherever
#: sentences are told apart: tokens, speech tags, new quotations.
ABBREVIATIONS = frozenset(words("""
mr mrs ms dr st messrs mme mlle prof rev capt col gen lt sgt no vs etc m
"""))
#: Abbreviated titles and the calling they name: "Dr." and "Doctor" are one title, "the Doctor" the one "Dr.".
TITLE_ROLES: dict[str, str] = {
    "dr": "doctor", "prof": "professor", "capt": "captain", "col": "colonel", "rev": "reverend",
}
#: Titles that are used alone as a name ("said the Colonel", "Ma", "Grandma").
TITLE_ALONE = frozenset(
    {
        "colonel",
        "captain",
        "major",
        "general",
        "admiral",
        "doctor",
        "professor",
        "inspector",
        "sergeant",
        "judge",
        "governor",
        "ma",
        "pa",
        "mama",
        "papa",
        "mamma",
        "grandma",
        "grandpa",
        "granny",
        "mum",
        "dad",
        "mom",
        "nanny",
        "vicar",
        "rector",
        "squire",
        "padre",
    }
)
#: Gender of kin words and common nouns for people.
NOUN_GENDER: dict[str, str] = {}
for _w in words(
    "man men boy boys gentleman gentlemen father husband brother son uncle nephew grandfather "
    "king prince lord sir waiter fellow lad chap monk priest vicar curate squire master "
    "landlord grandad grandpa dad daddy papa pa lad butler duke earl count baron "
    "stranger_m mister businessman policeman fisherman postman postmaster bachelor widower "
    "gent sailor"
):
    NOUN_GENDER[_w] = "M"
for _w in words(
    "woman women girl girls lady ladies mother wife sister daughter aunt niece grandmother "
    "queen princess madam madame waitress maid nun landlady grandma granny mum mummy mama "
    "ma mamma mom widow bride mistress duchess countess baroness housekeeper actress "
    "governess spinster heiress hostess nurse_f lass ladyship"
):
    NOUN_GENDER[_w] = "F"

#: Nouns that head a description of a person ("the porter", "the old man", "his sister").
PERSON_NOUNS = frozenset(
    set(NOUN_GENDER)
    | set(
        words("""
porter driver doctor child cellist student clerk guard conductor officer inspector detective
constable sergeant captain colonel major general admiral soldier secretary chairman chairwoman
neighbour neighbor visitor guest host stranger servant cook gardener coachman footman
housekeeper nurse teacher professor boy girl deckhand ferryman boatman innkeeper shopkeeper
merchant clergyman rector minister bishop judge lawyer attorney solicitor barrister clerk
landlord tenant farmer miller baker butcher grocer blacksmith smith carpenter tailor
jeweller jeweler clockmaker apprentice friend companion traveller traveler passenger
customer patron owner manager proprietor assistant receptionist operator voice voices
hedgehog heron mouse duck ducks frog toad rabbit fox owl cat dog bird crow jackdaw
superior colleague partner cousin relative family boss pilot sailor captain mate
newcomer youth elder gentleman lady man woman child kid baby crowd choir altos tenors
basses sopranos ones others everyone everybody somebody someone anyone nobody
reader writer author poet artist painter musician singer organist choirmaster vicar
curate chaplain priest monk nun friar abbot waiter waitress barman barmaid bartender
policeman postman postmaster messenger boy lad maid butler valet page tannoy speaker
witch wizard sorceress guardian emperor empress chieftain
""")
    )
)

#: Group subjects: "they all said", "everyone said at once", "the ducks shouted".
GROUP_WORDS = frozenset(
    {
        "they",
        "we",
        "everyone",
        "everybody",
        "all",
        "both",
        "voices",
        "together",
        "chorus",
        "crowd",
        "choir",
        "ducks",
        "others",
        "altos",
        "tenors",
        "basses",
        "sopranos",
        "children",
        "men",
        "women",
        "boys",
        "girls",
        "people",
    }
)

#: Capitalised words that are never names.
NOT_NAMES = frozenset(
    words("""
the a an and but or nor for yet so if then than that this these those there here when where while
what which who whom whose why how he she it they we you i me him her them us my your his its our
their mine yours hers ours theirs myself yourself himself herself itself ourselves themselves
yes no not oh ah aha alas o well now just only even still perhaps maybe indeed certainly surely
of in on at by with from into onto upon about above below after before under over through during
without within between among against toward towards to up down out off away back again once
some any all each every both either neither none many much more most few several such same other
another one two three four five six seven eight nine ten first second third last next
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december spring summer autumn winter christmas easter
god lord heaven hell chapter book part volume act scene contents preface prologue epilogue
dear good great little old young poor mister madam sir please thank thanks hello goodbye
is was are were be been being have has had do does did will would shall should can could
might must let lets as because though although unless until since whether also never always
often sometimes nobody everybody somebody anybody everyone someone anyone nothing everything
something anything ever very too quite rather almost already soon later today tonight
tomorrow yesterday morning evening night afternoon noon midnight bonjour merci non oui
""")
)

#: Elided words written with a leading apostrophe ('tis, 'em); never an opening quotation mark.
ELISIONS = frozenset(
    {
        "tis",
        "twas",
        "twere",
        "twill",
        "twould",
        "em",
        "im",
        "er",
        "cause",
        "cos",
        "bout",
        "til",
        "till",
        "n",
        "ere",
        "un",
        "ow",
        "ave",
        "alf",
        "ome",
        "eard",
        "appen",
        "spect",
        "fraid",
        "nuff",
        "ead",
        "ello",
        "eck",
        "struth",
        "pon",
        "gainst",
    }
)


def speech_verb_at(words: list[str], i: int) -> int:
    """Length (1 or 2 words) of a speech verb starting at ``words[i]``, or 0."""
    w = words[i]
    if w in SPEECH_VERBS:
        return 1
    part = PHRASAL_SPEECH.get(w)
    if part and i + 1 < len(words) and words[i + 1] == part:
        return 2
    return 0

#: Last words of the names of places, buildings, institutions and papers ("Bath Street", "Kellynch
#: Hall", "the London Directory"): a name ending in one is no one's.
PLACE_WORDS = frozenset(words("""
street streets lane road square park hall house tavern inn hotel church abbey castle bridge hill hills
river directory club channel pass green bar court gardens terrace row island isles bay gate tower palace
theatre theater museum station college school cathedral chapel manor farm wood woods forest mountain
mountains lake sea ocean avenue crescent quarter main hospital asylum prison office bank company society
news times gazette journal magazine review herald chronicle cross common heath fields moor place parish
county shire valley cove harbour harbor port point rock cliff cliffs falls springs town city village arms
"""))
#: Peoples and their languages, used as nouns ("the Italian", "in French"): not a character's name.
NATIONALITIES = frozenset(words("""
english french german italian spanish american british irish scotch scottish welsh dutch russian
polish swiss austrian hungarian greek roman latin turkish chinese japanese indian african european
asiatic egyptian portuguese swedish danish norwegian belgian canadian mexican persian arabian arab
jewish hebrew slovak saxon norman celtic gaelic bohemian prussian bavarian flemish castilian
"""))
#: Countries, continents and great cities: places whatever the sentence does with them.
PLACE_NAMES = frozenset(words("""
england france germany italy spain america britain ireland scotland wales holland russia poland
switzerland austria hungary greece rome turkey china japan india africa europe asia egypt portugal
sweden denmark norway belgium canada mexico persia arabia australia london paris berlin vienna
madrid lisbon amsterdam antwerp brussels geneva venice florence naples moscow petersburg constantinople
york boston philadelphia chicago washington dublin edinburgh glasgow liverpool manchester bristol bath
oxford cambridge dover calais brighton missouri mississippi ohio virginia texas california kent devon
transylvania
"""))
