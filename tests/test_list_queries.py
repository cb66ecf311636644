"""No list runs a query per row: the number of SQL statements of a list page is the same for 2 rows and for
25, and the ledger, party and archives lists stay within 6 statements (DESIGN.md §6). Counted on the
application's engine for one request as SASAC (the whole city)."""
import pytest
from sqlalchemy import event

LISTS = {
    # list url -> page-size argument of its view
    "/retirees/list/": "psize_RetireeModelView",
    "/handover/list/": "psize_HandoverCaseModelView",
    "/party/list/": "psize_PartyTransferModelView",
    "/archives/list/": "psize_ArchiveTransferModelView",
    "/batches/list/": "psize_HandoverBatchModelView",
}
WITHIN_SIX = ("/retirees/list/", "/party/list/", "/archives/list/")


@pytest.fixture
def count_statements(app):
    from app.extensions import db

    with app.app_context():
        engine = db.engine

    def run(client, url):
        client.get(url)  # warm: first-request work is not the page's
        seen = []

        def on_execute(*args):
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            response = client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        assert response.status_code == 200
        return seen, response.get_data(as_text=True)

    return run


@pytest.mark.parametrize("url", sorted(LISTS))
def test_statements_do_not_grow_with_the_rows_shown(as_user, count_statements, url):
    c = as_user("sasac")
    few, few_page = count_statements(c, f"{url}?{LISTS[url]}=2")
    many, page = count_statements(c, f"{url}?{LISTS[url]}=25")
    assert page.count("<tr") >= few_page.count("<tr") + 3  # more rows were shown
    assert len(many) == len(few), many


@pytest.mark.parametrize("url", WITHIN_SIX)
def test_list_pages_within_six_statements(as_user, count_statements, url):
    """The page's reads stay within 6 statements. A reader who is shown full ID numbers also leaves one audit
    row per page (the PIPL read log, chained by hash: 4 statements); that write is counted apart."""
    statements, _ = count_statements(as_user("sasac"), url)
    audit = [s for s in statements if "audit_log" in s or "audit_chain_head" in s]
    reads = [s for s in statements if s not in audit]
    assert len(reads) <= 6, reads
    assert sum(s.startswith("INSERT INTO audit_log") for s in audit) <= 1, audit
