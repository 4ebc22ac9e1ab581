"""Messages of Django that its own zh_Hans catalogue (Django 5.2.19) does not translate, marked
here so that makemessages carries them into this project's catalogue, which Django reads first.

- The password length rule: Django 5.2.19 reworded it (%d instead of %(min_length)d), and its
  catalogue has only the old wording, so the user form showed it in English.
- The admin's add-user note and the screen-reader headers of its model list."""

from django.utils.translation import gettext_noop, ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
)

ADMIN = [
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]
