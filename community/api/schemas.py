"""Schemas shared by every API endpoint."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class UserRefSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    role = fields.String()


class MeSchema(UserRefSchema):
    email = fields.String()
    locale = fields.String(allow_none=True)
    trust_level = fields.Integer()
    email_confirmed = fields.Boolean()
    created_at = fields.DateTime()


class CreatedSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)


class MeUpdateSchema(Schema):
    display_name = fields.String(validate=validate.Length(max=64))
    bio = fields.String(validate=validate.Length(max=1000))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["en", "fr"]))
