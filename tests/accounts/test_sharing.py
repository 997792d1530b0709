"""Patient-initiated sharing: the patient asks a clinician by email or practice code, the
clinician accepts or declines on their invitations page, the patient may withdraw first. An
unknown email or code is answered as a known one and writes nothing."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, CareLink, User
from accounts.views_sharing import SHARE_ANSWER
from reminders.models import Notification
from tests.htmltools import field_errors

pytestmark = pytest.mark.django_db

SHARE = reverse("accounts:share")
CARE_TEAM = reverse("accounts:care_team")
INVITATIONS = reverse("clinic:invitations")


@pytest.fixture
def share(client, django_capture_on_commit_callbacks):
    """Post the care team page's share form as `patient`; mail leaves after the commit."""

    def send(patient: User, target: str):
        client.force_login(patient, backend="accounts.backends.ProfileBackend")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(SHARE, {"target": target}, follow=True)
        client.logout()
        return response

    return send


def code_of(clinician: User) -> str:
    return clinician.clinician_profile.practice_code


def request_of(patient: User, clinician: User) -> CareLink:
    return CareLink.objects.get(
        patient=patient, clinician=clinician, status=CareLink.Status.REQUESTED
    )


def counts() -> dict[str, int]:
    return {
        "links": CareLink.objects.count(),
        "audit": AuditEvent.objects.count(),
        "messages": Notification.objects.count(),
    }


def test_a_patient_shares_by_email_and_the_clinician_is_told(share, alice, charlie):
    response = share(alice, "Charlie@Example.com")

    assert SHARE_ANSWER in response.content.decode()
    link = request_of(alice, charlie)
    assert (link.initiated_by, link.invited_email) == ("patient", alice.email)
    row = Notification.objects.get(kind="share_request")
    assert (row.recipient, row.payload) == (charlie, {"link_id": link.pk})
    (message,) = [m for m in mail.outbox if m.to == [charlie.email]]
    assert "Alice Patel asks you to see their B12 injection record" in message.subject
    assert INVITATIONS in message.body
    assert AuditEvent.objects.filter(
        action="carelink.share_requested", actor=alice, patient=alice
    ).exists()
    # The request waits on the patient's page with a way to withdraw it.
    assert "Withdraw my request to Dr Charlie Brown" in response.content.decode()


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {dashed} "])
def test_a_patient_shares_by_practice_code_as_typed(share, alice, charlie, typed):
    code = code_of(charlie)
    target = typed.format(code=code, lower=code.lower(), dashed=f"{code[:4]}-{code[4:]}")

    share(alice, target)

    assert request_of(alice, charlie).status == CareLink.Status.REQUESTED


@pytest.mark.parametrize("target", ["nobody@example.com", "ZZZZ2345", "dave@example.com"])
def test_an_unknown_email_or_code_gets_the_same_answer_and_writes_nothing(
    share, alice, charlie, dave, target
):
    known = share(alice, "charlie@example.com")
    before = counts()

    unknown = share(alice, target)

    assert counts() == before
    assert unknown.status_code == known.status_code == 200
    assert unknown.redirect_chain == known.redirect_chain
    assert SHARE_ANSWER in unknown.content.decode()


def test_already_linked_or_already_requested_is_said_beside_the_field(share, alice, bob, charlie):
    linked = share(alice, "bob@example.com")
    assert linked.status_code == 400
    assert "You already share your record with this clinician." in field_errors(
        linked.content, "target"
    )

    share(alice, code_of(charlie))
    before = counts()
    again = share(alice, "charlie@example.com")
    assert again.status_code == 400
    assert "You have already asked this clinician." in " ".join(
        field_errors(again.content, "target")
    )
    assert counts() == before


def test_a_pending_invitation_from_the_clinician_is_said_beside_the_field(share, alice, charlie):
    CareLink.objects.create(clinician=charlie, patient=alice, invited_email=alice.email)
    response = share(alice, "charlie@example.com")
    assert response.status_code == 400
    assert "has already invited you" in " ".join(field_errors(response.content, "target"))


@pytest.mark.parametrize("target", ["", "not an email or code", "AB"])
def test_bad_input_is_refused_beside_the_field(share, alice, charlie, target):
    before = counts()
    response = share(alice, target)
    assert response.status_code == 400
    assert field_errors(response.content, "target")
    assert counts() == before


def test_the_clinician_sees_the_request_and_their_code_and_accepts(
    share, client_for, alice, charlie
):
    share(alice, "charlie@example.com")
    link = request_of(alice, charlie)
    client = client_for(charlie)

    page = client.get(INVITATIONS).content.decode()
    assert "Give this code to patients who want to share with you" in page
    assert code_of(charlie) in page
    assert "Accept Alice Patel's record" in page

    done = client.post(reverse("clinic:share_accept", args=[link.pk]), follow=True)
    assert "Alice Patel is now one of your patients" in done.content.decode()
    link.refresh_from_db()
    assert link.status == CareLink.Status.ACTIVE and link.responded_at is not None
    assert AuditEvent.objects.filter(
        action="carelink.share_accepted", actor=charlie, patient=alice
    ).exists()
    assert client.get(reverse("clinic:patient_detail", args=[alice.pk])).status_code == 200

    # Accepted is like any active link: the patient can remove it.
    client.logout()
    alice_client = client_for(alice)
    alice_client.post(reverse("accounts:carelink_revoke", args=[link.pk]))
    link.refresh_from_db()
    assert link.status == CareLink.Status.REVOKED


def test_the_clinician_declines(share, client_for, alice, charlie):
    share(alice, "charlie@example.com")
    link = request_of(alice, charlie)

    client_for(charlie).post(reverse("clinic:share_decline", args=[link.pk]))

    link.refresh_from_db()
    assert link.status == CareLink.Status.DECLINED
    assert AuditEvent.objects.filter(action="carelink.share_declined", actor=charlie).exists()
    assert (
        client_for(charlie).get(reverse("clinic:patient_detail", args=[alice.pk])).status_code
        == 404
    )
    # Declined, the patient may ask again.
    share(alice, "charlie@example.com")
    assert request_of(alice, charlie)


def test_the_patient_withdraws_and_the_message_is_not_sent(
    client_for, alice, charlie, django_capture_on_commit_callbacks
):
    from accounts import sharing
    from reminders.account_messages import why_not

    with django_capture_on_commit_callbacks(execute=False):
        link = sharing.share_request(patient=alice, target="charlie@example.com")
    assert link is not None

    client_for(alice).post(reverse("accounts:share_withdraw", args=[link.pk]))

    link.refresh_from_db()
    assert link.status == CareLink.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="carelink.share_withdrawn", actor=alice).exists()
    row = Notification.objects.get(kind="share_request")
    assert why_not(row, now=row.created_at) != ""
    # Withdrawn, the clinician can no longer accept it.
    client = client_for(charlie)
    response = client.post(reverse("clinic:share_accept", args=[link.pk]), follow=True)
    assert "already been withdrawn or answered" in response.content.decode()
    link.refresh_from_db()
    assert link.status == CareLink.Status.WITHDRAWN


def test_not_your_request_is_404(share, client_for, alice, bob, charlie, dave):
    share(alice, "charlie@example.com")
    link = request_of(alice, charlie)

    for name in ("clinic:share_accept", "clinic:share_decline"):
        assert client_for(bob).post(reverse(name, args=[link.pk])).status_code == 404
    assert (
        client_for(dave).post(reverse("accounts:share_withdraw", args=[link.pk])).status_code == 404
    )
    # A clinician's own invitation is not a request the patient can withdraw.
    invitation = CareLink.objects.create(clinician=bob, patient=dave, invited_email=dave.email)
    assert (
        client_for(dave).post(reverse("accounts:share_withdraw", args=[invitation.pk])).status_code
        == 404
    )
    link.refresh_from_db()
    assert link.status == CareLink.Status.REQUESTED


def test_only_patients_share_and_only_clinicians_answer(share, client_for, alice, bob, charlie):
    assert client_for(bob).post(SHARE, {"target": "charlie@example.com"}).status_code == 404
    assert client_for(alice).get(INVITATIONS).status_code == 404
    assert client_for(bob).get(SHARE).status_code == 405


def test_requests_are_not_active_links(share, client_for, alice, charlie):
    share(alice, "charlie@example.com")
    assert (
        client_for(charlie).get(reverse("clinic:patient_detail", args=[alice.pk])).status_code
        == 404
    )
    html = client_for(alice).get(CARE_TEAM).content.decode()
    assert "Waiting for an answer" in html
    assert "Remove Dr Charlie Brown's access" not in html


def test_a_closed_record_is_listed_as_closed(client_for, alice, charlie):
    from django.utils import timezone

    CareLink.objects.create(
        clinician=charlie,
        patient=alice,
        invited_email=alice.email,
        status=CareLink.Status.CLOSED,
        ended_at=timezone.now().replace(year=2026, month=3, day=4),
    )
    html = client_for(charlie).get(INVITATIONS).content.decode()
    assert "Alice Patel: Record closed by the patient on 4 Mar 2026" in html
    assert (
        "Alice Patel"
        not in client_for(alice).get(CARE_TEAM).content.decode().split("Past invitations")[-1]
    )


def test_inviting_a_patient_who_already_asked_points_to_their_request(
    share, client_for, alice, charlie
):
    share(alice, "charlie@example.com")
    before = counts()

    response = client_for(charlie).post(reverse("clinic:invite"), {"email": alice.email})

    assert response.status_code == 400
    assert "has already asked to share" in " ".join(field_errors(response.content, "email"))
    assert counts() == before


def test_the_invite_service_itself_refuses_a_patient_who_already_asked(share, alice, charlie):
    """The page checks first; the service checks again under the row lock, for a request that
    arrives between the page's check and the write."""
    from django.core.exceptions import ValidationError

    from accounts.services import carelink_invite

    share(alice, "charlie@example.com")
    before = counts()

    with pytest.raises(ValidationError, match="already asked to share"):
        carelink_invite(clinician=charlie, email=alice.email)
    assert counts() == before
