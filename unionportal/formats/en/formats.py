# The same ISO dates in English as in Chinese.
from unionportal.formats.zh_Hans.formats import *  # noqa: F403
