"""Common first names by gender (English and European), for guessing a character's gender.

A name's gender in a story is decided by its pronouns first; this list only fills in
when the story gives no pronoun. Lower case.
"""

from __future__ import annotations

from pipeline.reading.lexicon import words

FEMALE_NAMES = frozenset(
    words("""
abigail ada adela adelaide adele agatha agnes alice alicia alison amanda amelia amy anastasia
angela anita ann anna anne annette annie antoinette april arabella audrey augusta aurora ava
barbara beatrice becky belinda bella bertha beryl beth betsy betty beverley bianca blanche brenda
bridget camilla carla carmen carol caroline carolyn catherine cecilia cecily celia charlotte chloe
christina christine claire clara clarissa claudia colette constance cora cordelia cynthia daisy
daphne deborah delia diana diane dinah dolly dora doris dorothea dorothy edith edna eleanor elaine
elena eliza elizabeth ella ellen eloise elsie emily emma esther ethel eugenie eva eve evelyn fanny
felicity fiona flora florence frances gabrielle georgiana georgina geraldine gertrude gillian
gladys grace gwen gwendolen hannah harriet hazel heather helen helena henrietta hester hilda holly
honor honoria ida imogen ines irene iris isabel isabella isabelle ivy jane janet jean jeanne
jennifer jenny jessica jessie joan joanna josephine joyce judith julia julie juliet june karen
kate katherine kathleen katie katy kitty laura lavinia leah lena lilian lily linda lizzie lois
lorna lotte louisa louise lucia lucie lucy lydia mabel madeleine madeline maggie margaret margery
maria marian marianne marie marion martha mary matilda maud maude maureen may meg megan melanie
mildred millicent milly minnie miranda miriam molly monica muriel nadia nancy naomi natalie nell
nellie nora norah olive olivia pamela patience patricia pauline peggy penelope philippa phoebe
phyllis polly priscilla prudence rachel rebecca rhoda rita rosa rosalind rose rosemary rosie ruby
ruth sabrina sally samantha sandra sarah selina sophia sophie stella susan susanna suzanne sybil
sylvia teresa tess tessa theresa ursula valerie vera veronica victoria violet virginia vivian
wendy winifred yvonne zoe zelda irena joanne lisa maya mia nina sara tina vanessa hermione
""")
)

MALE_NAMES = frozenset(
    words("""
aaron abel abraham adam adrian alan albert alexander alfred alf algernon allan andrew angus
anthony archibald archie arnold arthur augustus barnaby bart basil ben benedict benjamin bernard
bertie bertram bill billy bob bobby boris brian bruce bruno carl cecil cedric charles charlie
christopher clarence claude clement clive colin cyril dan daniel danny david dennis derek desmond
dick dominic donald douglas duncan edgar edmund edward edwin eli elias elijah emile eric ernest
eugene evan felix ferdinand francis frank franz fred freddie frederick gabriel gareth gavin
geoffrey george gerald gerard gideon gilbert giles godfrey gordon graham gregory guy hal hans harold
harry harvey hector henry herbert hugh hugo humphrey ian isaac ivan jack jacob jacques james jasper
jean-pierre jeremy jerome jim jimmy joe john jonathan joseph josiah julian julius karl keith ken
kenneth kit laurence lawrence leo leon leonard lewis lionel louis luca lucas luke malcolm marcus
mark martin matthew maurice max michael miles nathan nathaniel ned neil nicholas nick nigel noel
norman oliver oscar oswald owen patrick paul percy peter philip pierre quentin ralph randolph
raymond reginald richard robert robin roderick rodney roger roland ronald rory rupert russell sam
samuel sebastian septimus seth sidney simon solomon stan stanley stephen steven stéphane stuart
teddy terence theo theodore thomas tim timothy tobias toby tom tommy tony victor vincent walter
wilfred will william willie wilson
""")
)


def name_gender(first: str) -> str:
    """'M', 'F' or 'U' for a first name."""
    key = first.lower()
    if key in FEMALE_NAMES:
        return "F"
    if key in MALE_NAMES:
        return "M"
    for formal in NICKNAMES.get(key, ()):
        if formal in FEMALE_NAMES:
            return "F"
        if formal in MALE_NAMES:
            return "M"
    return "U"


#: Pet forms of given names, each to the formal names it may stand for (lower case).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "lizzy": ("elizabeth", "eliza"),
    "lizzie": ("elizabeth", "eliza"),
    "liz": ("elizabeth",),
    "eliza": ("elizabeth",),
    "bess": ("elizabeth",),
    "bessie": ("elizabeth",),
    "betsy": ("elizabeth",),
    "betty": ("elizabeth",),
    "beth": ("elizabeth",),
    "kitty": ("catherine", "katherine", "kathleen"),
    "kate": ("catherine", "katherine"),
    "katie": ("catherine", "katherine"),
    "cathy": ("catherine",),
    "meg": ("margaret",),
    "maggie": ("margaret",),
    "peggy": ("margaret",),
    "daisy": ("margaret",),
    "polly": ("mary",),
    "molly": ("mary",),
    "mamie": ("mary",),
    "jenny": ("jane", "jennifer"),
    "jo": ("josephine",),
    "nell": ("eleanor", "helen", "ellen"),
    "nelly": ("eleanor", "helen", "ellen"),
    "fanny": ("frances",),
    "sally": ("sarah",),
    "patty": ("martha",),
    "sukey": ("susan", "susanna"),
    "sue": ("susan", "susanna"),
    "amy": ("amelia",),
    "emmy": ("emily", "emma"),
    "annie": ("anne", "ann", "anna"),
    "nancy": ("anne", "ann"),
    "dolly": ("dorothy",),
    "dora": ("dorothea", "dorothy"),
    "tom": ("thomas",),
    "tommy": ("thomas",),
    "will": ("william",),
    "bill": ("william",),
    "billy": ("william",),
    "willy": ("william",),
    "bob": ("robert",),
    "bobby": ("robert",),
    "rob": ("robert",),
    "dick": ("richard",),
    "dickon": ("richard",),
    "jack": ("john",),
    "johnny": ("john",),
    "jim": ("james",),
    "jimmy": ("james",),
    "jem": ("james", "jeremiah"),
    "jerry": ("jeremiah", "gerald", "gerard"),
    "ned": ("edward", "edmund"),
    "ted": ("edward", "theodore"),
    "teddy": ("edward", "theodore"),
    "harry": ("henry", "harold"),
    "hal": ("henry",),
    "charlie": ("charles",),
    "fred": ("frederick", "alfred"),
    "freddie": ("frederick", "alfred"),
    "freddy": ("frederick", "alfred"),
    "sam": ("samuel",),
    "joe": ("joseph",),
    "nick": ("nicholas",),
    "ben": ("benjamin",),
    "bertie": ("albert", "herbert", "bertram"),
    "archie": ("archibald",),
    "dan": ("daniel",),
    "danny": ("daniel",),
    "davy": ("david",),
    "matt": ("matthew",),
    "pat": ("patrick", "patricia"),
    "tony": ("anthony",),
    "toby": ("tobias",),
    "walt": ("walter",),
    "wat": ("walter",),
    "ralph": ("raphael",),
    "kit": ("christopher",),
    "steve": ("stephen", "steven"),
    "andy": ("andrew",),
    "mike": ("michael",),
    "phil": ("philip",),
    "pip": ("philip",),
    "gus": ("augustus", "gustavus"),
    "nat": ("nathaniel",),
    "larry": ("laurence", "lawrence"),
    "laurie": ("laurence", "lawrence"),
}


def formal_names(given: str) -> tuple[str, ...]:
    """The formal given names a pet name can stand for ("Lizzy" -> elizabeth, eliza)."""
    return NICKNAMES.get(given.lower(), ())
