"""Template tags for reminders on the patient home page: `{% channel_problems user %}` and
`{% change_notice user %}`."""

from django import template

from accounts.models import User
from reminders.changes import current_notice
from reminders.models import ChangeNotice
from reminders.selectors import channel_problems as problems_for

register = template.Library()


@register.inclusion_tag("reminders/_channel_problems.html")
def channel_problems(user: User) -> dict[str, list[str]]:
    """A warning when a patient's reminders cannot reach them (STOP, a refused address...)."""
    return {"problems": problems_for(patient=user)}


@register.inclusion_tag("reminders/_change_notice.html", takes_context=True)
def change_notice(context: template.Context, user: User) -> dict[str, object]:
    """The latest change a clinician made to the patient's schedule, until dismissed."""
    notice: ChangeNotice | None = current_notice(patient=user)
    return {"notice": notice, "csrf_token": context.get("csrf_token")}
