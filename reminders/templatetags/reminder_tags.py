"""Template tags for reminders: `{% channel_problems user %}` on the patient home page."""

from django import template

from accounts.models import User
from reminders.selectors import channel_problems as problems_for

register = template.Library()


@register.inclusion_tag("reminders/_channel_problems.html")
def channel_problems(user: User) -> dict[str, list[str]]:
    """A warning when a patient's reminders cannot reach them (STOP, a refused address...)."""
    return {"problems": problems_for(patient=user)}
