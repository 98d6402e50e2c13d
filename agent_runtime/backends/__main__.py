"""``python -m agent_runtime.backends [--write]``: print or write docs/backends.md."""

from __future__ import annotations

import sys

from agent_runtime.backends._table import DOC_PATH, backends_markdown

if __name__ == "__main__":
    text = backends_markdown()
    if "--write" in sys.argv[1:]:
        DOC_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {DOC_PATH}", file=sys.stderr)
    else:
        sys.stdout.write(text)
