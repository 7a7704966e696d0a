from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.convert import storage_to_mrkdwn, storage_to_text, task_text
from tests.shared_specs import SPECS, missing

SAMPLES = SPECS / "confluence" / "storage-format"


def _samples() -> list[Path]:
    return sorted(SAMPLES.glob("*")) if SAMPLES.is_dir() else []


def test_text_keeps_block_structure_and_decodes_entities() -> None:
    storage = (
        "<h1>Release&nbsp;process</h1><p>A &amp; B <strong>bold</strong></p><ul><li>one</li></ul>"
    )
    assert storage_to_text(storage) == "Release process\nA & B bold\n• one"


def test_table_cells_do_not_run_together() -> None:
    storage = "<table><tbody><tr><th>Service</th><td>Status</td></tr></tbody></table>"
    assert storage_to_text(storage) == "Service\nStatus"


def test_macros_reduced_to_text_and_parameters_dropped() -> None:
    storage = (
        '<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">HIDDEN</ac:parameter>'
        "<ac:rich-text-body><p>Inside</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x < y]]></ac:plain-text-body>'
        "</ac:structured-macro>"
    )
    assert storage_to_text(storage) == "Inside\nx < y"
    assert storage_to_mrkdwn(storage) == "Inside\nx &lt; y"


def test_mrkdwn_formats_styles_and_links() -> None:
    storage = (
        '<p><strong>b</strong> <em>i</em> <s>s</s> <code>c</code> <a href="https://e.x/?a=1">l</a>'
        ' <a href="javascript:x()">js</a> <a href="https://e.x">https://e.x</a> 1 &lt; 2</p>'
    )
    assert (
        storage_to_mrkdwn(storage)
        == "*b* _i_ ~s~ `c` <https://e.x/?a=1|l> js <https://e.x> 1 &lt; 2"
    )


def test_truncates_on_word_boundary_with_ellipsis() -> None:
    storage = "<p>" + "word " * 100 + "</p>"
    text = storage_to_text(storage, max_chars=22)
    assert text == "word word word word…"
    mrkdwn = storage_to_mrkdwn("<p><strong>" + "bold " * 50 + "</strong></p>", max_chars=30)
    assert len(mrkdwn) <= 30
    assert mrkdwn.startswith("*bold") and mrkdwn.endswith("*…")


def test_no_ellipsis_when_it_fits() -> None:
    assert storage_to_text("<p>short</p>", max_chars=5) == "short"


@pytest.mark.parametrize(
    "storage",
    [
        "<p>unclosed <b>bold",
        "<<<>>>&&&;",
        "<p>&bogus; <x:y>z</x:y></p>",
        "]]>",
        "",
        "   ",
        "<?pi?>",
    ],
)
def test_malformed_input_degrades_without_raising(storage: str) -> None:
    assert isinstance(storage_to_text(storage), str)
    assert isinstance(storage_to_mrkdwn(storage), str)


def test_malformed_input_keeps_its_words() -> None:
    assert "hello world" in storage_to_text("<p>hello <b>world</p><p")


@settings(deadline=None)
@given(st.text(max_size=200), st.integers(0, 60))
def test_any_input_respects_max_chars(storage: str, max_chars: int) -> None:
    assert len(storage_to_text(storage, max_chars)) <= max_chars
    assert len(storage_to_mrkdwn(storage, max_chars)) <= max_chars


def test_shared_samples() -> None:
    samples = _samples()
    if not samples:
        pytest.skip(missing("the Confluence storage-format samples", SAMPLES))
    for path in samples:
        storage = path.read_text(encoding="utf-8")
        text = storage_to_text(storage, 300)
        assert text and len(text) <= 300
        assert "<" not in text and "&nbsp;" not in text
        assert len(storage_to_mrkdwn(storage, 300)) <= 300
    editor = (SAMPLES / "mark-export-editor.storage.xml").read_text(encoding="utf-8")
    text = storage_to_text(editor, 1000)
    assert text.startswith("Release process\nThe release is cut by")
    assert "colour" in text and "✅" in text
    assert "Midnight" not in text  # macro parameters are not content


ADA = '<ac:link><ri:user ri:account-id="557058:ada"/></ac:link>'
BOB = '<ac:link><ri:user ri:account-id="557058:bob"/></ac:link>'


def test_task_text_leaves_out_its_assignee_and_due_date() -> None:
    body = f'Ask {ADA} to <b>review</b> &amp; ping {BOB} <time datetime="2024-12-03"/> or later'
    assert task_text(body) == "Ask to review & ping @user or later"
    assert storage_to_text(body) == "Ask @user to review & ping @user 2024-12-03 or later"
    assert task_text(f"{ADA} <time datetime='2024-12-03'/>") == ""
    assert task_text("<p>first <time datetime='2024-12-03'/></p><p>then</p>") == "first\nthen"


@given(st.text(max_size=200), st.integers(min_value=0, max_value=50))
def test_task_text_never_raises_and_respects_max_chars(storage: str, max_chars: int) -> None:
    assert len(task_text(storage, max_chars)) <= max_chars
