"""Extension objects, created unbound and attached in create_app()."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from flask_compress import Compress
from flask_htmx import HTMX
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

from app.csrf import Protect
from app.limiting import Limiter

# Stable constraint names so Alembic migrations match on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    if TYPE_CHECKING:
        # Every model maps a plain Table, which bulk Core inserts and updates use directly.
        __table__: ClassVar[Table]


db = SQLAlchemy(model_class=Base)

# Models subclass db.Model, which Flask-SQLAlchemy builds at run time from Base. mypy cannot take
# a base class from an attribute (python/mypy#8603), so it checks the models against Base itself.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = Protect()  # Flask-WTF's, its token serializer kept (app/csrf.py)
mail = Mail()
htmx = HTMX()
compress = Compress()  # HTML and JSON; static files come precompressed (app/assets.py)
# Keyed per route where it matters; login uses the client address, held only in limiter storage.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
