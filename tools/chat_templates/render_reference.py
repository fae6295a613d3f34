#!/usr/bin/env python3
"""Render every chat-template test case with jinja2, configured as transformers
configures it, and print the expected outputs as JSON.

The engine's Jinja test (tests/engine/test_jinja.cpp) renders the same cases and
requires byte-identical output. The cases come from tests/chat_templates/:

  cases.json          which templates run with which variables
  *.jinja             the templates
  conversations.json  the variables of the chat templates: named conversations
  variables.json      the variables of the templates that exercise one construct
  snippets.json       small templates with their own variables

Output: {"<case id>": {"output": "..."} or {"error": "<Type>: message"}, ...}
where the case ids are "<template>/<variables name>" and "snippet/<name>".

  /usr/bin/python3 tools/chat_templates/render_reference.py tests/chat_templates > expected.json

Needs Debian's python3-jinja2.
"""

from __future__ import annotations

import copy
import json
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

# The clock strftime_now reads, the same instant as the C++ test's.
NOW = datetime(2024, 7, 9, 15, 4, 5, 123456, tzinfo=timezone.utc)


class GenerationBlock(Extension):
    """{% generation %}...{% endgeneration %}: renders its body (transformers
    uses it to find the assistant's tokens; the output is the body's)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_environment() -> ImmutableSandboxedEnvironment:
    """The environment transformers compiles chat templates in."""

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        # json.dumps, unlike jinja2's own tojson, escapes no HTML.
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source: str, variables: dict) -> dict:
    # A copy: jinja2's indent filter extends a list it is given (s += "\n").
    variables = copy.deepcopy(variables)
    try:
        return {"output": env.from_string(source).render(**variables)}
    except Exception as error:  # every failure is an expected error case
        return {"error": f"{type(error).__name__}: {error}"}


def read(path: Path) -> str:
    # The bytes as they are: no newline translation, as the C++ test reads them.
    return path.read_bytes().decode("utf-8")


def cases(folder: Path):
    """(case id, template source, variables) for every case in cases.json."""
    manifest = json.loads(read(folder / "cases.json"))
    variable_sets = {
        "conversations": json.loads(read(folder / "conversations.json")),
        "variables": json.loads(read(folder / "variables.json")),
    }
    for group in manifest["groups"]:
        sets = variable_sets[group["variables"]]
        for template in group["templates"]:
            source = read(folder / template)
            for entry in sets:
                yield f"{template}/{entry['name']}", source, entry["variables"]
    for snippet in json.loads(read(folder / "snippets.json")):
        yield f"snippet/{snippet['name']}", snippet["template"], snippet.get("variables", {})


def main() -> None:
    # Python warns of the compiled code of templates that slice constants.
    warnings.simplefilter("ignore", SyntaxWarning)
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "tests/chat_templates"
    env = make_environment()
    expected = {}
    for case_id, source, variables in cases(folder):
        if case_id in expected:
            sys.exit(f"render_reference: the case {case_id} is defined twice")
        expected[case_id] = render(env, source, variables)
    json.dump(expected, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
