from django import template

from dashboards.display import RESULT_PILL

register = template.Library()


@register.filter
def result_pill(result: str) -> str:
    """The pill class of a final-evaluation result."""
    return RESULT_PILL.get(result, "status-no_data")
