"""All models, imported here so Alembic and the app see one metadata."""

from app.models.accounts import Membership, Organisation, OrganisationKind, Role, User

__all__ = ["Membership", "Organisation", "OrganisationKind", "Role", "User"]
