from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark (issue 8): a synthetic population in a separate database and the figures
    measured on it beside the baselines that bound them. No models: the population's marker
    is a plain table the generator creates itself."""

    name = "bench"
    verbose_name = "Benchmark"
