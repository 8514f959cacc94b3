"""Synthetic, repeatable archive content: Dutch-like text, EDTF dates, assessments, revisions.

Everything is drawn from one seeded `random.Random`, so the same seed and size give the same
items, the same events and the same queries on every run. Nothing here touches a store:
`plan_items` makes plain specs, `build` turns one into an aggregate (inside `acting_as`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from events.items import ArchiveItem, Episode, MediaItem, Story, acting_as
from events.qualities import ASSESSMENTS, QUALITIES

ACTOR = "bench"
MAX_STORIES = 9_000  # story numbers have four digits; leave room for the curator commands


def _words(text: str, sep: str | None = None) -> list[str]:
    """The words (or `sep`-separated names) of a block of text."""
    return [w.strip() for w in text.split(sep) if w.strip()]


NOUNS = _words("""
buurt bewoners vrijwilligers gemeente speeltuin petitie wijkraad corona voedselpakketten
wijk straat plein school buurthuis moskee kerk bibliotheek huurders woningcorporatie
renovatie sloop nieuwbouw park groen bomen moestuin markt winkeliers ondernemers jongeren
kinderen ouderen mantelzorg zorg huisarts wijkagent politie veiligheid overlast afval
zwerfvuil verlichting fietspad parkeerplaatsen verkeer tram metro bus brug haven kade dijk
water hitte klimaat tegels geveltuin regenton energie zonnepanelen isolatie armoede schulden
werkloosheid taalles huiswerkbegeleiding sport voetbal zwembad festival optocht herdenking
ramadan iftar kerstmarkt sinterklaas koningsdag bijeenkomst vergadering inspraak participatie
enquête onderzoek rapport monitor subsidie budget begroting fonds initiatief programma
project plan visie besluit raadsvoorstel wethouder ambtenaar gebiedscommissie deelgemeente
welzijn opbouwwerker sleutelfiguren netwerk vertrouwen samenwerking ontmoeting buren
gezinnen statushouders nieuwkomers tolk brief nieuwsbrief krant foto tekening interview
verhaal herinnering archief tentoonstelling lockdown mondkapjes vaccinatie testlocatie
avondklok quarantaine thuiswerken eenzaamheid maaltijden kookclub buurtkeuken voedselbank
uitdeelpunt kledingbank speelplek schoolplein kinderboerderij terrein gebouw pand loods
atelier kunstenaars muurschildering bankje fontein straatfeest barbecue spreekuur loket
telefoon groepsapp website crisis noodfonds steunpunt hulpvraag buurtbemiddeling conflict
klacht melding schouw wandeling fietstocht rondleiding huiskamer portiek galerij flat
sleutel boodschappen soep brood fruit kratten dozen busjes fietsen bakfiets kantine
""")
VERBS = _words("""
organiseerden deelden verzamelden ondertekenden bespraken besloot opende sloot hielpen
kookten brachten belden schreven vroegen beloofde steunde financierde startte stopte
verbouwden plantten maakten bouwden ruimden meldden protesteerden overlegden kozen stemden
tekenden verhuisden woonden werkten speelden vierden herdachten ontmoetten verdeelden
regelden zochten vonden leerden vertelden interviewden fotografeerden kwamen bleven
wachtten reageerde antwoordde erkende negeerde vertraagde versnelde koppelde verbond
mobiliseerde faciliteerde evalueerde trainde bezorgden pakten droegen openden
""")
ADJECTIVES = _words("""
nieuwe oude kleine grote lokale gemeentelijke eerste tweede laatste snelle trage moeilijke
lastige succesvolle tijdelijke vaste jonge actieve betrokken boze blije bezorgde
veerkrachtige groene drukke rustige lege volle gezamenlijke informele formele digitale
wekelijkse dagelijkse jaarlijkse spontane sociale culturele rotterdamse delfshavense
marokkaanse turkse kaapverdiaanse surinaamse antilliaanse nederlandse warme koude natte
""")
ADVERBS = _words("samen snel opnieuw eindelijk vooral weer meteen later eerder daarna graag")
PREPOSITIONS = _words("in met voor na bij tijdens rond langs achter naast")
DETERMINERS = _words("de het een deze onze hun")
FIRST_NAMES = _words("""
Fatima Mohamed Anouk Jan Samira Youssef Linda Kees Aisha Mehmet Ingrid Ricardo Nadia Bram
Esra Dirk Soraya Hamid Petra Emre Yvonne Rachid Marieke Tarik Gerda Sanne Khadija Wim
""")
LAST_NAMES = _words(
    "de Vries, El Amrani, Jansen, Yilmaz, Bakker, Tavares, Visser, Bouzid, van Dijk, Öztürk, "
    "Mulder, Lopes, Smit, Haddou, de Jong, Kaya, Vermeulen, Gomes, Brouwer, Aydin",
    ",",
)
PLACES = [
    "Schiedamseweg", "Grote Visserijplein", "Mathenesserlaan", "Bospolder", "Tussendijken",
    "Hudsonstraat", "Schiedamsedijk", "Mathenesserplein", "Vierambachtsstraat",
    "Rösener Manzstraat", "Taandersplein", "Hudsonpark", "Dakpark", "Marconiplein",
    "Schippersstraat", "Jan Kobellstraat", "Delfshaven", "Havenstraat",
]  # fmt: skip
OUTLETS = ["AD", "Vers Beton", "NRC", "Trouw", "Open Rotterdam", "Rijnmond", "De Havenloods"]
THEMES = [
    "corona", "armoede", "wonen", "groen", "jongeren", "veiligheid", "participatie", "zorg",
    "onderwijs", "cultuur", "klimaat", "voedsel",
]  # fmt: skip
MEDIA_KINDS = ("article", "photo", "drawing", "video", "report", "audio")
YEARS = range(2018, 2025)

# Words a query may use: the content vocabulary (no stop words, so every term can match).
QUERY_WORDS: tuple[str, ...] = tuple(dict.fromkeys(NOUNS + VERBS + ADJECTIVES))


@dataclass
class ItemSpec:
    """Everything needed to register one item, as plain data."""

    kind: str
    key: str
    fields: dict[str, Any]
    assessments: list[dict[str, Any]] = field(default_factory=list)
    happenings: list[dict[str, Any]] = field(default_factory=list)

    def register_fields(self) -> dict[str, Any]:
        """The fields as `Archive.register` takes them (key, assessments, happenings in)."""
        key_field = "number" if self.kind == "stories" else "id"
        fields = dict(self.fields)
        fields["body_markdown"] = fields.pop("body", "")
        return {
            key_field: self.key,
            **fields,
            "assessments": self.assessments,
            "happenings": self.happenings,
        }


class TextMaker:
    """Random Dutch-like sentences from the built-in vocabulary."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def sentence(self) -> str:
        """One sentence of 8-16 words with a little grammar."""
        r = self.rng
        parts = [
            r.choice(DETERMINERS), r.choice(ADJECTIVES), r.choice(NOUNS), r.choice(VERBS),
            r.choice(DETERMINERS), r.choice(NOUNS), r.choice(PREPOSITIONS), r.choice(DETERMINERS),
            r.choice(ADJECTIVES), r.choice(NOUNS),
        ]  # fmt: skip
        if r.random() < 0.5:
            parts += ["en", r.choice(NOUNS), r.choice(ADVERBS)]
        if r.random() < 0.3:
            parts += [r.choice(PREPOSITIONS), r.choice(PLACES)]
        text = " ".join(parts)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, low: int, high: int) -> str:
        """Between `low` and `high` sentences."""
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def body(self, paragraphs: int, low: int, high: int) -> str:
        """A Markdown body of a few paragraphs."""
        return "\n\n".join(self.paragraph(low, high) for _ in range(paragraphs))

    def title(self) -> str:
        """A short title."""
        r = self.rng
        shape = r.randrange(3)
        if shape == 0:
            words = [r.choice(ADJECTIVES), r.choice(NOUNS), "in", r.choice(PLACES)]
        elif shape == 1:
            words = [r.choice(NOUNS), "en", r.choice(NOUNS), str(r.choice(YEARS))]
        else:
            words = [r.choice(DETERMINERS), r.choice(NOUNS), r.choice(VERBS), r.choice(NOUNS)]
        text = " ".join(words)
        return text[0].upper() + text[1:]

    def person(self) -> str:
        """A resident's name."""
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"


def _date_pools(seed: int = 2021) -> tuple[list[str], list[str]]:
    """Key days and month intervals the archive keeps coming back to (fixed, not per size).

    Real archives cluster on a few hundred days (the first lockdown, a council vote, a
    festival); a pool also bounds the EDTF parsing that every process pays once per
    distinct string (see `distinct_dates`).
    """
    rng = random.Random(seed)
    days = {
        f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for y in YEARS for _ in range(45)
    }
    spans = set()
    for year in YEARS:
        for _ in range(15):
            first = rng.randint(1, 11)
            spans.add(f"{year}-{first:02d}/{year}-{min(12, first + rng.randint(1, 5)):02d}")
    return sorted(days), sorted(spans)


KEY_DAYS, INTERVALS = _date_pools()


def random_date(rng: random.Random) -> str:
    """An EDTF date in 2018-2024: day, month, season, approximate month, year or interval."""
    year = rng.choice(YEARS)
    month = rng.randint(1, 12)
    shape = rng.random()
    if shape < 0.30:
        return rng.choice(KEY_DAYS)
    if shape < 0.55:
        return f"{year}-{month:02d}"
    if shape < 0.70:
        return f"{year}-{rng.randint(21, 24)}"
    if shape < 0.82:
        return f"{year}-{month:02d}~"
    if shape < 0.92:
        return str(year)
    return rng.choice(INTERVALS)


def distinct_dates() -> list[str]:
    """Every date string `random_date` can produce."""
    months = [f"{y}-{m:02d}" for y in YEARS for m in range(1, 13)]
    seasons = [f"{y}-{s}" for y in YEARS for s in range(21, 25)]
    return [
        *KEY_DAYS, *months, *seasons, *(m + "~" for m in months), *map(str, YEARS), *INTERVALS,
    ]  # fmt: skip


def random_assessment(rng: random.Random, maker: TextMaker) -> dict[str, Any]:
    """A quality assessment with evidence (and now and then a framework element)."""
    quality = rng.choice(QUALITIES)
    record: dict[str, Any] = {
        "quality": quality.id,
        "assessment": rng.choice(ASSESSMENTS),
        "evidence": maker.paragraph(1, 2),
    }
    if quality.elements and rng.random() < 0.5:
        record["element"] = rng.choice(quality.elements)
    return record


def random_happening(rng: random.Random, maker: TextMaker) -> dict[str, Any]:
    """A dated moment of an episode."""
    return {
        "date": random_date(rng),
        "title": maker.title(),
        "text": maker.paragraph(1, 3),
        "themes": rng.sample(THEMES, rng.randint(0, 2)),
    }


def kind_counts(n: int) -> dict[str, int]:
    """How many of each kind: 40% episodes, 30% stories (capped), the rest media."""
    episodes = round(n * 0.4)
    stories = min(round(n * 0.3), MAX_STORIES)
    return {"episodes": episodes, "stories": stories, "media": n - episodes - stories}


def plan_items(n: int, seed: int, key_prefix: str = "", first_story: int = 0) -> list[ItemSpec]:
    """`n` item specs of mixed kinds, in a shuffled (but repeatable) order."""
    rng = random.Random(seed)
    maker = TextMaker(rng)
    counts = kind_counts(n)
    kinds = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(kinds)
    seen = dict.fromkeys(counts, 0)
    seen["stories"] = first_story
    specs = []
    for kind in kinds:
        seen[kind] += 1
        specs.append(make_spec(kind, seen[kind], rng, maker, key_prefix))
    return specs


def make_key(kind: str, number: int, prefix: str) -> str:
    """A valid natural key: a four-digit story number or a slug."""
    if kind == "stories":
        return f"{number:04d}"
    return f"{prefix}{'ep' if kind == 'episodes' else 'media'}-{number}"


def make_spec(
    kind: str, number: int, rng: random.Random, maker: TextMaker, prefix: str = ""
) -> ItemSpec:
    """One item of `kind` with text, date, names, assessments and happenings."""
    fields: dict[str, Any] = {
        "title": maker.title(),
        "summary": maker.paragraph(1, 2),
        "date": random_date(rng),
        "themes": rng.sample(THEMES, rng.randint(1, 3)),
        "places": rng.sample(PLACES, rng.randint(0, 2)),
    }
    if kind == "episodes":
        fields["body"] = maker.body(2, 2, 4)
        fields["people"] = [maker.person() for _ in range(rng.randint(0, 3))]
        assessments = [random_assessment(rng, maker) for _ in range(rng.randint(1, 3))]
        happenings = [random_happening(rng, maker) for _ in range(rng.randint(2, 4))]
    elif kind == "stories":
        fields["body"] = maker.body(3, 3, 5)
        fields["consent"] = "public" if rng.random() < 0.6 else "research"
        fields["storytellers"] = [maker.person() for _ in range(rng.randint(1, 2))]
        fields["people"] = [maker.person() for _ in range(rng.randint(0, 2))]
        assessments = [random_assessment(rng, maker) for _ in range(rng.randint(0, 2))]
        happenings = [random_happening(rng, maker) for _ in range(rng.randint(0, 1))]
    else:
        fields["body"] = maker.paragraph(2, 5)
        fields["media_kind"] = rng.choice(MEDIA_KINDS)
        fields["outlet"] = rng.choice(OUTLETS)
        fields["url"] = f"https://example.org/{kind}/{number}"
        assessments = [random_assessment(rng, maker) for _ in range(rng.randint(0, 1))]
        happenings = []
    return ItemSpec(kind, make_key(kind, number, prefix), fields, assessments, happenings)


AGGREGATE_CLASSES: dict[str, Callable[..., ArchiveItem]] = {
    "episodes": Episode,
    "stories": Story,
    "media": MediaItem,
}


def build(spec: ItemSpec) -> ArchiveItem:
    """The aggregate of a spec, with its assessments and happenings as pending events."""
    with acting_as(ACTOR):
        item = AGGREGATE_CLASSES[spec.kind](key=spec.key, **spec.fields)
        for assessment in spec.assessments:
            item.assess(**assessment)
        for happening in spec.happenings:
            item.record_happening(**happening)
    return item


@dataclass
class Revision:
    """A later change to an item already saved: a new title, text or both."""

    index: int  # position of the item in the plan
    title: str | None
    body: str | None


def plan_revisions(specs: list[ItemSpec], share: float, seed: int) -> list[Revision]:
    """Revisions for about `share` of the items (a retitle, a new text, or both)."""
    rng = random.Random(seed + 1)
    maker = TextMaker(rng)
    chosen = rng.sample(range(len(specs)), round(len(specs) * share))
    revisions = []
    for index in chosen:
        shape = rng.random()
        title = maker.title() if shape < 0.6 or shape >= 0.9 else None
        body = maker.body(2, 2, 4) if shape >= 0.6 else None
        revisions.append(Revision(index, title, body))
    return revisions


def apply(revision: Revision, item: ArchiveItem) -> None:
    """Trigger the revision's events on the item."""
    with acting_as(ACTOR, "bench: revision"):
        if revision.title is not None:
            item.retitle(revision.title)
        if revision.body is not None:
            item.revise_text(revision.body)


def schedule(
    n_items: int, revisions: list[Revision], batch: int, seed: int
) -> list[list[tuple[str, int]]]:
    """Batches of `batch` operations: new items in order, revisions of earlier batches' items.

    Every revision targets an item saved in an earlier batch, so a batch never holds one
    aggregate twice; revisions spread evenly over the run.
    """
    rng = random.Random(seed + 2)
    pending = sorted(revisions, key=lambda r: r.index)
    rev_share = len(revisions) / max(1, n_items + len(revisions))
    batches: list[list[tuple[str, int]]] = []
    waiting: list[int] = []  # revision numbers whose item is saved and may now be revised
    next_item, cursor = 0, 0
    by_number = {id(r): i for i, r in enumerate(revisions)}
    while next_item < n_items or waiting or cursor < len(pending):
        ops: list[tuple[str, int]] = []
        n_rev = min(len(waiting), round(batch * rev_share)) if next_item < n_items else batch
        for _ in range(min(n_rev, len(waiting))):
            ops.append(("revise", waiting.pop(rng.randrange(len(waiting)))))
        while len(ops) < batch and next_item < n_items:
            ops.append(("create", next_item))
            next_item += 1
        if not ops:
            break
        batches.append(ops)
        while cursor < len(pending) and pending[cursor].index < next_item:
            waiting.append(by_number[id(pending[cursor])])
            cursor += 1
    return batches


def sample_phrases(specs: list[ItemSpec], count: int, seed: int) -> list[str]:
    """Two-word phrases taken from the generated bodies (adjacent content words)."""
    rng = random.Random(seed + 3)
    vocabulary = set(QUERY_WORDS)
    phrases: list[str] = []
    attempts = 0
    while len(phrases) < count and attempts < count * 50:
        attempts += 1
        words = rng.choice(specs).fields["body"].lower().replace(".", "").split()
        i = rng.randrange(len(words) - 1)
        if words[i] in vocabulary and words[i + 1] in vocabulary:
            phrases.append(f'"{words[i]} {words[i + 1]}"')
    return phrases
