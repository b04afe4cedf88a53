"""factory_boy factories bound to the test database session."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from models import Role, User, db, utcnow

PASSWORD = "correct horse battery"


class UserFactory(SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    role = Role.MEMBER.value
    trust_level = 1
    email_confirmed_at = factory.LazyFunction(utcnow)

    @factory.lazy_attribute
    def password_hash(self) -> str:
        from community.auth.passwords import hash_password

        return hash_password(PASSWORD)
