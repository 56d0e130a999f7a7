"""The ticket screen's modal forms: the generic ``ActionForm`` and one builder per action."""

from deskui.ui.screens.forms.base import ActionForm, FieldSpec
from deskui.ui.screens.forms.text_modal import TextModal

__all__ = ["ActionForm", "FieldSpec", "TextModal"]
