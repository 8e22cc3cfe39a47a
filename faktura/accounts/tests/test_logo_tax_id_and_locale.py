"""What invoices print about the seller: tax ID, logo and locale, set by super admins."""

import io
import random

import pytest
from PIL import Image

from faktura.accounts.logo import MAX_LOGO_BYTES, logo_data_url
from faktura.accounts.services import get_account_settings, update_account_settings
from faktura.core.errors import RuleViolation


def image_bytes(kind: str, size: tuple[int, int] = (120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(buffer, kind)
    return buffer.getvalue()


def noisy(kind: str) -> bytes:
    """An image that does not compress to a few bytes, so cutting it short loses pixels."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (64, 64), random.Random(7).randbytes(64 * 64 * 3)).save(buffer, kind)
    return buffer.getvalue()


def noisy_png() -> bytes:
    return noisy("PNG")


def noisy_jpeg() -> bytes:
    return noisy("JPEG")


@pytest.mark.parametrize(("kind", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_png_and_jpeg_logos_are_kept_with_their_type(admin, kind, content_type):
    data = image_bytes(kind)
    update_account_settings(actor=admin, company_logo=data)
    settings = get_account_settings()
    assert bytes(settings.company_logo) == data
    assert settings.company_logo_type == content_type
    assert logo_data_url(settings).startswith(f"data:{content_type};base64,")


def test_removing_the_logo_clears_it_and_its_type(admin):
    update_account_settings(actor=admin, company_logo=image_bytes("PNG"))
    update_account_settings(actor=admin, company_logo=b"")
    settings = get_account_settings()
    assert (bytes(settings.company_logo), settings.company_logo_type) == (b"", "")
    assert logo_data_url(settings) == ""


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        pytest.param(image_bytes("GIF"), "GIF image; upload a PNG or JPEG", id="gif"),
        pytest.param(b"%PDF-1.7 not an image", "could not be read as an image", id="not-image"),
        pytest.param(noisy_png()[:4000], "could not be read as an image", id="cut-off-png"),
        pytest.param(noisy_jpeg()[:3000], "could not be read as an image", id="cut-off-jpeg"),
        pytest.param(
            image_bytes("PNG", (4001, 10)),
            "the largest logo Faktura accepts is 4000×4000 pixels",
            id="too-wide",
        ),
        pytest.param(b"\x89PNG" + b"\x00" * MAX_LOGO_BYTES, "at most 512 KB", id="too-big"),
    ],
)
def test_bad_logos_are_refused_and_the_old_one_stays(admin, data, phrase):
    kept = image_bytes("PNG")
    update_account_settings(actor=admin, company_logo=kept)
    with pytest.raises(RuleViolation, match=phrase):
        update_account_settings(actor=admin, company_logo=data, company_name="Changed")
    settings = get_account_settings()
    assert bytes(settings.company_logo) == kept
    assert settings.company_name == "My Company"  # nothing of the refused change is saved


def test_the_logo_type_follows_the_logo_and_is_never_set_alone(admin):
    with pytest.raises(RuleViolation, match="Unknown account settings: company_logo_type"):
        update_account_settings(actor=admin, company_logo_type="image/svg+xml")


def test_tax_id_and_locale_are_saved_and_locale_codes_normalised(admin):
    update_account_settings(
        actor=admin, company_tax_id="NO 923 456 789 MVA", invoice_locale="nb_no"
    )
    settings = get_account_settings()
    assert (settings.company_tax_id, settings.invoice_locale) == ("NO 923 456 789 MVA", "nb-NO")


def test_unknown_invoice_locale_is_refused(admin):
    with pytest.raises(RuleViolation, match="Unknown invoice locale 'klingon'"):
        update_account_settings(actor=admin, invoice_locale="klingon")
    assert get_account_settings().invoice_locale == "en-US"


def test_settings_page_uploads_a_logo_and_saves_tax_id_and_locale(signed_in, admin_user):
    client = signed_in(admin_user)
    form = client.get("/settings/")
    assert b'enctype="multipart/form-data"' in form.content
    assert b"Remove the logo" not in form.content  # nothing to remove yet
    logo = io.BytesIO(image_bytes("PNG"))
    logo.name = "logo.png"
    response = client.post(
        "/settings/",
        {
            **_current_form_values(),
            "company_tax_id": "FI12345678",
            "invoice_locale": "fi-FI",
            "logo": logo,
        },
    )
    assert response.status_code == 302
    settings = get_account_settings()
    assert (settings.company_tax_id, settings.invoice_locale) == ("FI12345678", "fi-FI")
    assert settings.company_logo_type == "image/png"
    page = client.get("/settings/").content.decode()
    assert 'alt="Current company logo"' in page
    assert "Remove the logo" in page

    client.post("/settings/", {**_current_form_values(), "remove_logo": "on"})
    assert get_account_settings().company_logo_type == ""


def test_settings_page_explains_a_refused_logo(signed_in, admin_user):
    client = signed_in(admin_user)
    upload = io.BytesIO(image_bytes("GIF"))
    upload.name = "logo.gif"
    response = client.post("/settings/", {**_current_form_values(), "logo": upload})
    assert response.status_code == 200
    assert "upload a PNG or JPEG file" in response.content.decode()
    assert get_account_settings().company_logo_type == ""


def _current_form_values() -> dict[str, str]:
    settings = get_account_settings()
    fields = [
        "company_name", "company_address", "company_country", "company_tax_id", "invoice_locale",
        "invoice_public_domain", "invoice_number_prefix", "default_currency",
        "default_payment_terms", "default_from_email",
    ]  # fmt: skip
    return {name: str(getattr(settings, name)) for name in fields}
