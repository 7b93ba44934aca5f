"""The OpenAPI schema and Swagger UI are served from the installation itself, with no remote asset."""

import re


def test_schema_and_swagger_ui_are_served_offline(client, org):
    client.force_login(org.rep)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/departments/" in schema.content and b"/api/messages/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert re.search(r"https?://", docs) is None  # no remote address at all (a random token may contain "cdn")
