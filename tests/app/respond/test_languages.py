"""Respondents answer in the language they choose from those the round offers (issue 17)."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import inspect

from app.extensions import db
from tests.app.respond.helpers import Browser, Launched, invite, set_round


def _lang_dir(html: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', html)
    assert match, "no lang and dir on the page"
    return match.group(1), match.group(2)


def test_welcome_offers_the_rounds_languages_by_their_own_names(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    set_round(app, launched.round_id, languages=["en", "cy", "ar"])
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    assert _lang_dir(phone.html) == ("en-GB", "ltr")
    assert '<a href="?lang=cy" lang="cy" dir="ltr" hreflang="cy"' in phone.html
    assert ">Cymraeg</a>" in phone.html
    assert ">العربية</a>" in phone.html
    assert 'aria-current="true" lang="en-GB" dir="ltr">English</strong>' in phone.html


def test_no_choice_is_shown_when_the_round_offers_one_language(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    assert 'class="langs"' not in phone.html
    assert "Cymraeg" not in phone.html


def test_welsh_is_kept_on_every_page_and_after_saving(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    set_round(app, launched.round_id, languages=["en", "cy"])
    token = invite(app, launched.round_id)
    phone.enter(f"/r/{token}")
    welcome = phone.html
    phone.get(phone.locations[-1] + "?lang=cy")
    assert _lang_dir(phone.html) == ("cy", "ltr")
    assert ">Dechrau</button>" in phone.html
    assert "Beth sy’n digwydd i’ch atebion" in phone.text
    assert phone.html != welcome
    phone.start()
    assert _lang_dir(phone.html) == ("cy", "ltr")
    assert "Adran 1 o " in phone.text
    assert ">Cytuno’n gryf</span>" in phone.text
    assert ">Yn ôl</button>" in phone.text
    # Save and continue later, then come back through the emailed link: still Welsh.
    saved = phone.submit_page(nav="save")
    phone.follow(saved)
    assert "Mae eich atebion wedi’u cadw" in phone.text
    phone.enter(f"/r/{token}")
    assert _lang_dir(phone.html) == ("cy", "ltr")
    assert "Parhau" in phone.text


def test_arabic_pages_are_right_to_left(app: Flask, launched: Launched, phone: Browser) -> None:
    set_round(app, launched.round_id, languages=["en", "ar"])
    phone.enter(f"/r/{invite(app, launched.round_id)}?lang=ar")
    assert _lang_dir(phone.html) == ("ar", "rtl")
    assert ">ابدأ</button>" in phone.html
    phone.start()
    assert _lang_dir(phone.html) == ("ar", "rtl")
    assert "أوافق بشدة" in phone.text
    # The date is Arabic too, not an English month name.
    assert not re.search(
        r"January|February|March|April|May|June|July|August|September|"
        r"October|November|December",
        phone.text,
    )


def test_an_unknown_or_unoffered_language_falls_back_to_the_rounds_default(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    set_round(app, launched.round_id, languages=["cy", "en"])
    response = phone.enter(f"/r/{invite(app, launched.round_id)}?lang=xx")
    assert response.status_code == 200
    assert _lang_dir(phone.html) == ("cy", "ltr")  # Welsh is this round's default
    phone.get(phone.locations[-1] + "?lang=ar")  # a catalog this round does not offer
    assert phone.client.get(phone.locations[-1]).status_code == 200
    assert _lang_dir(phone.html) == ("cy", "ltr")
    phone.get(phone.locations[-1] + "?lang=%00%ff")
    assert _lang_dir(phone.html) == ("cy", "ltr")


def test_problem_pages_speak_the_chosen_language(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    set_round(app, launched.round_id, languages=["en", "cy"])
    phone.enter(f"/r/{invite(app, launched.round_id)}?lang=cy")
    page = phone.client.get("/r/not-a-real-token")
    assert page.status_code == 404
    assert "Nid yw’r ddolen hon yn gweithio" in page.get_data(as_text=True)


def test_a_response_row_has_no_language(app: Flask) -> None:
    """DESIGN.md 6.1: a contact's preferred language would join a response to a person."""
    with app.app_context():
        for table in ("response", "answer", "comment", "sealed_submission"):
            if not inspect(db.engine).has_table(table):
                continue
            columns = {c["name"] for c in inspect(db.engine).get_columns(table)}
            assert not any("lang" in c for c in columns), (table, columns)


def test_the_language_answered_in_is_counted_at_release_and_nowhere_else(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    from sqlalchemy import select

    from app.models import LanguageCount, SealedSubmission
    from app.services.mix.release import release_round

    set_round(app, launched.round_id, languages=["en", "cy"])
    phone.enter(f"/r/{invite(app, launched.round_id)}?lang=cy")
    phone.start()
    phone.complete()
    assert ">Diolch</h1>" in phone.html
    with app.app_context():
        sealed = db.session.execute(select(SealedSubmission.ciphertext)).scalars().all()
        assert len(sealed) == 1 and b"cy" not in sealed[0]  # only inside the sealed payload
        release_round(launched.round_id, everything=True)
        db.session.commit()
        counted = db.session.execute(
            select(LanguageCount.audience, LanguageCount.language, LanguageCount.count)
        ).all()
    assert [tuple(r) for r in counted] == [("parents", "cy", 1)]
