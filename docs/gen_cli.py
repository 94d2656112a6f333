"""The command-line reference page (pages/cli.md), written from amd's own --help texts: a MkDocs
hook (``hooks: [gen_cli.py]`` in mkdocs.yml) runs it before every build, so the page cannot go
stale; ``python docs/gen_cli.py`` writes it by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parent / "pages" / "cli.md"
COMMANDS = ["solve", "validate", "expand", "schema", "verify", "implementable", "classic", "batch", "library",
            "sweep", "plot"]


def help_text(*args: str) -> str:
    env = os.environ | {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-m", "amd", *args, "--help"], capture_output=True, text=True, env=env,
                         check=True)
    text = "\n".join(line.rstrip() for line in out.stdout.strip().splitlines())
    return text.replace("python -m amd", "amd")


def page() -> str:
    parts = ["# Command line\n", "Written from `amd --help` when the site is built (docs/gen_cli.py).\n",
             "```text\n" + help_text() + "\n```\n"]
    parts += [f"## amd {cmd}\n\n```text\n{help_text(cmd)}\n```\n" for cmd in COMMANDS]
    return "\n".join(parts)


def on_pre_build(config, **kwargs) -> None:
    PAGE.write_text(page())


if __name__ == "__main__":
    PAGE.write_text(page())
