"""API lists are paginated (with a capped page size), filtered, searched and ordered."""


def test_pagination_and_filters(client, org):
    client.force_login(org.admin)
    body = client.get("/api/users/?page_size=3&ordering=username").json()
    assert body["count"] == 10
    assert [u["username"] for u in body["results"]] == ["admin", "all", "chosen"]
    assert "page=2" in body["next"]
    under = client.get(f"/api/users/?under_department={org.north.pk}&ordering=username").json()
    assert [u["username"] for u in under["results"]] == ["dept_viewer", "manager", "rep", "rep_bj"]
    search = client.get("/api/users/?search=华东").json()
    assert [u["username"] for u in search["results"]] == ["rep_east"]
    capped = client.get("/api/users/?page_size=1000").json()
    assert len(capped["results"]) == 10
