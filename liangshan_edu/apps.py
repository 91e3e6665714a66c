from django.apps import AppConfig


class LiangshanEduConfig(AppConfig):
    name = "liangshan_edu"
    verbose_name = "liangshan-edu"

    def ready(self) -> None:
        from liangshan_edu import checks, receivers  # noqa: F401  (registers the deploy checks, connects the data-version receivers)
