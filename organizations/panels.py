"""Sections that other apps add to the organization page (the team of cadres, later the
activities, honours and relief of a union).

Apps below this one in the layers register a panel in their AppConfig.ready(); the page
renders every panel the user may see, in registration order. This keeps organizations from
importing the apps that build on it."""

PANELS = []


def register(panel):
    """`panel(request, organization)` returns {"template": name, **context}, or None to show nothing."""
    PANELS.append(panel)
    return panel


def render_context(request, organization):
    return [result for panel in PANELS if (result := panel(request, organization))]
