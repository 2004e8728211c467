"""The scripts editor in a real browser: placeholder buttons insert at the cursor, the preview
follows the typing (htmx), and a refused placeholder shows before anything is saved."""

from django.urls import reverse

from scripts_library import moments
from scripts_library.models import Script
from tests.e2e.conftest import E2E
from tests.factories import CustomerFactory, OutageFactory, ServiceAreaFactory

pytestmark = E2E


def test_placeholder_buttons_and_live_preview(new_page, supervisor, live_server):
    from playwright.sync_api import expect

    area = ServiceAreaFactory(name="Riverside")
    OutageFactory(title="Riverside broadband down", cause="a flooded cabinet", areas=[area])
    CustomerFactory(name="Aisha Khan", area=area)
    cause = Script.objects.get(moment=moments.CAUSE, scope_key=moments.DEFAULT, language="en")

    page = new_page(supervisor)
    page.goto(live_server.url + reverse("scripts_library:edit", args=[cause.pk]))
    preview = page.locator("#preview")
    expect(preview).to_contain_text("a flooded cabinet")

    wording = page.get_by_label("Wording", exact=True)
    wording.fill("Hello , the cause is .")
    wording.evaluate("field => field.setSelectionRange(6, 6)")
    page.get_by_role("button", name="Insert <Customer Name>").click()
    expect(wording).to_have_value("Hello <Customer Name>, the cause is .")
    wording.evaluate(
        "field => field.setSelectionRange(field.value.length - 1, field.value.length - 1)"
    )
    page.get_by_role("button", name="Insert <Cause>").click()
    expect(wording).to_have_value("Hello <Customer Name>, the cause is <Cause>.")
    expect(preview).to_contain_text("Hello Aisha Khan, the cause is a flooded cabinet.")

    wording.fill("Hello <Custmer Name>.")
    expect(preview).to_contain_text("This wording would be refused on save")
    expect(preview).to_contain_text("did you mean <Customer Name>?")

    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("This wording was not saved")).to_be_visible()
    expect(page.locator("#id_body_errors")).to_contain_text("Known placeholders: <Customer Name>")

    wording = page.get_by_label("Wording", exact=True)
    wording.fill("Here is the latest: <Cause>.")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("published: agents see it now")).to_be_visible()
    cause.refresh_from_db()
    assert cause.live_version.body == "Here is the latest: <Cause>."
    assert cause.live_version.author == supervisor
