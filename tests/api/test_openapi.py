"""The generated OpenAPI document: valid 3.1, every /api/v1 route in it, and its reference page served
by the product itself (no CDN)."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from app.api import schemas


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]


def test_the_document_validates_and_lists_every_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    listed = {(path, method) for path, ops in document["paths"].items() for method in ops}
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in _api_rules(app)
        if rule.endpoint not in ("api.openapi", "api.reference")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served and listed == served
    enrol = document["paths"]["/api/v1/cohorts/{cohort_id}/members"]["post"]
    body = enrol["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/MemberCreate") and "cohorts:write" in enrol["x-scopes"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_reference_page_loads_only_the_product_s_own_files(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # What the page loads (scripts, styles, images), not the links it offers (the licence's, say).
    sources = re.findall(r'src="([^"]+)"', text) + re.findall(r'<link[^>]*href="([^"]+)"', text)
    assert all(s.startswith("/") for s in sources), sources
    for asset in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
    ):
        assert any(s.startswith(asset) for s in sources)
        assert client.get(asset).status_code == 200
    assert client.get("/static/vendor/swagger-ui/LICENSE").status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_fast_list_encoding_equals_marshmallow_s(app, world, make_cohort):
    """Lists skip marshmallow's per-field machinery: what they give must be what marshmallow gives."""
    from app.accounts.models import Company, Cybersite, User
    from app.cohorts.models import Cohort, CohortMember
    from app.core.extensions import db
    from app.courses.models import Enrolment

    make_cohort(
        world.site,
        companies=[world.company],
        courses=[world.course],
        members=[(world.learner, world.company)],
    )
    pairs = (
        (schemas.Person, User),
        (schemas.Company, Company),
        (schemas.Cybersite, Cybersite),
        (schemas.Member, CohortMember),
        (schemas.Enrolment, Enrolment),
    )
    with app.app_context():
        for schema, model in pairs:
            rows = list(db.session.scalars(db.select(model)))
            assert rows
            assert schemas.dump_rows(schema, rows) == schema(many=True).dump(rows), schema
        columns = db.session.execute(
            db.select(
                Enrolment.id,
                Enrolment.user_id,
                Enrolment.course_id,
                Enrolment.cohort_id,
                Enrolment.active,
                Enrolment.created_at,
            )
        ).all()
        assert schemas.dump_rows(schemas.Enrolment, columns) == schemas.Enrolment(many=True).dump(columns)
        cohorts = list(db.session.scalars(db.select(Cohort)))
        exclude = ("course_ids", "company_ids")
        assert schemas.dump_rows(schemas.Cohort, cohorts, exclude) == schemas.Cohort(
            many=True, exclude=exclude
        ).dump(cohorts)
