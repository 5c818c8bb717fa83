"""The opt-out link in every email: /unsubscribe/<token> (public, no sign-in).

GET shows what the link is for and a button; POST opts out. Mail programs' one-click
unsubscribe (RFC 8058) POSTs to the same address without our CSRF token, so this one view is
exempt: the unguessable token in the address is the proof, as it is for the invitation
itself. Tokens never reach the logs (app.security redacts /unsubscribe/<token>).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask.typing import ResponseReturnValue

from app.extensions import csrf, db
from app.models import FeedbackRound, InvitationStatus, Organisation
from app.rendering import render_page
from app.services.invitations import find_by_token, opt_out
from app.tenancy import public

bp = Blueprint("optout", __name__)

NOT_FOUND = (
    "This unsubscribe link is not valid. Check that you copied the whole address from the "
    "email. If the feedback round has been deleted, you will not get any more emails about it."
)


@bp.get("/unsubscribe/<token>")
@public
def unsubscribe(token: str) -> ResponseReturnValue:
    invitation = find_by_token(token)
    if invitation is None:
        abort(404, NOT_FOUND)
    rnd = db.session.get(FeedbackRound, invitation.round_id)
    org = db.session.get(Organisation, rnd.organisation_id) if rnd else None
    return render_page(
        "invitations/unsubscribe.html",
        round_name=rnd.name if rnd else "",
        org_name=org.name if org else "",
        already=invitation.status == InvitationStatus.OPTED_OUT,
    )


@bp.post("/unsubscribe/<token>")
@csrf.exempt
@public
def unsubscribe_confirm(token: str) -> ResponseReturnValue:
    invitation = find_by_token(token)
    if invitation is None:
        abort(404, NOT_FOUND)
    opt_out(invitation)
    return redirect(url_for("optout.unsubscribed"), 303)


@bp.get("/unsubscribe/done")
@public
def unsubscribed() -> ResponseReturnValue:
    return render_page("invitations/unsubscribed.html")
