"""The stock page's pinned query count: the same with no batches as with many batches, a long
ledger and a year of planned doses; reading it writes nothing."""

import pytest
from django.urls import reverse

from reminders.models import ReminderPreference
from tests.reminders.test_stock_helpers import add, log, on, weekly, weeks

pytestmark = pytest.mark.django_db

# Session, user, then the page's selector: the preferences, the active prescription, every
# batch, the open doses and the newest movements with their batch and injection. The base
# template's menu adds none.
STOCK_PAGE = 7


@pytest.mark.parametrize("size", [0, 12], ids=["no stock", "busy"])
def test_the_stock_page_costs_the_same_however_much_stock(
    client_for, alice, django_assert_num_queries, size
):
    rx = weekly(alice)
    for n in range(size):
        add(alice, 3, lot=f"L{n}")
    for week in range(size):
        log(rx, weeks(week), today=weeks(size))
    client = client_for(alice)
    with on(weeks(size)), django_assert_num_queries(STOCK_PAGE):
        response = client.get(reverse("reminders:stock"))
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="batch-') == size
    assert not ReminderPreference.objects.filter(patient=alice).exists()
