"""The OpenAPI description builds without a warning, validates, and describes every endpoint."""

import yaml
from django.core.management import call_command
from django.urls import reverse


def test_schema_builds_and_validates(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    paths = schema["paths"]
    for endpoint in (
        "/api/v1/incidents/",
        "/api/v1/incidents.csv",
        "/api/v1/incidents.geojson",
        "/api/v1/reports/",
        "/api/v1/reports/{reference}/answer/",
        "/api/v1/moderation/incidents/{reference}/transition/",
    ):
        assert endpoint in paths
    for path_item in paths.values():
        for operation in path_item.values():
            for code in ("400", "401", "404", "429"):
                assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
    create = paths["/api/v1/reports/"]["post"]
    assert {"201", "200", "409", "415"} <= set(create["responses"])
    assert "Idempotency-Key" in [parameter["name"] for parameter in create["parameters"]]
    assert create["requestBody"]["content"]["multipart/form-data"]["encoding"]["details"]["contentType"] == (
        "application/json"
    )


def test_schema_and_docs_are_served_without_login(client, db):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = client.get(reverse("api-docs")).content.decode()
    assert "<script>" not in docs and "style=" not in docs and "<style" not in docs
    assert "//cdn" not in docs and "https://" not in docs
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
    redoc = client.get(reverse("api-redoc")).content.decode()
    assert "<script>" not in redoc and "fonts.googleapis" not in redoc and "<style" not in redoc
