"""Saved views (INV-24): private or shared, shown as tabs, changed only by their owner."""

import re

import pytest

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.listings import services
from faktura.listings.models import SavedView
from faktura.listings.tests.querying import state_for

pytestmark = pytest.mark.django_db

OVERDUE = "f=0:hs_is_overdue:true&cols=hs_number,hs_due_date&sort=-hs_due_date"


def save(user, name, *, shared=False, query=OVERDUE):
    return services.save_view(
        state_for("invoices", query), actor=Actor.for_user(user), name=name, shared=shared
    )


def test_a_view_keeps_filters_columns_and_sort(editor_user):  # SPEC INV-24
    view = save(editor_user, "  Overdue   invoices ")
    view.refresh_from_db()
    assert view.name == "Overdue invoices"
    assert view.owner == editor_user
    assert view.shared is False
    assert view.filters == [[{"property": "hs_is_overdue", "operator": "true", "values": []}]]
    assert view.columns == ["hs_number", "hs_due_date"]
    assert view.sort == "-hs_due_date"


def test_opening_a_view_applies_it(client, editor_user):  # SPEC INV-24
    view = save(editor_user, "Overdue")
    client.force_login(editor_user)
    page = client.get(f"/invoices/?view={view.pk}").content.decode()
    assert 'aria-current="page">Overdue' in page.replace("\n", "").replace("  ", "")
    assert "Overdue is true" in page
    assert 'title="Sort by Due date">Due date <i class="bi bi-caret-down-fill"' in page
    assert "Sort by Total" not in page  # only the view's columns


def test_private_view_is_invisible_and_404_for_everyone_else(
    client, editor_user, admin_user, viewer_user
):  # SPEC INV-24
    private = save(editor_user, "Mine only")
    for other in (admin_user, viewer_user):
        client.force_login(other)
        assert "Mine only" not in client.get("/invoices/").content.decode()
        assert client.get(f"/invoices/?view={private.pk}").status_code == 404
        assert client.get(f"/invoices/views/{private.pk}/edit/").status_code == 404
        assert client.post(f"/invoices/views/{private.pk}/delete/").status_code == 404
        assert client.post(f"/invoices/views/{private.pk}/save/").status_code == 404
    assert SavedView.objects.filter(pk=private.pk).exists()
    # A view of one object type does not open on another's page.
    client.force_login(editor_user)
    assert client.get(f"/contacts/?view={private.pk}").status_code == 404


def test_shared_view_is_a_tab_for_the_team_but_only_its_owner_changes_it(
    client, editor_user, viewer_user
):  # SPEC INV-24
    shared = save(editor_user, "Team overdue", shared=True)
    client.force_login(viewer_user)
    page = client.get("/invoices/").content.decode()
    assert "Team overdue" in page
    assert client.get(f"/invoices/?view={shared.pk}").status_code == 200
    response = client.post(f"/invoices/views/{shared.pk}/edit/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert client.post(f"/invoices/views/{shared.pk}/delete/").status_code == 403
    shared.refresh_from_db()
    assert shared.name == "Team overdue"


def test_owner_renames_shares_and_deletes_a_view(client, editor_user):  # SPEC INV-24
    view = save(editor_user, "Draft")
    client.force_login(editor_user)
    response = client.post(f"/invoices/views/{view.pk}/edit/", {"name": "Overdue", "shared": "on"})
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.shared) == ("Overdue", True)
    response = client.post(f"/invoices/views/{view.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/invoices/"
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_own_views_come_first_then_the_shared_ones(client, editor_user, admin_user):
    save(admin_user, "A shared", shared=True)
    save(editor_user, "Z mine")
    save(editor_user, "B mine")
    client.force_login(editor_user)
    page = client.get("/invoices/").content.decode()
    tabs = re.findall(r'\?view=\d+">\s*([^<]+?)\s*<', page)
    assert tabs == ["B mine", "Z mine", "A shared"]


def test_super_admin_may_tidy_up_shared_views_of_others(admin_user, editor_user):
    shared = save(editor_user, "Old report", shared=True)
    services.delete_view(shared.pk, actor=Actor.for_user(admin_user))
    assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_viewer_saves_private_views_but_cannot_share(client, viewer_user):  # SPEC INV-24
    assert save(viewer_user, "My list").shared is False
    with pytest.raises(RuleViolation, match="view-only access"):
        save(viewer_user, "For all", shared=True)
    client.force_login(viewer_user)
    response = client.post(
        "/invoices/views/new/", {"name": "Sneaky", "shared": "on", "f": "0:hs_tax:known"}
    )
    assert response.status_code == 400
    assert "not share them with the team" in response.content.decode()
    assert not SavedView.objects.filter(name="Sneaky").exists()


def test_save_view_page_saves_the_current_state(client, editor_user):  # SPEC INV-24
    client.force_login(editor_user)
    response = client.post(
        "/invoices/views/new/",
        {
            "name": "Big ones",
            "f": ["0:hs_amount_billed:gt:1000", "1:hs_invoice_status:any_of:paid"],
            "cols": "hs_number,hs_amount_billed",
            "sort": "-hs_amount_billed",
        },
    )
    view = SavedView.objects.get(name="Big ones")
    assert response["Location"] == f"/invoices/?view={view.pk}"
    assert len(view.filters) == 2
    assert view.sort == "-hs_amount_billed"


def test_saving_changes_into_a_view(client, editor_user):  # SPEC INV-24
    view = save(editor_user, "Overdue")
    client.force_login(editor_user)
    client.post(
        f"/invoices/views/{view.pk}/save/",
        {"view": view.pk, "f": "0:hs_is_overdue:false", "cols": "hs_number", "sort": "hs_number"},
    )
    view.refresh_from_db()
    assert view.filters[0][0]["operator"] == "false"
    assert view.columns == ["hs_number"]
    assert view.sort == "hs_number"


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("", OVERDUE, "Give the view a name"),
        ("x" * 101, OVERDUE, "at most 100 characters"),
        (
            "Broken",
            "f=0:hs_amount_billed:gt:lots",
            "The filters have problems, so nothing was saved",
        ),
    ],
)
def test_views_that_cannot_be_saved_are_refused(editor_user, name, query, message):
    with pytest.raises(RuleViolation, match=message):
        save(editor_user, name, query=query)
    assert not SavedView.objects.exists()


def test_a_name_is_used_once_per_person_and_list(editor_user, admin_user):
    save(editor_user, "Overdue")
    with pytest.raises(RuleViolation, match="You already have a view named 'Overdue'"):
        save(editor_user, "Overdue")
    save(admin_user, "Overdue")  # someone else's list of names
    services.save_view(
        state_for("contacts"), actor=Actor.for_user(editor_user), name="Overdue", shared=False
    )
    assert SavedView.objects.count() == 3


def test_a_view_whose_property_disappeared_says_so(client, editor_user):
    view = save(editor_user, "Old")
    SavedView.objects.filter(pk=view.pk).update(
        columns=["hs_number", "gone_property"],
        filters=[[{"property": "gone_property", "operator": "is", "values": ["x"]}]],
    )
    client.force_login(editor_user)
    response = client.get(f"/invoices/?view={view.pk}")
    page = response.content.decode()
    assert "The column &#x27;gone_property&#x27; does not exist any more" in page
    assert "Invoices have no property &#x27;gone_property&#x27;" in page
