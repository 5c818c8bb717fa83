"""Answer scales (DESIGN.md section 5): the choices offered and which count as favourable."""

from __future__ import annotations

from dataclasses import dataclass, field

DONT_KNOW = "dk"


@dataclass(frozen=True, slots=True)
class Option:
    code: str  # stored in answers; short and stable
    label: str
    favourable: bool = False
    face: str = ""  # faces3 only: the picture's name, always shown with its words


@dataclass(frozen=True, slots=True)
class Scale:
    id: str
    title: str
    options: tuple[Option, ...]  # most positive first; Don't know last
    pooled_group: str  # scales pool only within the same group; faces never pool with adults

    # Worked out once: respondent pages check every answer against them on every request.
    codes: tuple[str, ...] = field(init=False, repr=False, compare=False)
    substantive_codes: tuple[str, ...] = field(init=False, repr=False, compare=False)
    favourable_codes: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = tuple(o.code for o in self.options)
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "substantive_codes", tuple(c for c in codes if c != DONT_KNOW))
        favourable = frozenset(o.code for o in self.options if o.favourable)
        object.__setattr__(self, "favourable_codes", favourable)

    def label(self, code: str) -> str:
        for option in self.options:
            if option.code == code:
                return option.label
        raise KeyError(code)


_DK = Option(DONT_KNOW, "Don't know")

SCALES: dict[str, Scale] = {
    "agree4": Scale(
        "agree4",
        "Strongly agree to strongly disagree",
        (
            Option("sa", "Strongly agree", favourable=True),
            Option("a", "Agree", favourable=True),
            Option("d", "Disagree"),
            Option("sd", "Strongly disagree"),
            _DK,
        ),
        pooled_group="adult",
    ),
    "faces3": Scale(
        "faces3",
        "Three faces",
        (
            Option("happy", "Yes, mostly", favourable=True, face="happy"),
            Option("ok", "Sometimes", face="ok"),
            Option("sad", "No, not really", face="sad"),
            _DK,
        ),
        pooled_group="faces",
    ),
    "progress5": Scale(
        "progress5",
        "Progress from a (not yet) to e (doing it for years and refined)",
        (
            Option(
                "e", "e: We have done all of this for a few years and refined it", favourable=True
            ),
            Option("d", "d: We do all of this, most of the time", favourable=True),
            Option("c", "c: We partly do this"),
            Option("b", "b: We are in the early stages of developing this"),
            Option("a", "a: Not yet"),
            _DK,
        ),
        pooled_group="progress",
    ),
}


def get_scale(scale_id: str) -> Scale:
    return SCALES[scale_id]
