"""Care links: a clinician invites, the patient accepts or declines, and can revoke at any
time. A clinician reaches a patient's page only through an active link; every step is audited."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, CareLink, User
from reminders.models import Notification
from tests.conftest import PASSWORD
from tests.htmltools import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """Post the clinic's invitation form as `clinician`; mail leaves after the commit."""

    def send(clinician, email: str):
        client.force_login(clinician, backend="accounts.backends.ProfileBackend")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("clinic:invite"), {"email": email})
        client.logout()
        return response

    return send


def detail_url(patient: User) -> str:
    return reverse("clinic:patient_detail", args=[patient.pk])


def post_as(client, user, name: str, link: CareLink):
    client.force_login(user, backend="accounts.backends.ProfileBackend")
    return client.post(reverse(f"accounts:{name}", args=[link.pk]), follow=True)


def confirm_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def signed_up(django_capture_on_commit_callbacks):
    """Sign up, then follow the link the confirmation email carries."""

    def sign_up(client, data: dict[str, str], url: str = reverse("accounts:signup")):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, data)
        return client.post(confirm_link(mail.outbox[-1]), follow=True)

    return sign_up


def actions(link: CareLink) -> list[str]:
    rows = AuditEvent.objects.filter(object_type="accounts.CareLink", object_id=str(link.pk))
    return list(rows.order_by("id").values_list("action", flat=True))


def test_inviting_an_existing_patient_makes_a_pending_link_and_emails_them(
    client, invite, alice, charlie
):
    response = invite(charlie, "Alice@Example.com")

    assert response.status_code == 302
    link = CareLink.objects.get(clinician=charlie)
    assert (link.patient, link.status, link.invited_email) == (alice, "pending", alice.email)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email]
    assert "Dr Charlie Brown" in message.subject
    assert reverse("accounts:care_team") in message.body
    assert link.token not in message.body
    row = Notification.objects.get(kind="invitation", payload__link_id=link.pk)
    assert message.extra_headers["Message-ID"].startswith(f"<{row.message_key}@")
    assert actions(link) == ["carelink.invited"]


def test_patient_sees_the_invitation_on_home_and_care_team_pages(client_for, alice, charlie):
    CareLink.objects.create(clinician=charlie, patient=alice, invited_email=alice.email)
    client = client_for(alice)

    for url in (reverse("home"), reverse("accounts:care_team")):
        html = client.get(url).content.decode()
        assert "Dr Charlie Brown asks to see your B12 record" in html
        assert "Accept and share my record" in html


def test_accepting_gives_the_clinician_the_patient_page(client, invite, alice, charlie):
    invite(charlie, alice.email)
    link = CareLink.objects.get(clinician=charlie)
    client.force_login(charlie, backend="accounts.backends.ProfileBackend")
    assert client.get(detail_url(alice)).status_code == 404

    response = post_as(client, alice, "carelink_accept", link)

    assert "This clinician can now see your records" in response.content.decode()
    link.refresh_from_db()
    assert link.status == "active"
    assert link.responded_at is not None
    client.force_login(charlie, backend="accounts.backends.ProfileBackend")
    page = client.get(detail_url(alice))
    assert page.status_code == 200
    assert "Alice Patel" in page.content.decode()
    assert actions(link) == ["carelink.invited", "carelink.accepted"]
    event = AuditEvent.objects.get(action="carelink.accepted")
    assert (event.actor, event.patient, event.address) == (alice, alice, "127.0.0.1")


def test_declining_keeps_the_patient_page_closed(client, invite, alice, charlie):
    invite(charlie, alice.email)
    link = CareLink.objects.get(clinician=charlie)

    response = post_as(client, alice, "carelink_decline", link)

    assert "Invitation declined." in response.content.decode()
    link.refresh_from_db()
    assert link.status == "declined"
    assert "asks to see your B12 record" not in client.get(reverse("home")).content.decode()
    client.force_login(charlie, backend="accounts.backends.ProfileBackend")
    assert client.get(detail_url(alice)).status_code == 404
    assert actions(link) == ["carelink.invited", "carelink.declined"]


def test_revoking_closes_the_patient_page_to_the_clinician(client, alice, bob):
    link = CareLink.objects.get(clinician=bob, patient=alice)
    client.force_login(bob, backend="accounts.backends.ProfileBackend")
    assert client.get(detail_url(alice)).status_code == 200

    response = post_as(client, alice, "carelink_revoke", link)

    assert "can no longer see your records" in response.content.decode()
    link.refresh_from_db()
    assert link.status == "revoked"
    assert link.ended_at is not None
    client.force_login(bob, backend="accounts.backends.ProfileBackend")
    assert client.get(detail_url(alice)).status_code == 404
    assert "Alice Patel" not in client.get(reverse("clinic:patients")).content.decode()
    assert actions(link) == ["carelink.revoked"]


def test_care_team_page_lists_who_can_see_the_record(client_for, alice, bob):
    html = client_for(alice).get(reverse("accounts:care_team")).content.decode()

    assert "Dr Bob Smith" in html
    assert "Remove Dr Bob Smith's access" in html


def test_accepting_twice_says_so_and_changes_nothing(client, invite, alice, charlie):
    invite(charlie, alice.email)
    link = CareLink.objects.get(clinician=charlie)
    post_as(client, alice, "carelink_accept", link)
    link.refresh_from_db()
    first_response = link.responded_at

    response = post_as(client, alice, "carelink_accept", link)

    assert response.status_code == 200
    assert "had already changed; nothing was done" in response.content.decode()
    link.refresh_from_db()
    assert (link.status, link.responded_at) == ("active", first_response)
    assert actions(link) == ["carelink.invited", "carelink.accepted"]


def test_declining_an_active_link_changes_nothing(client, alice, bob):
    link = CareLink.objects.get(clinician=bob, patient=alice)

    response = post_as(client, alice, "carelink_decline", link)

    assert "nothing was done" in response.content.decode()
    link.refresh_from_db()
    assert link.status == "active"
    assert actions(link) == []


@pytest.mark.parametrize("action", ["carelink_accept", "carelink_decline", "carelink_revoke"])
def test_a_patient_cannot_answer_someone_elses_link(client, alice, bob, charlie, dave, action):
    active = CareLink.objects.get(clinician=bob, patient=alice)
    pending = CareLink.objects.create(clinician=charlie, patient=alice, invited_email=alice.email)
    client.force_login(dave, backend="accounts.backends.ProfileBackend")

    for link in (active, pending):
        response = client.post(reverse(f"accounts:{action}", args=[link.pk]))
        assert response.status_code == 404

    assert set(CareLink.objects.values_list("status", flat=True)) == {"active", "pending"}
    assert not AuditEvent.objects.exists()


def test_revoking_asks_for_confirmation_first_and_get_changes_nothing(client_for, alice, bob):
    link = CareLink.objects.get(clinician=bob, patient=alice)
    client = client_for(alice)

    response = client.get(reverse("accounts:carelink_revoke", args=[link.pk]))

    assert response.status_code == 200
    assert "Yes, remove access" in response.content.decode()
    link.refresh_from_db()
    assert link.status == "active"
    assert client.get(reverse("accounts:carelink_accept", args=[link.pk])).status_code == 405


def test_the_revoke_confirmation_is_404_for_a_link_that_is_not_active(client_for, alice, bob):
    link = CareLink.objects.get(clinician=bob, patient=alice)
    CareLink.objects.filter(pk=link.pk).update(status="revoked")

    response = client_for(alice).get(reverse("accounts:carelink_revoke", args=[link.pk]))

    assert response.status_code == 404


def test_inviting_an_unknown_email_sends_a_signup_link_that_ends_in_the_invitation(
    client, invite, charlie, signed_up
):
    invite(charlie, "Newcomer@Example.org")
    link = CareLink.objects.get(clinician=charlie)
    assert (link.patient, link.invited_email) == (None, "newcomer@example.org")
    body = mail.outbox[0].body
    match = re.search(r"https?://\S+/accounts/signup/\?invite=(\S+)", body)
    assert match, body
    assert match.group(1) == link.token

    signup_url = reverse("accounts:signup") + f"?invite={link.token}"
    form_page = client.get(signup_url).content.decode()
    assert "Dr Charlie Brown invited you" in form_page
    assert 'value="newcomer@example.org"' in form_page
    response = signed_up(
        client,
        {
            "email": "newcomer@example.org",
            "display_name": "Nia Newcomer",
            "time_zone": "Europe/Dublin",
            "mobile": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "invite": link.token,
        },
        url=signup_url,
    )

    nia = User.objects.get(email="newcomer@example.org")
    link.refresh_from_db()
    assert (link.patient, link.status) == (nia, "pending")
    assert response.redirect_chain[-1][0] == reverse("accounts:care_team")
    assert "Dr Charlie Brown asks to see your B12 record" in response.content.decode()

    post_as(client, nia, "carelink_accept", link)
    link.refresh_from_db()
    assert link.status == "active"
    assert actions(link) == ["carelink.invited", "carelink.claimed", "carelink.accepted"]
    client.force_login(charlie, backend="accounts.backends.ProfileBackend")
    assert client.get(detail_url(nia)).status_code == 200


def test_signup_token_attaches_the_invitation_even_under_another_email(client, charlie, signed_up):
    link = CareLink.objects.create(clinician=charlie, invited_email="work@example.org")

    signed_up(
        client,
        {
            "email": "home@example.org",
            "display_name": "Hana Home",
            "time_zone": "Europe/London",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "invite": link.token,
        },
    )

    link.refresh_from_db()
    assert link.patient == User.objects.get(email="home@example.org")


def test_signup_without_the_token_claims_invitations_to_that_email(client, charlie, signed_up):
    link = CareLink.objects.create(clinician=charlie, invited_email="plain@example.org")

    signed_up(
        client,
        {
            "email": "Plain@Example.org",
            "display_name": "Pat Plain",
            "time_zone": "Europe/London",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    link.refresh_from_db()
    assert link.patient == User.objects.get(email="plain@example.org")


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Enter a valid email address."),
        ("alice@example.com", "already linked"),
    ],
)
def test_bad_invitations_are_refused_next_to_the_email_field(
    client, invite, alice, bob, email, message
):
    response = invite(bob, email)

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content, "email"))
    assert CareLink.objects.count() == 1
    assert not mail.outbox


def test_a_clinician_can_invite_again_after_a_decline(client, invite, alice, charlie):
    invite(charlie, alice.email)
    first = CareLink.objects.get(clinician=charlie)
    post_as(client, alice, "carelink_decline", first)

    response = invite(charlie, alice.email)

    assert response.status_code == 302
    assert CareLink.objects.filter(clinician=charlie, status="pending").count() == 1
    assert len(mail.outbox) == 2


@pytest.fixture
def withdraw(client):
    def post(clinician, email: str):
        client.force_login(clinician, backend="accounts.backends.ProfileBackend")
        response = client.post(reverse("clinic:invitation_withdraw"), {"email": email})
        client.logout()
        return response

    return post


def test_inviting_an_account_that_is_not_a_patient_answers_as_for_an_unknown_address(
    client, invite, bob, charlie, staff
):
    for email in ("charlie@example.com", "staff@example.com", "stranger@example.org"):
        response = invite(bob, email)
        assert response.status_code == 302
        assert response.url == reverse("clinic:patients")
        link = CareLink.objects.get(clinician=bob, invited_email=email)
        assert (link.status, link.patient) == ("pending", None)
        event = AuditEvent.objects.get(object_id=str(link.pk))
        assert (event.action, event.patient, event.detail) == ("carelink.invited", None, {})

    client.force_login(bob, backend="accounts.backends.ProfileBackend")
    page = client.get(reverse("clinic:patients")).content.decode()
    assert "not a patient" not in page
    assert "charlie@example.com" in page
    # Accounts that cannot be patients get no invitation to act on.
    assert [message.to for message in mail.outbox] == [["stranger@example.org"]]


def test_inviting_a_pending_address_again_resends_the_invitation(
    client, invite, alice, charlie, django_capture_on_commit_callbacks
):
    invite(charlie, alice.email)

    client.force_login(charlie, backend="accounts.backends.ProfileBackend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("clinic:invite"), {"email": "ALICE@example.com"}, follow=True
        )

    assert response.redirect_chain == [(reverse("clinic:patients"), 302)]
    assert "Invitation sent again to alice@example.com." in response.content.decode()
    link = CareLink.objects.get(clinician=charlie)
    assert link.status == "pending"
    first, second = mail.outbox
    assert first.to == second.to == [alice.email]
    assert first.extra_headers["Message-ID"] != second.extra_headers["Message-ID"]
    assert actions(link) == ["carelink.invited", "carelink.resent"]


def test_clinician_withdraws_a_pending_invitation(client, invite, withdraw, alice, charlie):
    invite(charlie, alice.email)
    link = CareLink.objects.get(clinician=charlie)

    response = withdraw(charlie, alice.email)

    assert response.status_code == 302
    assert response.url == reverse("clinic:patients")
    link.refresh_from_db()
    assert link.status == "withdrawn"
    assert link.ended_at is not None
    assert actions(link) == ["carelink.invited", "carelink.withdrawn"]
    client.force_login(alice, backend="accounts.backends.ProfileBackend")
    care_team = client.get(reverse("accounts:care_team")).content.decode()
    assert "Dr Charlie Brown asks to see your B12 record" not in care_team
    accepted = post_as(client, alice, "carelink_accept", link).content.decode()
    assert "had already changed; nothing was done" in accepted
    link.refresh_from_db()
    assert link.status == "withdrawn"
    assert client.get(detail_url(alice)).status_code == 404


def test_a_withdrawn_invitation_link_no_longer_opens_the_invitation(
    client, invite, withdraw, charlie
):
    invite(charlie, "new.person@example.org")
    link = CareLink.objects.get(clinician=charlie)
    withdraw(charlie, "new.person@example.org")

    page = client.get(reverse("accounts:signup") + f"?invite={link.token}").content.decode()

    assert "invited you" not in page
    assert "new.person@example.org" not in page


def test_withdrawing_then_inviting_again_makes_a_new_invitation(
    client, invite, withdraw, alice, charlie
):
    invite(charlie, alice.email)
    withdraw(charlie, alice.email)

    invite(charlie, alice.email)

    assert list(
        CareLink.objects.filter(clinician=charlie).order_by("pk").values_list("status", flat=True)
    ) == ["withdrawn", "pending"]


@pytest.mark.parametrize("email", ["alice@example.com", "nobody@example.org", "not-an-email"])
def test_withdrawing_what_is_not_ones_pending_invitation_is_404_and_writes_nothing(
    client, invite, withdraw, alice, bob, charlie, email
):
    invite(charlie, "pending@example.org")
    before = list(CareLink.objects.order_by("pk").values())
    events = AuditEvent.objects.count()

    response = withdraw(bob, email)

    assert response.status_code == 404
    assert list(CareLink.objects.order_by("pk").values()) == before
    assert AuditEvent.objects.count() == events


def test_another_clinicians_invitation_cannot_be_withdrawn(client, invite, withdraw, bob, charlie):
    invite(charlie, "pending@example.org")

    assert withdraw(bob, "pending@example.org").status_code == 404
    assert CareLink.objects.get(clinician=charlie).status == "pending"


def test_patients_page_offers_resend_and_withdraw_for_each_pending_invitation(
    client_for, invite, charlie
):
    invite(charlie, "pending@example.org")

    page = client_for(charlie).get(reverse("clinic:patients")).content.decode()

    assert 'action="/clinic/invite/"' in page
    assert reverse("clinic:invitation_withdraw") in page
    assert 'value="pending@example.org"' in page
    assert "Resend invitation to pending@example.org" in page
    assert "Withdraw invitation to pending@example.org" in page
