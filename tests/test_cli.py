"""Operator commands."""

from __future__ import annotations

from community.auth import queries
from models import ApiToken, User, db


def test_users_create_and_set_role(runner):
    result = runner.invoke(
        args=["users", "create", "carla", "--email", "carla@example.test", "--role", "staff"]
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    user = queries.user_by_username("carla")
    assert user.role == "staff" and user.email_confirmed
    result = runner.invoke(args=["users", "set-role", "carla", "moderator"])
    assert result.exit_code == 0 and "moderator" in result.output
    db.session.refresh(user)
    assert user.role == "moderator"


def test_users_create_refuses_duplicates(runner, users):
    result = runner.invoke(
        args=["users", "create", "Member", "--email", "x@example.test", "--password", "p" * 12]
    )
    assert result.exit_code != 0 and "already taken" in result.output


def test_set_role_rejects_unknown_role_and_user(runner, users):
    assert runner.invoke(args=["users", "set-role", "member", "emperor"]).exit_code != 0
    assert runner.invoke(args=["users", "set-role", "ghost", "staff"]).exit_code != 0


def test_tokens_create_prints_the_secret_last(runner, client, users):
    result = runner.invoke(args=["tokens", "create", "member"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    assert db.session.query(ApiToken).one().token_hash != secret
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()["username"]
        == "member"
    )


def test_demo_seed_creates_one_account_per_role(runner, client):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    roles = {u.role for u in db.session.query(User)}
    assert roles == {"member", "staff", "moderator", "admin"}
    assert db.session.query(User).count() >= 40
    locales = {u.locale for u in db.session.query(User)}
    assert {"fr", "en"} <= locales
    accounts = runner.invoke(args=["demo", "accounts"]).output
    for line in accounts.splitlines()[1:]:
        _role, username, password = line.split()
        response = client.post("/login", data={"login": username, "password": password})
        assert response.status_code == 302, username
        client.post("/logout")
    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0 and "not seeded" in again.output
    assert runner.invoke(args=["demo", "seed"]).exit_code != 0


def test_demo_seed_scale(runner):
    result = runner.invoke(args=["demo", "seed", "--scale", "3"])
    assert result.exit_code == 0, result.output
    assert "Seeding the demo community (scale 3)" in result.output  # the progress bar's label
    assert db.session.query(User).count() == 4 + 36 * 3


def test_analyze_gives_the_planner_statistics(app, runner):
    result = runner.invoke(args=["analyze"])
    assert result.exit_code == 0, result.output
    assert "Statistics refreshed" in result.output
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            assert (
                conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
                ).scalar()
                == 1
            )
