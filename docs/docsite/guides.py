"""The README's guides as pages of the documentation site: each section below becomes a Markdown page
(read by MyST), its headings raised so that the section's own heading is the page's title; the site
opens on them, and antsibull-docs' collection index becomes the reference page.

    python3 docs/docsite/guides.py README.md .build/docs-src/rst
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# page name -> how the README heading that starts it begins; a page runs to the next heading of its
# level or above, or to the start of another page.
PAGES = {
    "engine": "The main job",
    "registry": "A private registry",
    "swarm": "A Docker Swarm",
    "modules": "Modules",
    "host-checks": "Diagnose a fleet",
    "real-hosts": "Using it on real hosts",
    "compose": "Compose projects on a fleet",
    "releasing": "Releasing",
}
HEADING = re.compile(r"^(#{2,4}) (.+)$")
INTRODUCTION = (
    "An Ansible collection that turns plain Linux servers into well-configured Docker hosts and manages what"
    " runs on them. The guides below are the README's; the reference has a page for every module, filter and"
    " role, from their own documentation."
)


def pages(readme: str) -> dict[str, str]:
    lines = readme.splitlines()
    starts = []
    fenced = False
    for number, line in enumerate(lines):
        fenced = fenced != line.startswith("```")
        found = None if fenced else HEADING.match(line)
        if found:
            starts.append((number, len(found.group(1)), found.group(2)))
    result = {}
    for name, prefix in PAGES.items():
        index = next((i for i, (_n, _l, text) in enumerate(starts) if text.startswith(prefix)), None)
        if index is None:
            raise SystemExit(f"README.md has no section that starts with {prefix!r}")
        first, level, _text = starts[index]
        end = len(lines)
        for number, other_level, text in starts[index + 1 :]:
            if other_level <= level or any(text.startswith(p) for p in PAGES.values()):
                end = number
                break
        body = []
        fenced = False
        for line in lines[first:end]:
            fenced = fenced != line.startswith("```")
            body.append(line[level - 1 :] if not fenced and HEADING.match(line) else line)
        result[name] = "\n".join(body).rstrip() + "\n"
    return result


def main() -> None:
    readme, target = Path(sys.argv[1]), Path(sys.argv[2])
    for name, text in pages(readme.read_text()).items():
        (target / f"{name}.md").write_text(text)
    # antsibull-docs' index (every plugin and role) becomes the reference; the site opens on the guides.
    (target / "index.rst").rename(target / "reference.rst")
    guides = "\n".join(f"   {name}" for name in PAGES)
    (target / "index.rst").write_text(
        f"dockyard.docker\n===============\n\n{INTRODUCTION}\n\n"
        f".. toctree::\n   :maxdepth: 1\n   :caption: Guides\n\n{guides}\n\n"
        ".. toctree::\n   :maxdepth: 1\n   :caption: Reference\n\n   reference\n"
    )


if __name__ == "__main__":
    main()
