"""Optional English versions of the texts a city publishes (posts, events, venues, projects …).

A model lists its translatable fields in ``english_fields``; each field ``x`` has a sibling
``x_en`` that editors may fill. :meth:`EnglishVersion.text` gives a field in a language: the
English text when English is asked for and one was written, the German text otherwise (each
field falls back on its own). The first field of ``english_fields`` leads: English texts
need it (an English teaser under a German title is refused), and an object "has an English
version" when it is filled.

Templates use the active language through :attr:`EnglishVersion.i18n`:
``{{ post.i18n.title }}``; Python code calls ``obj.text("title")`` (active language) or
``obj.text("title", "en")``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: The heading editors see above the English fields in the back office.
ENGLISH_SECTION = _("English (optional)")


def is_english(language: str | None) -> bool:
    return bool(language) and str(language).lower().split("-")[0] == "en"


class EnglishVersion:
    """Mixin for models with ``<field>_en`` siblings of the fields in ``english_fields``."""

    english_fields: ClassVar[tuple[str, ...]] = ()

    def text(self, field: str, language: str | None = None) -> str:
        """``field`` in ``language`` (default: the active one), German where no English."""
        if field not in self.english_fields:
            raise AttributeError(f"{type(self).__name__} has no English version of {field}")
        if is_english(language if language is not None else get_language()):
            english = getattr(self, f"{field}_en")
            if english:
                return str(english)
        return str(getattr(self, field))

    @property
    def has_english(self) -> bool:
        return bool(getattr(self, f"{self.english_fields[0]}_en"))

    def text_language(self, language: str | None = None) -> str:
        """The language the object's texts are shown in for ``language``: ``en`` or ``de``."""
        wanted = language if language is not None else get_language()
        return "en" if is_english(wanted) and self.has_english else "de"

    @property
    def i18n(self) -> Localized:
        """The translatable texts in the active language, for templates."""
        return Localized(self)

    def english_errors(self) -> dict[str, str]:
        """English texts without the English lead field (for the model's ``clean``)."""
        lead, *rest = self.english_fields
        if getattr(self, f"{lead}_en") or not any(getattr(self, f"{f}_en") for f in rest):
            return {}
        label = self._meta.get_field(f"{lead}_en").verbose_name  # type: ignore[attr-defined]
        message = _("Fill in “%(field)s” as well, or leave the English texts empty.")
        return {f"{lead}_en": str(message) % {"field": label}}

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        if errors := self.english_errors():
            raise ValidationError(errors)


class Localized:
    """``obj.i18n.title``: a translatable field of ``obj`` in the active language."""

    __slots__ = ("_obj",)

    def __init__(self, obj: EnglishVersion) -> None:
        self._obj = obj

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._obj.english_fields:
            raise AttributeError(name)
        return self._obj.text(name)

    @property
    def lang_attr(self) -> str:
        """`` lang="de"`` on an English page showing German texts (WCAG 3.1.2), else ``""``."""
        if is_english(get_language()) and not self._obj.has_english:
            marked: str = mark_safe(' lang="de"')  # a constant, safe to mark
            return marked
        return ""

    def __getitem__(self, name: str) -> Any:
        try:
            return self.__getattr__(name)
        except AttributeError:
            raise KeyError(name) from None
