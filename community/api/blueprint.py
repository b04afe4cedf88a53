"""The API's blueprint: flask-smorest's, with one decorator for the error answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask_smorest import Blueprint as _Blueprint

from .schemas import ErrorSchema

#: What an error answer means when the endpoint does not say more.
ERROR_DESCRIPTIONS = {
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "Invalid data",
}


class Blueprint(_Blueprint):
    """Every feature's ``api.py`` builds its blueprint from this class."""

    def error_responses(self, *codes: int, descriptions: Mapping[int, str] | None = None) -> Callable:
        """Document the error answers ``codes`` (each an :class:`ErrorSchema` body) of an
        endpoint, described by ``descriptions`` or else :data:`ERROR_DESCRIPTIONS`::

            @blp.error_responses(401, 404, 409, descriptions={409: "Already flagged"})
        """
        descriptions = descriptions or {}
        unknown = set(descriptions) - set(codes)
        if unknown:
            raise ValueError(f"descriptions for codes not listed: {sorted(unknown)}")

        def decorate(view: Callable) -> Callable:
            for code in codes:
                description = descriptions.get(code) or ERROR_DESCRIPTIONS[code]
                view = self.alt_response(code, schema=ErrorSchema, description=description)(view)
            return view

        return decorate
