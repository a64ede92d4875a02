"""Write one benchmark's section of ``bench/README.md`` (shared by the bench scripts).

Two kinds of section: one between HTML comment markers (:func:`replace_marked`), and one that
runs from its ``## heading`` to the next ``## `` heading (:func:`replace_section`). A section
not yet in the file is appended; the file is replaced atomically.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def _write(readme: Path, text: str) -> None:
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(text)
    tmp.replace(readme)


def replace_marked(block: str, start: str, end: str, readme: Path = README) -> None:
    """Put ``block`` (which begins with ``start`` and ends with ``end``) in place of the old one."""
    old = readme.read_text() if readme.exists() else "# Benchmarks\n"
    if start in old and end in old:
        new = old[: old.index(start)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    _write(readme, new)


def replace_section(body: str, head: str, readme: Path = README) -> None:
    """Put ``body`` (which begins with the line ``head``) in place of the section ``head``."""
    old = readme.read_text() if readme.exists() else "# Benchmarks\n\n"
    if head in old:
        new = re.sub(rf"{re.escape(head)}\n.*?(?=\n## |\Z)", body.rstrip("\n"), old, flags=re.S)
        if not new.endswith("\n"):
            new += "\n"
    else:
        new = old.rstrip("\n") + "\n\n" + body
    _write(readme, new)
