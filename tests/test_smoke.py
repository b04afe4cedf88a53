def test_home_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Welcome to the Rassembleur community" in response.data


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_home_renders_registered_blocks_and_skips_empty_ones(app, client, tmp_path):
    from community.core import registry

    (tmp_path / "block.html").write_text('<section class="test-block">{{ ctx.greeting }}</section>')
    app.jinja_loader.searchpath.append(str(tmp_path))
    registry.home_block(registry.HomeBlock("test.shown", "block.html", lambda user: {"greeting": "Hi there"}))
    registry.home_block(registry.HomeBlock("test.absent", "block.html", lambda user: None))
    try:
        page = client.get("/").get_data(as_text=True)
        assert page.count('class="test-block"') == 1 and "Hi there" in page
    finally:
        registry._HOME.pop("test.shown")
        registry._HOME.pop("test.absent")
