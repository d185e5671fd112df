"""The README's Python examples: rosetta's translations of its TypeScript ones.

`sync README.md .jsii.tabl.json` writes, after every ```ts block, a ```python block
holding jsii-rosetta's translation of it (replacing the one there), so the two never
drift apart; `jsii-rosetta extract --strict` has compiled each TypeScript block first.
`python_blocks(text)` gives the Python blocks, for check-python-bindings.py to check.
"""
import json
import pathlib
import re
import sys
from typing import Dict, List, Tuple

FENCE = re.compile(r"^```(\w*)\s*$")


def fenced_blocks(lines: List[str]) -> List[Tuple[str, int, int]]:
    """(language, index of the opening fence, index of the closing fence) of each fenced block."""
    blocks = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening:
            end = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == "```"), None)
            if end is None:
                raise ValueError(f"line {i + 1}: code block never closed")
            blocks.append((opening.group(1), i, end))
            i = end + 1
        else:
            i += 1
    return blocks


def python_blocks(text: str) -> List[Tuple[int, str]]:
    """(1-based line of the fence, source) of each ```python block."""
    lines = text.split("\n")
    return [(start + 1, "\n".join(lines[start + 1:end])) for lang, start, end in fenced_blocks(lines) if lang == "python"]


def translations(tablet: dict) -> Dict[str, str]:
    """Python translation of each README snippet, keyed by its TypeScript source."""
    found = {}
    for snippet in tablet["snippets"].values():
        if snippet["location"]["api"].get("api") != "moduleReadme":
            continue
        found[snippet["translations"]["$"]["source"].strip()] = snippet["translations"]["python"]["source"].rstrip()
    return found


def sync(text: str, python_of: Dict[str, str]) -> str:
    lines = text.split("\n")
    blocks = fenced_blocks(lines)
    out: List[str] = []
    done = 0
    skip_until = -1
    for index, (lang, start, end) in enumerate(blocks):
        if start <= skip_until:
            continue
        if lang != "ts":
            continue
        source = "\n".join(lines[start + 1:end]).strip()
        if source not in python_of:
            raise ValueError(f"README line {start + 1}: no translation for this ```ts block; compile (jsii) and run jsii-rosetta extract first")
        out.extend(lines[done:end + 1])
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        resume = end + 1
        if following and following[0] == "python" and all(not line.strip() for line in lines[end + 1:following[1]]):
            resume = following[2] + 1
            skip_until = following[1]
        out.extend(["", "```python", python_of[source], "```"])
        done = resume
    out.extend(lines[done:])
    return "\n".join(out)


def main(argv: List[str]) -> int:
    if len(argv) != 3 or argv[0] != "sync":
        print("usage: readme_python.py sync README.md .jsii.tabl.json", file=sys.stderr)
        return 2
    readme, tablet = pathlib.Path(argv[1]), pathlib.Path(argv[2])
    before = readme.read_text(encoding="utf-8")
    try:
        after = sync(before, translations(json.loads(tablet.read_text(encoding="utf-8"))))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    if after != before:
        readme.write_text(after, encoding="utf-8")
    print(f"{readme}: {len(python_blocks(after))} Python examples, translated by jsii-rosetta")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
