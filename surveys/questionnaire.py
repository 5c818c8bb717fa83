"""Questionnaire generation: from a framework, chosen indicators and audiences, one questionnaire
per audience (DESIGN.md sections 2, 4 and 5). Pure Python: no Flask, no SQL.

Rules
-----
- Items come only from the framework's item bank: an audience is asked about an indicator only when
  the bank has statements for that audience and indicator ("audiences that cannot judge an
  indicator get none"). An audience with no item in the selection gets no questionnaire and a
  plain-English reason in `GenerationResult.skipped`.
- Order: sections in framework order (`Framework.sections`), indicators in framework order within a
  section (`Framework.indicators`), items in bank order. Item keys are
  ``f"{indicator_id}/{audience}/{n}"`` with ``n`` the 1-based position in the bank list, so the same
  inputs give the same keys whatever order the ids were passed in.
- Easy-read adults (`EASY_READ_AUDIENCES`, when the round asks them so) get the same
  easy-read, one-question-per-page questionnaire with `faces3`, asking only the statements the
  bank has in easy read (`easy_read:`, at most 15 words); faces are never pooled with `agree4`.
- Age bands (DESIGN.md 5): a round asks children and young people in one or more of
  `CHILDREN_BANDS`, and each band gets a questionnaire of its own, keyed by the band's audience
  (`band_audience`: "children_under_8", "children_8_to_12", "children_13_plus"), so that every
  later step (open links, the mix's release, results, exports) keeps each band a group of its
  own, never pooled with another band or with adults. The bank's items are the `children`
  items for every band (item keys keep "children", so an item is the same item of its
  indicator in every band):
  - under 8: `faces3`, one question per page, easy read, read aloud (`READ_ALOUD_BANDS`: the
    respondent pages mark it up for reading aloud), each statement's shortest wording (the
    bank's `easy_read:` sentence, at most 15 words, when it has one) and a shorter introduction;
  - 8 to 12: `faces3` (faces with words), one question per page, easy read;
  - 13 and over: like adults, `agree4` with "Don't know".
- Rounds from before age bands (`LEGACY_CHILDREN_BANDS`) asked children in one band,
  "under_12" (faces) or "12_plus" (like adults), in one questionnaire keyed "children": a
  legacy band is still accepted alone and gives exactly that questionnaire, so such rounds
  load, regenerate and report as they did (as a group of their own, never compared with a
  band).
- Scales (`scale_for`): adults answer `agree4`. Children in a faces band answer `faces3`
  whatever scale the bank names (one simple scale for the whole easy-read questionnaire; faces
  are never pooled with adult scales). An explicit bank scale (e.g. CSIT partners `progress5`)
  is kept, except that `faces3` is only ever used for children in a faces band and easy-read
  adults: a bank item that says `faces3` for anyone else falls back to `agree4`.
- Optional free text per section ("What works well?" / "What could be better?").
- Optional role question at group level (broad options, always ending with "Prefer not to say";
  never a name or any free text). Results split by role are subject to the same anonymity
  threshold as any other group (DESIGN.md section 6).
- Estimated completion time from the documented constants below, rounded up to whole minutes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from frameworks.schema import CHILDREN_BAND_AUDIENCES as STANDARD_BAND_LABELS
from frameworks.schema import Framework
from surveys.scales import SCALES
from surveys.selection import SelectionError, raise_unknown

__all__ = [
    "CHILDREN_BANDS",
    "CHILDREN_BAND_AUDIENCES",
    "EASY_READ_AUDIENCES",
    "FACES_BANDS",
    "FORMAT_VERSION",
    "FREE_TEXT_MAX_CHARS",
    "FREE_TEXT_PROMPTS",
    "LEGACY_CHILDREN_BANDS",
    "PREFER_NOT_TO_SAY",
    "READ_ALOUD_BANDS",
    "ROLE_QUESTIONS",
    "SECONDS_INTRO",
    "SECONDS_PER_FREE_TEXT_PAIR",
    "SECONDS_PER_ITEM",
    "SECONDS_ROLE_QUESTION",
    "TOO_LONG_MINUTES",
    "FreeTextPrompt",
    "GenerationResult",
    "QuestionItem",
    "QuestionSection",
    "Questionnaire",
    "RoleOption",
    "RoleQuestion",
    "SelectionError",
    "audience_phrase",
    "band_audience",
    "band_of",
    "build_questionnaires",
    "check_children_bands",
    "estimate_seconds",
    "estimated_minutes",
    "intro_text",
    "is_children",
    "is_too_long",
    "round_audiences",
    "scale_for",
]

FORMAT_VERSION = 1  # of `Questionnaire.to_dict()`; bump when the stored shape changes

CHILDREN = "children"
# Age bands a coordinator may ask, youngest first (DESIGN.md 5), and the audience key of each.
CHILDREN_BANDS = ("under_8", "8_to_12", "13_plus")
CHILDREN_BAND_AUDIENCES: dict[str, str] = {band: f"{CHILDREN}_{band}" for band in CHILDREN_BANDS}
assert set(CHILDREN_BAND_AUDIENCES.values()) == set(STANDARD_BAND_LABELS)
FACES_BANDS = ("under_8", "8_to_12", "under_12")  # answer faces3 on an easy-read questionnaire
READ_ALOUD_BANDS = ("under_8",)  # very short sentences, marked up for reading aloud
# One band per round, one questionnaire keyed "children", before age bands: still loads.
LEGACY_CHILDREN_BANDS = ("under_12", "12_plus")
ADULT_SCALE = "agree4"
CHILD_SCALE = "faces3"
EASY_READ_SCALE = CHILD_SCALE  # easy-read adults answer with the faces too (DESIGN.md 5)
# Adult audiences a round may ask in easy-read English instead (one question per page, faces,
# each statement's `easy_read` wording). Children under 12 are easy-read by their age band.
EASY_READ_AUDIENCES = ("service_users",)

# -- free text ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FreeTextPrompt:
    code: str  # stable: comment keys are f"{section_id}/{code}"
    prompt: str


FREE_TEXT_PROMPTS: tuple[FreeTextPrompt, ...] = (
    FreeTextPrompt("works_well", "What works well?"),
    FreeTextPrompt("could_be_better", "What could be better?"),
)
FREE_TEXT_MAX_CHARS = 1000  # per answer box

# -- completion time ------------------------------------------------------------------------------
# Reading a short statement and tapping one option on a phone. Easy-read faces are quicker to
# answer (fewer, pictured options) even one per page; a..e progress levels need reading.
SECONDS_PER_ITEM: dict[str, int] = {"agree4": 8, "faces3": 6, "progress5": 10}
# A pair of free-text boxes, assuming most people skip them or write a line in one of them.
SECONDS_PER_FREE_TEXT_PAIR = 45
SECONDS_ROLE_QUESTION = 10
SECONDS_INTRO = 30  # reading the introduction
TOO_LONG_MINUTES = 10  # above this, warn the coordinator: response rates fall with length


# -- role question --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleOption:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class RoleQuestion:
    """A group-level question with fixed broad options: never a name, never free text."""

    key: str
    prompt: str
    options: tuple[RoleOption, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "prompt": self.prompt,
            "options": [{"code": o.code, "label": o.label} for o in self.options],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoleQuestion:
        return cls(
            key=str(data["key"]),
            prompt=str(data["prompt"]),
            options=tuple(RoleOption(str(o["code"]), str(o["label"])) for o in data["options"]),
        )


PREFER_NOT_TO_SAY = RoleOption("prefer_not_to_say", "Prefer not to say")


def _role(prompt: str, *options: tuple[str, str]) -> RoleQuestion:
    choices = tuple(RoleOption(code, label) for code, label in options)
    return RoleQuestion("role", prompt, (*choices, PREFER_NOT_TO_SAY))


# Audiences not listed here (children, and audiences a framework adds) get no role question.
ROLE_QUESTIONS: dict[str, RoleQuestion] = {
    "staff": _role(
        "Which best describes your role?",
        ("front_line", "Front-line practitioner"),
        ("manager", "Manager or team leader"),
        ("senior_leader", "Senior leader"),
        ("support", "Support or administrative staff"),
    ),
    "partners": _role(
        "Which kind of agency do you work for?",
        ("health", "Health"),
        ("education", "Education"),
        ("social_work", "Social work or social care"),
        ("police", "Police"),
        ("voluntary", "Voluntary or community sector"),
        ("other", "Another kind of agency"),
    ),
    "parents": _role(
        "How old is the child (or children) you are thinking about?",
        ("under_5", "Under 5"),
        ("5_to_11", "5 to 11"),
        ("12_to_15", "12 to 15"),
        ("16_plus", "16 or over"),
        ("several", "Children in more than one of these age groups"),
    ),
    "service_users": _role(
        "Which best describes you?",
        ("user", "I use the service myself"),
        ("carer", "I am a family member or carer of someone who uses the service"),
        ("other", "Other"),
    ),
    "community": _role(
        "Which best describes you?",
        ("resident", "I live in the area"),
        ("works", "I work in the area"),
        ("group", "I am part of a local group or organisation"),
        ("other", "Other"),
    ),
}

# -- plain-English wording -------------------------------------------------------------------------

# Lower-case plural phrases for sentences ("... that parents and carers can answer ...").
_AUDIENCE_PHRASES = {
    "staff": "staff",
    "partners": "partners",
    "parents": "parents and carers",
    "children": "children and young people",
    "children_under_8": "children under 8",
    "children_8_to_12": "children 8 to 12",
    "children_13_plus": "young people 13 and over",
    "service_users": "people who use the service",
    "community": "people in the community",
}

_ANONYMOUS = (
    "Your answers are anonymous. You are not asked for your name, and results are only shared "
    "for groups big enough that nobody can tell who said what."
)
_DONT_KNOW = 'If you are not sure, choose "Don\'t know".'
_LEVELS = "a (not yet) to e (done for a few years and refined)"
_HOW = {
    "agree": "Please read each statement and choose how far you agree.",
    "progress": f"Please read each statement and choose the level from {_LEVELS} that fits best.",
    "both": (
        "Please read each statement. Some ask how far you agree; others ask you to choose the "
        f"level from {_LEVELS} that fits best."
    ),
}

# "{organisation}" is filled in by the app; without one it reads "We would like ...".
_INTROS: dict[str, str] = {
    "staff": (
        "{organisation} would like to know what staff think about how well things are working."
    ),
    "partners": (
        "{organisation} would like to know what colleagues in partner agencies think about how "
        "well we work together."
    ),
    "parents": (
        "{organisation} would like to hear from parents and carers about the help and services "
        "your family receives."
    ),
    "children": (
        "{organisation} would like to hear what children and young people think about the help "
        "and services they receive. There are no right or wrong answers."
    ),
    "service_users": (
        "{organisation} would like to hear from people who use the service about what it is like."
    ),
    "community": (
        "{organisation} would like to hear from people in the local community about how well "
        "services are working."
    ),
}
_INTRO_OTHER = "{organisation} would like to know what you think about how well things are working."
_INTRO_READ_ALOUD = (
    "{organisation} would like to know what you think.\n"
    "Pick a face for each one.\n"
    "There are no wrong answers.\n"
    "{time}"
)
_INTRO_EASY_READ = (
    "{organisation} would like to know what you think.\n"
    "Read each sentence. Pick the face that fits best.\n"
    "If you don't know, pick \"Don't know\".\n"
    "There are no right or wrong answers.\n"
    "Nobody will know which answers are yours.\n"
    "{time}"
)


def audience_phrase(framework: Framework, audience: str) -> str:
    """Lower-case plural phrase for an audience: "parents and carers", "elected members"."""
    if audience in _AUDIENCE_PHRASES:
        return _AUDIENCE_PHRASES[audience]
    declared = framework.declared_audience(audience)
    if declared is not None and declared.plural:
        return declared.plural
    label = framework.audience_label(audience)
    # Lower the first letter unless the first word looks like an acronym ("NHS boards").
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _minutes_phrase(minutes: int) -> str:
    return f"It takes about {minutes} minute{'s' if minutes != 1 else ''}."


def intro_text(
    audience: str,
    *,
    organisation: str = "",
    easy_read: bool = False,
    minutes: int | None = None,
    scale_ids: Iterable[str] = ("agree4",),
    read_aloud: bool = False,
) -> str:
    """The default introduction for an audience, in plain English.

    `organisation` is who asks ("Anytown Council"); blank reads "We would like ...". `minutes`, when
    given, adds "It takes about N minutes.". `scale_ids` (the questionnaire's scales) decide how
    answering is explained. Lines are separated by "\\n".
    """
    org = " ".join(organisation.split()) or "We"
    time = _minutes_phrase(minutes) if minutes is not None else ""
    if read_aloud:
        return _INTRO_READ_ALOUD.format(organisation=org, time=time).strip()
    if easy_read:
        return _INTRO_EASY_READ.format(organisation=org, time=time).strip()
    opening = _INTROS.get(CHILDREN if is_children(audience) else audience, _INTRO_OTHER)
    opening = opening.format(organisation=org)
    scales = set(scale_ids)
    progress, agree = "progress5" in scales, bool(scales - {"progress5"})
    how = _HOW["both" if progress and agree else "progress" if progress else "agree"]
    lines = [opening, f"{how} {_DONT_KNOW}", _ANONYMOUS]
    if time:
        lines.append(time)
    return "\n".join(lines)


# -- the questionnaire ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionItem:
    key: str  # f"{indicator_id}/{audience}/{n}", n = 1-based bank position; stable
    indicator_id: str
    theme_id: str | None
    statement: str
    scale_id: str  # a key of surveys.scales.SCALES
    origin: str = "bank"  # "bank": taken from the framework's item bank

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "indicator_id": self.indicator_id,
            "theme_id": self.theme_id,
            "statement": self.statement,
            "scale_id": self.scale_id,
            "origin": self.origin,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionItem:
        scale_id = str(data["scale_id"])
        if scale_id not in SCALES:
            raise ValueError(f"item {data.get('key')!r}: unknown scale {scale_id!r}")
        theme = data.get("theme_id")
        return cls(
            key=str(data["key"]),
            indicator_id=str(data["indicator_id"]),
            theme_id=None if theme is None else str(theme),
            statement=str(data["statement"]),
            scale_id=scale_id,
            origin=str(data.get("origin", "bank")),
        )


@dataclass(frozen=True, slots=True)
class QuestionSection:
    id: str  # the framework section id
    title: str
    items: tuple[QuestionItem, ...]
    free_text: bool  # ask FREE_TEXT_PROMPTS at the end of this section

    def free_text_keys(self) -> tuple[str, ...]:
        """Comment keys for this section, f"{section_id}/{code}"; empty without free text."""
        if not self.free_text:
            return ()
        return tuple(f"{self.id}/{p.code}" for p in FREE_TEXT_PROMPTS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "items": [item.to_dict() for item in self.items],
            "free_text": self.free_text,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionSection:
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            items=tuple(QuestionItem.from_dict(i) for i in data["items"]),
            free_text=bool(data["free_text"]),
        )


@dataclass(frozen=True, slots=True)
class Questionnaire:
    framework_id: str
    audience: str
    audience_label: str
    easy_read: bool
    one_question_per_page: bool
    intro: str
    sections: tuple[QuestionSection, ...]
    role_question: RoleQuestion | None
    estimated_minutes: int

    @property
    def items(self) -> tuple[QuestionItem, ...]:
        """Every item, in questionnaire order."""
        return tuple(item for section in self.sections for item in section.items)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        """Indicators asked about, in questionnaire order, without duplicates."""
        return tuple(dict.fromkeys(item.indicator_id for item in self.items))

    @property
    def scale_ids(self) -> tuple[str, ...]:
        return tuple(sorted({item.scale_id for item in self.items}))

    def item(self, key: str) -> QuestionItem:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (str, int, bool, None, list, dict only)."""
        return {
            "version": FORMAT_VERSION,
            "framework_id": self.framework_id,
            "audience": self.audience,
            "audience_label": self.audience_label,
            "easy_read": self.easy_read,
            "one_question_per_page": self.one_question_per_page,
            "intro": self.intro,
            "sections": [section.to_dict() for section in self.sections],
            "role_question": None if self.role_question is None else self.role_question.to_dict(),
            "estimated_minutes": self.estimated_minutes,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Questionnaire:
        """Inverse of `to_dict`; raises ValueError on data that is not a stored questionnaire."""
        try:
            version = data["version"]
            if version != FORMAT_VERSION:
                raise ValueError(f"questionnaire format version {version!r} is not supported")
            role = data["role_question"]
            return cls(
                framework_id=str(data["framework_id"]),
                audience=str(data["audience"]),
                audience_label=str(data["audience_label"]),
                easy_read=bool(data["easy_read"]),
                one_question_per_page=bool(data["one_question_per_page"]),
                intro=str(data["intro"]),
                sections=tuple(QuestionSection.from_dict(s) for s in data["sections"]),
                role_question=None if role is None else RoleQuestion.from_dict(role),
                estimated_minutes=int(data["estimated_minutes"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a stored questionnaire: {exc!r}") from None


@dataclass(frozen=True)
class GenerationResult:
    """`questionnaires` and `skipped` are keyed by audience id, in framework audience order."""

    questionnaires: dict[str, Questionnaire]
    skipped: dict[str, str]  # audience -> plain-English reason it got no questionnaire


# -- generation -----------------------------------------------------------------------------------


def band_audience(band: str) -> str:
    """The audience key of an age band in a round: "children_under_8"."""
    return CHILDREN_BAND_AUDIENCES[band]


def band_of(audience: str) -> str | None:
    """The age band an audience key stands for ("children_8_to_12" -> "8_to_12"), else None."""
    for band, key in CHILDREN_BAND_AUDIENCES.items():
        if key == audience:
            return band
    return None


def is_children(audience: str) -> bool:
    """Children and young people: the one-band audience of older rounds, or an age band."""
    return audience == CHILDREN or band_of(audience) is not None


def round_audiences(audiences: Iterable[str], children_bands: Iterable[str]) -> list[str]:
    """The groups a round asks, in order: `children` becomes its age bands' audiences
    (youngest first), unless the round has a legacy band (one group keyed "children")."""
    bands = [b for b in CHILDREN_BANDS if b in set(children_bands)]
    found: list[str] = []
    for audience in dict.fromkeys(audiences):
        if audience == CHILDREN and bands:
            found.extend(band_audience(b) for b in bands)
        else:
            found.append(audience)
    return found


def check_children_bands(children_bands: Iterable[str]) -> tuple[str, ...]:
    """The bands in youngest-first order; raises SelectionError for an empty choice, an
    unknown band, or a legacy band with any other."""
    chosen = list(dict.fromkeys(children_bands))
    unknown = [b for b in chosen if b not in CHILDREN_BANDS + LEGACY_CHILDREN_BANDS]
    if unknown:
        raise SelectionError(
            f"Unknown children's age band {unknown[0]!r}; use one or more of "
            f"{', '.join(CHILDREN_BANDS)}."
        )
    if not chosen:
        raise SelectionError("Choose at least one age band for children and young people.")
    legacy = [b for b in chosen if b in LEGACY_CHILDREN_BANDS]
    if legacy and len(chosen) > 1:
        raise SelectionError(
            f"The age band {legacy[0]!r} is from before age bands and cannot be combined with "
            "another band."
        )
    if legacy:
        return (legacy[0],)
    return tuple(b for b in CHILDREN_BANDS if b in chosen)


def scale_for(
    audience: str, bank_scale: str | None, children_band: str = "under_12", easy_read: bool = False
) -> str:
    """The scale an item is answered on (see the module docstring for the rules). An age band's
    audience key carries its band; `children_band` is the legacy band of audience "children"."""
    band = band_of(audience) or (children_band if audience == CHILDREN else None)
    if easy_read or band in FACES_BANDS:
        return CHILD_SCALE
    if bank_scale is None or bank_scale == CHILD_SCALE:
        return ADULT_SCALE
    return bank_scale


def estimate_seconds(
    scale_ids: Iterable[str], *, free_text_sections: int = 0, role_question: bool = False
) -> int:
    """Seconds to complete: per-item time by scale + free-text pairs + role question + intro."""
    return (
        SECONDS_INTRO
        + sum(SECONDS_PER_ITEM[s] for s in scale_ids)
        + free_text_sections * SECONDS_PER_FREE_TEXT_PAIR
        + (SECONDS_ROLE_QUESTION if role_question else 0)
    )


def estimated_minutes(
    scale_ids: Iterable[str], *, free_text_sections: int = 0, role_question: bool = False
) -> int:
    """`estimate_seconds` rounded up to whole minutes, at least 1."""
    seconds = estimate_seconds(
        scale_ids, free_text_sections=free_text_sections, role_question=role_question
    )
    return max(1, math.ceil(seconds / 60))


def is_too_long(questionnaire: Questionnaire) -> bool:
    """True when the estimate exceeds TOO_LONG_MINUTES: warn the coordinator."""
    return questionnaire.estimated_minutes > TOO_LONG_MINUTES


def _skip_reason(framework: Framework, audience: str) -> str:
    return (
        f"None of the chosen indicators has questions that {audience_phrase(framework, audience)} "
        "can answer from experience."
    )


def build_questionnaires(
    framework: Framework,
    indicator_ids: Iterable[str],
    audiences: Iterable[str],
    *,
    organisation: str = "",
    children_bands: Iterable[str] = CHILDREN_BANDS,
    free_text: bool = False,
    role_question: bool = False,
    easy_read_audiences: Iterable[str] = (),
) -> GenerationResult:
    """One questionnaire per audience that can judge at least one chosen indicator, and for
    children one per age band in `children_bands` (keyed by `band_audience`).

    Deterministic: the result depends on the *sets* of indicator ids, audiences and bands, not
    their order or repetition. Raises `SelectionError` (a ValueError) naming unknown indicator
    ids or audiences, for an empty choice of either, or for bands `check_children_bands` refuses.
    """
    chosen = set(indicator_ids)
    wanted = set(audiences)
    known_audiences = framework.audience_ids
    raise_unknown(
        {
            "indicator": chosen - {ind.id for ind in framework.indicators},
            "audience": wanted - set(known_audiences),
        }
    )
    if not chosen:
        raise SelectionError("Choose at least one indicator.")
    if not wanted:
        raise SelectionError("Choose at least one audience.")
    bands = check_children_bands(children_bands) if CHILDREN in wanted else ()
    legacy = bands[0] if bands and bands[0] in LEGACY_CHILDREN_BANDS else None

    easy_adults = set(easy_read_audiences) & set(EASY_READ_AUDIENCES)
    questionnaires: dict[str, Questionnaire] = {}
    skipped: dict[str, str] = {}
    asked = [a for a in known_audiences if a in wanted]
    for audience in round_audiences(asked, bands):
        band = legacy if audience == CHILDREN else band_of(audience)
        bank_audience = CHILDREN if band else audience
        easy_adult = audience in easy_adults
        read_aloud = band in READ_ALOUD_BANDS
        sections = _sections_for(
            framework, chosen, bank_audience, band or "", free_text, easy_adult, read_aloud
        )
        if not sections:
            skipped[audience] = (
                _easy_skip_reason(framework, audience)
                if easy_adult
                else _skip_reason(framework, bank_audience)
            )
            continue
        easy_read = easy_adult or band in FACES_BANDS
        role = ROLE_QUESTIONS.get(audience) if role_question else None
        scale_ids = [item.scale_id for section in sections for item in section.items]
        minutes = estimated_minutes(
            scale_ids,
            free_text_sections=sum(1 for s in sections if s.free_text),
            role_question=role is not None,
        )
        questionnaires[audience] = Questionnaire(
            framework_id=framework.id,
            audience=audience,
            audience_label=framework.audience_label(audience),
            easy_read=easy_read,
            one_question_per_page=easy_read,
            intro=intro_text(
                audience,
                organisation=organisation,
                easy_read=easy_read,
                minutes=minutes,
                scale_ids=scale_ids,
                read_aloud=read_aloud,
            ),
            sections=tuple(sections),
            role_question=role,
            estimated_minutes=minutes,
        )
    return GenerationResult(questionnaires=questionnaires, skipped=skipped)


def _easy_skip_reason(framework: Framework, audience: str) -> str:
    return (
        f"None of the chosen indicators has easy-read questions that "
        f"{audience_phrase(framework, audience)} can answer from experience."
    )


def _sections_for(
    framework: Framework,
    chosen: set[str],
    audience: str,
    children_band: str,
    free_text: bool,
    easy_read: bool = False,
    shortest: bool = False,
) -> list[QuestionSection]:
    """An easy-read adult questionnaire asks only the statements the bank has in easy read
    (keeping their bank keys, so each stays the same item of its indicator). `shortest` (the
    under-8 band) asks every statement, in its easy-read wording when the bank has one."""
    sections = []
    for section in framework.sections:
        items: list[QuestionItem] = []
        for indicator in framework.indicators:
            if indicator.section != section.id or indicator.id not in chosen:
                continue
            for n, spec in enumerate(indicator.items.get(audience, []), start=1):
                if easy_read and not spec.easy_read:
                    continue
                items.append(
                    QuestionItem(
                        key=f"{indicator.id}/{audience}/{n}",
                        indicator_id=indicator.id,
                        theme_id=spec.theme,
                        statement=(spec.easy_read or spec.statement)
                        if easy_read or shortest
                        else spec.statement,
                        scale_id=scale_for(audience, spec.scale, children_band, easy_read),
                    )
                )
        if items:
            sections.append(QuestionSection(section.id, section.title, tuple(items), free_text))
    return sections
