"""The quality vocabulary: what a responsive, resilient government shows.

Two frameworks from the monitor *Veerkracht in Bospolder-Tussendijken* (March 2021):

- the framework "faciliteren van gemeenschapsveerkracht" of chapter 4: four qualities of a
  responsive government, each paired with one or two of five framework elements;
- the Resilience Framework (Rockefeller Foundation) with seven qualities of resilient
  city governance, used in the monitor's reflection "Veerkrachtig besturen".

Every concept has a Dutch and an English label, alternative labels, and a definition drawn
from the source (with the line it stands on in `stories/sources/`). Wherever a quality is a
parameter, its id, Dutch label, English label or an alternative label is accepted,
case-insensitively (`resolve`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from events.errors import UnknownQuality

RESPONSIVE = "responsive-government"
RESILIENCE = "resilience-framework"
ELEMENT = "framework-element"
ASSESSMENTS = ("shown", "partial", "lacking")
ASSESSMENT_LABELS = {
    "shown": ("getoond", "shown"),
    "partial": ("deels", "partial"),
    "lacking": ("ontbreekt", "lacking"),
}
_MONITOR = "monitor-veerkracht-botu-2021.txt"


@dataclass(frozen=True)
class Concept:
    """One quality or framework element, with its labels and definition."""

    id: str
    label_nl: str
    label_en: str
    framework: str
    definition: str
    source: str
    elements: tuple[str, ...] = ()  # for a quality: the framework element(s) it pairs with
    alt_labels: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        """Plain data, as the API and the exports give it."""
        return {
            "id": self.id,
            "label_nl": self.label_nl,
            "label_en": self.label_en,
            "framework": self.framework,
            "element": self.elements[0] if self.elements else None,
            "elements": list(self.elements),
            "definition": self.definition,
            "source": self.source,
            "alt_labels": list(self.alt_labels),
        }


ELEMENTS: tuple[Concept, ...] = (
    Concept(
        "leiderschap",
        "leiderschap",
        "leadership",
        ELEMENT,
        "Gemeenschapsleiders beïnvloeden de zelforganisatie en het sociaal kapitaal in de wijk.",
        f"{_MONITOR}:5806-5810",
        alt_labels=("community leadership",),
    ),
    Concept(
        "betrokken-bestuur",
        "betrokken bestuur",
        "engaged governance",
        ELEMENT,
        "Betrokken bestuur gaat over deelname van bewoners en lokale organisaties aan het "
        "lokaal bestuurlijk proces.",
        f"{_MONITOR}:5819-5821",
        alt_labels=("engaged government", "involved governance"),
    ),
    Concept(
        "sociaal-kapitaal",
        "sociaal kapitaal",
        "social capital",
        ELEMENT,
        "De sociale netwerken die acties faciliteren of toegang bieden tot verschillende "
        "hulpbronnen.",
        f"{_MONITOR}:5830-5833",
    ),
    Concept(
        "communicatieomgeving",
        "communicatieomgeving",
        "communication environment",
        ELEMENT,
        "De communicatieomgeving kenmerkt zich door het delen van informatie tussen "
        "verschillende actoren en schaalniveaus.",
        f"{_MONITOR}:5844-5851",
        alt_labels=("communicatie",),
    ),
    Concept(
        "probleemoplossend-vermogen",
        "probleemoplossend vermogen",
        "problem-solving capacity",
        ELEMENT,
        "Het probleemoplossend vermogen geeft aan in hoeverre de lokale gemeenschap, bestaande "
        "uit formele en informele actoren, moeilijke problemen kan oplossen.",
        f"{_MONITOR}:5859-5862",
        alt_labels=("problem solving capacity",),
    ),
)

QUALITIES: tuple[Concept, ...] = (
    Concept(
        "mobiliserend-vermogen",
        "mobiliserend vermogen",
        "mobilising capacity",
        RESPONSIVE,
        "De overheid moet over mobiliserend vermogen beschikken, wat inhoudt dat initiatieven "
        "van anderen worden uitgelokt en ondersteund.",
        f"{_MONITOR}:5836-5839",
        elements=("sociaal-kapitaal",),
        alt_labels=("mobilizing capacity", "mobiliserend kapitaal", "mobilising power"),
    ),
    Concept(
        "verbindend-vermogen",
        "verbindend vermogen",
        "connecting capacity",
        RESPONSIVE,
        "Een responsieve overheid beschikt over verbindend vermogen, wat inhoudt dat zij "
        "cruciale partners aan zichzelf en aan elkaar kunnen verbinden.",
        f"{_MONITOR}:5814-5817",
        elements=("leiderschap",),
        alt_labels=("connective capacity", "bridging capacity"),
    ),
    Concept(
        "institutionele-souplesse",
        "institutionele souplesse",
        "institutional flexibility",
        RESPONSIVE,
        "Overheden moeten in staat zijn om mee te bewegen met eisen die bijvoorbeeld "
        "opkomende initiatieven stellen, door onder andere procedures, maar ook spelregels, "
        "aan te passen wanneer nodig.",
        f"{_MONITOR}:5823-5828",
        elements=("betrokken-bestuur",),
        alt_labels=("institutional suppleness", "institutional agility"),
    ),
    Concept(
        "betrouwbaarheid",
        "betrouwbaarheid",
        "reliability",
        RESPONSIVE,
        "Betrouwbaarheid in de zin van behoorlijk bestuur, rechtszekerheid en continuïteit, "
        "zodat partners weten wat zij kunnen verwachten en zich hierop in kunnen stellen.",
        f"{_MONITOR}:5852-5857",
        elements=("communicatieomgeving", "probleemoplossend-vermogen"),
        alt_labels=("trustworthiness", "dependability"),
    ),
    Concept(
        "flexibiliteit",
        "flexibiliteit",
        "flexibility",
        RESILIENCE,
        "Overheden moeten zich steeds aan kunnen passen aan dat wat betrokken partijen vragen, "
        "om zo op een effectieve en productieve manier samen te kunnen werken.",
        f"{_MONITOR}:6627-6630",
        alt_labels=("flexible",),
    ),
    Concept(
        "redundantie",
        "redundantie",
        "redundancy",
        RESILIENCE,
        "Het investeren in reserves, bijvoorbeeld in de vorm van veel verschillende "
        "maatschappelijke initiatieven, zodat er voldoende capaciteit is wanneer crisissen "
        "zich voordoen.",
        f"{_MONITOR}:6630-6634",
        alt_labels=("redundant",),
    ),
    Concept(
        "robuustheid",
        "robuustheid",
        "robustness",
        RESILIENCE,
        "De overheid blijft, ongeacht welke situaties zich voordoen, functioneren of herstelt "
        "snel.",
        f"{_MONITOR}:6635-6636",
        alt_labels=("robust",),
    ),
    Concept(
        "vindingrijkheid",
        "vindingrijkheid",
        "resourcefulness",
        RESILIENCE,
        "Er kan maatwerk geboden worden, waarbij improvisatievermogen van belang is: creatief "
        "omgaan met beschikbare middelen om oplossingen te genereren.",
        f"{_MONITOR}:6637-6641",
        alt_labels=("resourceful",),
    ),
    Concept(
        "reflexiviteit",
        "reflexiviteit",
        "reflectiveness",
        RESILIENCE,
        "Leren van ervaringen en het opdoen van nieuwe kennis, om dit vervolgens (verder) te "
        "implementeren.",
        f"{_MONITOR}:6641-6643",
        alt_labels=("reflexivity", "reflective", "lerend vermogen"),
    ),
    Concept(
        "inclusiviteit",
        "inclusiviteit",
        "inclusiveness",
        RESILIENCE,
        "Zoveel mogelijk actoren betrekken en streven naar gedeeld eigenaarschap, voor het "
        "formuleren van doelen en oplossingen, het beslissen en de uitvoering.",
        f"{_MONITOR}:6643-6649",
        alt_labels=("inclusivity", "inclusive"),
    ),
    Concept(
        "integratief-vermogen",
        "integratief vermogen",
        "integration",
        RESILIENCE,
        "Domeinoverstijgend werken, relevante verbindingen aangaan met veel verschillende "
        "partijen en verbindingen tussen initiatieven stimuleren.",
        f"{_MONITOR}:6649-6653",
        alt_labels=("integrated", "integrative capacity"),
    ),
)

_BY_ID: dict[str, Concept] = {c.id: c for c in (*QUALITIES, *ELEMENTS)}


def _fold(text: str) -> str:
    """Case-, accent-, hyphen- and space-insensitive form of a label."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").replace("_", " ").split())


def _index(concepts: tuple[Concept, ...]) -> dict[str, Concept]:
    index: dict[str, Concept] = {}
    for concept in concepts:
        for name in (concept.id, concept.label_nl, concept.label_en, *concept.alt_labels):
            index[_fold(name)] = concept
    return index


_QUALITY_NAMES = _index(QUALITIES)
_ELEMENT_NAMES = _index(ELEMENTS)


def resolve(name: str) -> Concept:
    """The quality named by id, Dutch or English label (case-insensitive)."""
    concept = _QUALITY_NAMES.get(_fold(name or ""))
    if concept is None:
        known = ", ".join(f"{q.id} ({q.label_en})" for q in QUALITIES)
        raise UnknownQuality(
            f"Onbekende kwaliteit {name!r}. Bekend zijn: {known}.", field="quality"
        )
    return concept


def resolve_element(name: str) -> Concept:
    """The framework element named by id or label (case-insensitive)."""
    concept = _ELEMENT_NAMES.get(_fold(name or ""))
    if concept is None:
        known = ", ".join(e.id for e in ELEMENTS)
        raise UnknownQuality(
            f"Onbekend raamwerkelement {name!r}. Bekend zijn: {known}.", field="element"
        )
    return concept


def check_assessment(value: str) -> str:
    """`shown`, `partial` or `lacking` (Dutch labels accepted), else UnknownQuality."""
    folded = _fold(value or "")
    for key, labels in ASSESSMENT_LABELS.items():
        if folded == key or folded in labels:
            return key
    raise UnknownQuality(
        f"Onbekende beoordeling {value!r}: kies shown (getoond), partial (deels) of "
        "lacking (ontbreekt).",
        field="assessment",
    )


def get(concept_id: str) -> Concept:
    """The concept with exactly this id."""
    return _BY_ID[concept_id]


def skos_jsonld() -> dict[str, object]:
    """The vocabulary as a SKOS concept scheme in JSON-LD."""
    base = "https://wijkarchief.botu.nl/vocab/"
    schemes = {
        RESPONSIVE: "Kwaliteiten van een responsieve overheid",
        RESILIENCE: "Resilience Framework",
        ELEMENT: "Raamwerk faciliteren van gemeenschapsveerkracht",
    }
    graph: list[dict[str, object]] = [
        {
            "@id": base + scheme,
            "@type": "skos:ConceptScheme",
            "skos:prefLabel": {"@value": label, "@language": "nl"},
        }
        for scheme, label in schemes.items()
    ]
    for concept in (*QUALITIES, *ELEMENTS):
        node: dict[str, object] = {
            "@id": base + concept.id,
            "@type": "skos:Concept",
            "skos:inScheme": {"@id": base + concept.framework},
            "skos:prefLabel": [
                {"@value": concept.label_nl, "@language": "nl"},
                {"@value": concept.label_en, "@language": "en"},
            ],
            "skos:altLabel": [{"@value": a} for a in concept.alt_labels],
            "skos:definition": {"@value": concept.definition, "@language": "nl"},
            "dcterms:source": concept.source,
        }
        if concept.elements:
            node["skos:related"] = [{"@id": base + e} for e in concept.elements]
        graph.append(node)
    return {
        "@context": {
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "dcterms": "http://purl.org/dc/terms/",
        },
        "@graph": graph,
    }
