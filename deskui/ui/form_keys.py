"""How a form's keys keep the order they were typed in, however fast they arrive.

Textual hands each key to the widget focused when the app reads it, and that widget takes its
keys from a queue of its own. When a terminal read (a fast typist; an SSH or browser desk on a
loaded machine) brings several keys at once, the app routes them all before any is handled:

- A *priority* binding runs at once, ahead of the keys before it still queued at the field.
  So the keys that act on what was typed (save, apply) are ordinary bindings: they reach the
  form by bubbling up from the field, after the field took every key ahead of them.
- A key that moves focus must act at once, or the keys after it go to the field it left. So
  ``tab`` and ``shift+tab`` are priority bindings in forms (no form field uses ``tab`` itself).
"""

from __future__ import annotations

from textual.binding import Binding

FIELD_TO_FIELD = (
    Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
)
