"""Property-based fuzzing of the REST API from its own OpenAPI description (schemathesis, in-process through
WSGI, a JWT of a unit user and of a city-wide user): whatever schemathesis generates — valid and invalid
bodies, paths and rison queries — no answer is a 500. Bounded (`MAX_EXAMPLES` per operation, derandomized) so
that it stays well under two minutes; marked `fuzz` so it runs after every other test (it writes)."""
import pytest

pytest.importorskip("schemathesis")

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

MAX_EXAMPLES = 6


def _token(app, username):
    from flask_jwt_extended import create_access_token

    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        return create_access_token(identity=str(user.id), fresh=True)


@pytest.mark.fuzz
@pytest.mark.parametrize("username", ["enterprise1", "sasac"])
def test_openapi_fuzz_finds_no_500(app, username):
    headers = {"Authorization": f"Bearer {_token(app, username)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, str(case.body)[:200],
                                 response.status_code))

        run()
    assert operations > 20, operations
    assert not failures, failures[:10]
