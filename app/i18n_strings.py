"""Fixed English words defined outside app/ (surveys/ is pure Python and knows no gettext) that
respondent pages translate where they show them: listed here so `make messages` extracts them.

tests/app/i18n/test_catalogs.py checks this list against surveys/ so none is forgotten.
"""

from __future__ import annotations

from app.i18n import N_

SCALE_LABELS = (
    N_("Strongly agree"),
    N_("Agree"),
    N_("Disagree"),
    N_("Strongly disagree"),
    N_("Don't know"),
    N_("Yes, mostly"),
    N_("Sometimes"),
    N_("No, not really"),
    N_("e: We have done all of this for a few years and refined it"),
    N_("d: We do all of this, most of the time"),
    N_("c: We partly do this"),
    N_("b: We are in the early stages of developing this"),
    N_("a: Not yet"),
)

PAGE_WORDS = (
    N_("Question"),
    N_("Section"),
    N_("About you"),
    N_("Tell us more"),
    N_("What works well?"),
    N_("What could be better?"),
    N_("What is good?"),
)

AUDIENCE_LABELS = (
    N_("Staff"),
    N_("Partners"),
    N_("Parents and carers"),
    N_("Children and young people"),
    N_("Children under 8"),
    N_("Children 8 to 12"),
    N_("Young people 13 and over"),
    N_("Service users"),
    N_("Community"),
)

# In the emails' sentences ("... is asking parents and carers what they think of ...").
AUDIENCE_PHRASES = (
    N_("staff"),
    N_("partners"),
    N_("parents and carers"),
    N_("children and young people"),
    N_("children under 8"),
    N_("children 8 to 12"),
    N_("young people 13 and over"),
    N_("people who use the service"),
    N_("people in the community"),
)

ROLE_WORDS = (
    N_("Which best describes your role?"),
    N_("Front-line practitioner"),
    N_("Manager or team leader"),
    N_("Senior leader"),
    N_("Support or administrative staff"),
    N_("Which kind of agency do you work for?"),
    N_("Health"),
    N_("Education"),
    N_("Social work or social care"),
    N_("Police"),
    N_("Voluntary or community sector"),
    N_("Another kind of agency"),
    N_("How old is the child (or children) you are thinking about?"),
    N_("Under 5"),
    N_("5 to 11"),
    N_("12 to 15"),
    N_("16 or over"),
    N_("Children in more than one of these age groups"),
    N_("Which best describes you?"),
    N_("I use the service myself"),
    N_("I am a family member or carer of someone who uses the service"),
    N_("Other"),
    N_("I live in the area"),
    N_("I work in the area"),
    N_("I am part of a local group or organisation"),
    N_("Prefer not to say"),
)

# The round's own questions (surveys/question_types.py, issue 20): fixed words and refusals.
OWN_QUESTION_WORDS = (
    N_("Yes"),
    N_("No"),
    N_("Other, please say"),
    N_("A few more questions"),
)

OWN_QUESTION_REFUSALS = (
    N_("Select one of the answers shown."),
    N_("Select only one answer."),
    N_("Select each answer only once."),
    N_("Say what “Other” is, or choose another answer."),
    N_("Select “Other, please say” to write your own answer, or clear the box."),
    N_("Your answer must be %(max)s characters or fewer. You have %(count)s characters."),
    N_("Enter a whole number, like %(example)s."),
    N_("Enter a number between %(minimum)s and %(maximum)s."),
)
