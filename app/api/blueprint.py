"""The API's blueprint, apart so the resource modules and the package can both import it."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
