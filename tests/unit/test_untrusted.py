"""Customer text is shown literally: control, bidi and invisible characters become visible."""

from hypothesis import given
from hypothesis import strategies as st

from deskui.domain.untrusted import one_line, visible_text


def test_escape_sequences_are_made_visible() -> None:
    shown = visible_text("\x1b]0;title\x07 and \x1b]52;c;ZXZpbA==\x07")
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.startswith("␛]0;title␇")


def test_bidi_override_and_zero_width_are_named() -> None:
    assert visible_text("abc\u202edef\u200b") == "abc<U+202E>def<U+200B>"


def test_c1_controls_are_named() -> None:
    assert visible_text("a\x9bb") == "a<U+009B>b"


def test_newlines_kept_only_for_bodies() -> None:
    assert visible_text("a\r\nb", keep_newlines=True) == "a\nb"
    assert visible_text("a\nb") == "a␊b"


def test_markup_like_text_is_untouched() -> None:
    text = "[@click=app.quit]x[/] [ @click=app.quit]x[/] [b]"
    assert visible_text(text) == text


def test_one_line_cuts_with_ellipsis() -> None:
    assert one_line("abcdef", 4) == "abc…"


@given(st.text())
def test_no_dangerous_character_survives(text: str) -> None:
    shown = visible_text(text, keep_newlines=True)
    for ch in shown:
        code = ord(ch)
        assert code >= 0x20 or ch in "\n\t"
        assert not 0x7F <= code <= 0x9F
        assert code not in (0x202E, 0x202D, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B, 0xFEFF)
