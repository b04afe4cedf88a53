"""Dashboard benchmark (issue 10: under 300 ms with 100,000 posts and 10,000 reviews).

    INSTANCE_PATH=/tmp/big SECRET_KEY=x .venv/bin/python benchmarks/dashboard_bench.py --repeat 20

On a seeded instance (benchmarks/seed_scale.py), in-process through the Flask test
client (no HTTP server: the time is the app's), signed in as the demo staff user: the
page ``/dashboard`` and the API ``/api/v1/dashboard/summary`` over the last 30 days and
the last 365 days, each requested ``--repeat`` times after one warm-up; prints p50,
p95 and the SQL statements per request. ``--profile`` writes a pyinstrument report of
one request of each (pyinstrument must be importable, e.g. ``pip install --target``
into a scratch folder on ``PYTHONPATH``; it is not a project dependency).
Never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", help="folder for pyinstrument HTML reports")
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench")
    from sqlalchemy import event, func, select

    from community import create_app
    from community.auth.services import create_token
    from models import ContentItem, Review, User, db, utcnow

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.username == "staff"))
        _token, secret = create_token(staff, f"dashboard-bench-{time.time():.0f}")
        db.session.commit()
        posts = db.session.scalar(
            select(func.count()).select_from(ContentItem).where(ContentItem.kind.in_(["topic", "reply"]))
        )
        reviews = db.session.scalar(select(func.count()).select_from(Review))
        engine = db.engine
    password = f"staff{app.config['DEMO_PASSWORD_SUFFIX']}"
    response = client.post("/login", data={"login": "staff", "password": password})
    assert response.status_code == 302, response.status_code
    today = utcnow().date()
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    print(f"data: {posts:,} forum posts, {reviews:,} reviews; load average {os.getloadavg()[0]:.1f}")
    for days in (30, 365):
        start = (today - timedelta(days=days - 1)).isoformat()
        for label, url, headers in (
            ("page", f"/dashboard/?from={start}&to={today.isoformat()}", {}),
            ("API", f"/api/v1/dashboard/summary?from={start}&to={today.isoformat()}",
             {"Authorization": f"Bearer {secret}"}),
        ):  # fmt: skip
            first = client.get(url, headers=headers)
            assert first.status_code == 200, (url, first.status_code, first.get_data(as_text=True)[:300])
            timings = []
            for _ in range(args.repeat):
                statements.clear()
                t = time.perf_counter()
                r = client.get(url, headers=headers)
                timings.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            print(f"{label:4} {days:3} days: p50 {statistics.median(timings):7.1f} ms  p95 {p95:7.1f} ms  "
                  f"max {timings[-1]:7.1f} ms  {len(statements)} queries  {len(r.data):,} bytes", flush=True)  # fmt: skip
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
                client.get(url, headers=headers)
                profiler.stop()
                out = Path(args.profile) / f"dashboard-{label.lower()}-{days}.txt"
                out.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
                print(f"  profile: {out}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
