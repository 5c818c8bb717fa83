"""Individual ratings: private until the member submits or the facilitator opens the discussion;
validated against the framework's scale and the assessment's indicators."""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, MemberRating
from tests.app.assessment.conftest import FAY, MO, OTTO, SAM, VIC
from tests.app.assessment.helpers import post, snapshot, text, user_id


def _url(assessment_id: uuid.UUID, tail: str = "") -> str:
    return f"/assessments/{assessment_id}{tail}"


def rate(client, assessment_id, section: str, values: dict[str, str], **notes: str):
    data = {"section": section, **{f"rating-{k}": v for k, v in values.items()}}
    data.update({f"note-{k}": v for k, v in notes.items()})
    return post(client, _url(assessment_id, "/ratings"), data)


def rate_all(client, assessment_id, ratings: dict[str, str], note: str = "") -> None:
    """Rate 2.1 and 2.2 (key area 2) and 5.1 (key area 5), then submit."""
    for section, ids in (("2", ("2.1", "2.2")), ("5", ("5.1",))):
        values = {i: ratings[i] for i in ids}
        notes = {i: note for i in ids} if note else {}
        response = rate(client, assessment_id, section, values, **notes)
        assert response.status_code == 303, text(response)[:800]


def consensus(client, assessment_id) -> str:
    response = client.get(_url(assessment_id, "/consensus"))
    assert response.status_code == 200
    return text(response)


def test_a_members_ratings_are_saved_and_shown_only_to_them(app: Flask, as_user, assessment_id):
    fay = as_user(FAY)
    response = rate(fay, assessment_id, "2", {"2.1": "5", "2.2": "3"}, **{"2.1": "Strong data"})
    assert response.status_code == 303
    page = fay.get(_url(assessment_id, "/ratings?section=2")).get_data(as_text=True)  # raw HTML
    assert 'value="5" checked' in page and "Strong data" in page
    with app.app_context():
        rows = db.session.execute(select(MemberRating)).scalars().all()
        assert {(r.indicator_id, r.value, r.user_id) for r in rows} == {
            ("2.1", "5", user_id(FAY)),
            ("2.2", "3", user_id(FAY)),
        }
    # Mo has not submitted and the discussion is closed: nothing of Fay's shows anywhere.
    mo = as_user(MO)
    for path in ("/consensus", "/indicators/2.1"):
        body = text(mo.get(_url(assessment_id, path)))
        assert "Strong data" not in body
        assert "fay@a.example" not in body
    assert "not shown yet" in consensus(mo, assessment_id)


def test_private_until_submitted_then_only_submitted_ratings_show(app, as_user, assessment_id):
    fay, mo, sam = as_user(FAY), as_user(MO), as_user(SAM)
    rate_all(fay, assessment_id, {"2.1": "6", "2.2": "6", "5.1": "6"}, note="fay-reason")
    rate_all(sam, assessment_id, {"2.1": "2", "2.2": "2", "5.1": "2"}, note="sam-reason")
    # Sam submits; Fay has rated but not submitted, so Sam sees nobody else yet (only himself).
    assert post(sam, _url(assessment_id, "/ratings/submit")).status_code == 303
    page = consensus(sam, assessment_id)
    assert "sam-reason" in page and "fay-reason" not in page
    # Mo, who has not submitted, still sees nothing, not even Sam's submitted ratings.
    page = consensus(mo, assessment_id)
    assert "sam-reason" not in page and "fay-reason" not in page
    # Fay submits: both see each other; Mo still does not.
    assert post(fay, _url(assessment_id, "/ratings/submit")).status_code == 303
    assert "fay-reason" in consensus(sam, assessment_id)
    assert "sam-reason" in consensus(fay, assessment_id)
    assert "sam-reason" not in consensus(mo, assessment_id)


def test_opening_the_discussion_shows_everyone_all_ratings(app, as_user, assessment_id):
    fay, mo = as_user(FAY), as_user(MO)
    rate(mo, assessment_id, "2", {"2.1": "4"}, **{"2.1": "mo-draft"})  # never submitted
    viewer = as_user(VIC)
    assert "mo-draft" not in consensus(viewer, assessment_id)
    # Only the facilitator may open it.
    before = snapshot(app, assessment_id)
    refused = post(mo, _url(assessment_id, "/discussion"))
    assert refused.status_code == 403
    assert "Only the facilitator" in text(refused)
    assert snapshot(app, assessment_id) == before
    assert post(fay, _url(assessment_id, "/discussion")).status_code == 303
    # Fay never submitted, yet sees Mo's rating and note now; so do viewers (counts, no names).
    assert "mo-draft" in consensus(fay, assessment_id)
    viewer_page = consensus(viewer, assessment_id)
    assert "Ratings" in viewer_page and "mo-draft" not in viewer_page  # no notes or names
    assert "4: Good" in viewer_page
    # Individual ratings are closed now: a change is refused and nothing changes.
    before = snapshot(app, assessment_id)
    response = rate(mo, assessment_id, "2", {"2.1": "6"})
    assert response.status_code == 422
    assert "opened the discussion" in text(response)
    assert snapshot(app, assessment_id) == before


def test_rating_outside_the_scale_is_refused_and_changes_nothing(app, as_user, assessment_id):
    mo = as_user(MO)
    rate(mo, assessment_id, "2", {"2.1": "4"})
    before = snapshot(app, assessment_id)
    # A CSIT letter on the HMIE six-point scale, alongside a valid change: all or nothing.
    response = rate(mo, assessment_id, "2", {"2.1": "5", "2.2": "e"})
    assert response.status_code == 422
    body = text(response)
    assert "'e' is not on the" in body and "Choose one of: 6, 5, 4, 3, 2, 1" in body
    assert 'href="#rating-2.2"' in body  # the error summary links to the field
    assert snapshot(app, assessment_id) == before


def test_rating_an_indicator_not_in_the_assessment_is_refused(app, as_user, assessment_id):
    mo = as_user(MO)
    before = snapshot(app, assessment_id)
    response = rate(mo, assessment_id, "2", {"2.1": "4", "9.1": "5"})
    assert response.status_code == 422
    assert "9.1 is not one of the indicators in this assessment" in response.get_data(as_text=True)
    assert snapshot(app, assessment_id) == before


def test_a_note_without_a_rating_is_not_silently_dropped(app, as_user, assessment_id):
    mo = as_user(MO)
    before = snapshot(app, assessment_id)
    response = rate(mo, assessment_id, "2", {"2.1": ""}, **{"2.1": "thoughts"})
    assert response.status_code == 422
    assert "choose a rating to go with your note" in text(response)
    assert snapshot(app, assessment_id) == before


def test_viewer_and_non_member_cannot_rate(app, as_user, assessment_id):
    before = snapshot(app, assessment_id)
    viewer = as_user(VIC)
    response = rate(viewer, assessment_id, "2", {"2.1": "4"})
    assert response.status_code == 403
    assert "Viewers can read the assessment but not change it" in text(response)
    assert post(viewer, _url(assessment_id, "/ratings/submit")).status_code == 403
    # A SAT member not on this team cannot even find it.
    otto = as_user(OTTO)
    assert rate(otto, assessment_id, "2", {"2.1": "4"}).status_code == 404
    assert otto.get(_url(assessment_id)).status_code == 404
    assert snapshot(app, assessment_id) == before


def test_blank_clears_a_rating_before_submission(app, as_user, assessment_id):
    mo = as_user(MO)
    rate(mo, assessment_id, "2", {"2.1": "4", "2.2": "3"})
    assert rate(mo, assessment_id, "2", {"2.1": ""}).status_code == 303
    with app.app_context():
        values = db.session.execute(
            select(MemberRating.indicator_id).where(MemberRating.user_id == user_id(MO))
        ).scalars()
        assert sorted(values) == ["2.2"]


def test_submitting_needs_every_indicator_and_then_ratings_are_final(app, as_user, assessment_id):
    mo = as_user(MO)
    rate(mo, assessment_id, "2", {"2.1": "4", "2.2": "3"})
    before = snapshot(app, assessment_id)
    response = post(mo, _url(assessment_id, "/ratings/submit"))
    assert response.status_code == 422
    assert "1 still to rate (5.1)" in text(response)
    assert snapshot(app, assessment_id) == before
    rate(mo, assessment_id, "5", {"5.1": "5"})
    assert post(mo, _url(assessment_id, "/ratings/submit")).status_code == 303
    with app.app_context():
        a = db.session.get(Assessment, assessment_id)
        assert a is not None
        assert [m.submitted for m in a.members if m.user_id == user_id(MO)] == [True]
    before = snapshot(app, assessment_id)
    response = rate(mo, assessment_id, "2", {"2.1": "6"})
    assert response.status_code == 422
    assert "submitted your ratings" in text(response)
    assert snapshot(app, assessment_id) == before


def test_htmx_saves_a_section_in_place(app, as_user, assessment_id):
    """With HTMX the form swaps its own region: errors and the next section come back alone."""
    mo = as_user(MO)
    hx = {"HX-Request": "true"}
    from tests.support import csrf_token

    token = csrf_token(mo, "/")
    bad = mo.post(
        _url(assessment_id, "/ratings"),
        data={"section": "2", "rating-2.1": "9", "csrf_token": token},
        headers=hx,
    )
    assert bad.status_code == 422
    fragment = text(bad)
    assert "<!doctype" not in fragment and "<main" not in fragment and "<form" in fragment
    assert "'9' is not on the" in fragment
    saved = mo.post(
        _url(assessment_id, "/ratings"),
        data={"section": "2", "rating-2.1": "4", "next": "5", "csrf_token": token},
        headers=hx,
    )
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith("/ratings?section=5")
    followed = mo.get(saved.headers["Location"], headers=hx)
    fragment = text(followed)
    assert "<!doctype" not in fragment and "<main" not in fragment
    assert "Your ratings for “Impact on users" in fragment  # the flash travels with the swap
    assert "5.1 Knowing and communicating" in fragment
    assert followed.headers["HX-Push-Url"].endswith("/ratings?section=5")
