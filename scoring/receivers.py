"""A frozen scheme's item keeps its indicators: the many-to-many change does not go through ``save``."""
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from scoring.models import Assessment, FrozenError, SchemeItem


@receiver(m2m_changed, sender=SchemeItem.indicators.through)
def refuse_changes_to_a_frozen_item(sender, instance, action, **kwargs):
    if action in ("pre_add", "pre_remove", "pre_clear") and isinstance(instance, SchemeItem) \
            and Assessment.objects.filter(year=instance.scheme.year).exists():
        raise FrozenError(FrozenError.frozen_message)
