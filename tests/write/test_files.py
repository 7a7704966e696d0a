"""A thread's files: each once, with stable attachment names."""

from __future__ import annotations

from bot.write.files import files_in


def test_files_in_keeps_each_file_once_and_names_attachments_stably() -> None:
    f = {"id": "F9", "name": "a/b:c.txt", "mimetype": "text/plain", "size": 3}
    files = files_in([{"files": [f]}, {"files": [f, {"id": "F8", "mode": "tombstone"}]}])
    assert [x.id for x in files] == ["F9"]
    assert files[0].attachment_name == "F9-a_b_c.txt" and not files[0].is_image
