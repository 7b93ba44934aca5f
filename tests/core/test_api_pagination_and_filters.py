"""API lists are paginated (with a capped page size), filtered, searched and sorted with the list page's own
parameters (`sort`, the FilterSet's fields; see kehu.core.resources)."""


def test_pagination_and_filters(client, org):
    client.force_login(org.admin)
    body = client.get("/api/users/?page_size=3&sort=username").json()
    assert body["count"] == 10
    assert [u["username"] for u in body["results"]] == ["admin", "all", "chosen"]
    assert "page=2" in body["next"]
    under = client.get(f"/api/users/?department={org.north.pk}&sort=username").json()
    assert [u["username"] for u in under["results"]] == ["dept_viewer", "manager", "rep", "rep_bj"]
    search = client.get("/api/users/?q=华东").json()
    assert [u["username"] for u in search["results"]] == ["rep_east"]
    descending = client.get("/api/users/?sort=-username&page_size=2").json()
    assert [u["username"] for u in descending["results"]] == ["rep_east", "rep_bj"]
    capped = client.get("/api/users/?page_size=1000").json()
    assert len(capped["results"]) == 10
