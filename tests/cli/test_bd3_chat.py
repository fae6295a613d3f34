"""Chat turns on the command line, with a random-weight SDAR folder that carries
Qwen3's real tokenizer files and chat template (tools/make_qwen_model.py
--layout small-sdar): the prompt each turn starts from is the template rendered
exactly as transformers renders it (jinja2, in the same environment), its
special tokens are single ids, and a reply never shows the template's tokens."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BD3 = os.environ.get("BD3_EXE", str(ROOT / "build/release/app/bd3/bd3"))
sys.path.insert(0, str(ROOT / "tools/chat_templates"))
sys.path.insert(0, str(ROOT / "tools"))

from render_reference import make_environment  # noqa: E402

IM_START, IM_END = 151644, 151645


def bd3(*args, input_text=None):
    result = subprocess.run([BD3, *map(str, args)], capture_output=True, timeout=600,
                            input=None if input_text is None else input_text.encode())
    return result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def sdar(tmp_path_factory):
    import make_qwen_model

    folder = tmp_path_factory.mktemp("models") / "small-sdar"
    make_qwen_model.make_model("small-sdar", folder)
    return folder


def reference_prompt(folder, messages, **flags):
    """The template of tokenizer_config.json rendered by jinja2 as transformers does."""
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    special = {k: config[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token", "mask_token")
               if isinstance(config.get(k), str)}
    template = make_environment().from_string(config["chat_template"])
    return template.render(messages=messages, tools=None, documents=None, add_generation_prompt=True,
                           **special, **flags)


def test_info_names_the_template_and_the_mask(sdar):
    code, out, err = bd3("info", "-m", sdar)
    assert code == 0, err
    assert "chat         template from" in out and "tokenizer_config.json" in out
    assert "(with a thinking switch)" in out
    assert "MASK 151669" in out
    assert "151645" in out.split("stops at")[1]  # <|im_end|> ends a turn


def test_a_typed_control_token_stays_text_unless_asked(sdar):
    code, out, err = bd3("tokenize", "-m", sdar, "--ids-only", "<|im_start|>user")
    assert code == 0, err
    assert str(IM_START) not in out.split()
    code, out, err = bd3("tokenize", "-m", sdar, "--ids-only", "--special", "<|im_start|>user")
    assert code == 0, err
    assert out.split()[0] == str(IM_START)


@pytest.mark.parametrize("thinking", [None, "false"])
def test_one_turn_renders_the_template_as_transformers_does(sdar, tmp_path, thinking):
    trace = tmp_path / "turn.json"
    args = ["generate", "-m", sdar, "--chat", "--system", "Answer briefly.", "-p", "What is 2 + 2? 世界",
            "-n", "8", "--seed", "3", "--trace", trace]
    flags = {}
    if thinking:
        args += ["--thinking", thinking]
        flags["enable_thinking"] = False
    code, out, err = bd3(*args)
    assert code == 0, err
    doc = json.loads(trace.read_text(encoding="utf-8"))
    expected = reference_prompt(sdar, [{"role": "system", "content": "Answer briefly."},
                                       {"role": "user", "content": "What is 2 + 2? 世界"}], **flags)
    assert doc["prompt"] == expected
    assert doc["options"]["prompt_special_tokens"] is True
    if thinking:
        assert expected.endswith("<think>\n\n</think>\n\n")
    # The special tokens are single ids: as many prompt tokens as the
    # special-token encoding of the rendered text gives.
    code, ids, err = bd3("tokenize", "-m", sdar, "--ids-only", "--special", expected)
    assert code == 0, err
    assert doc["finished"]["prompt_tokens"] == len(ids.split())
    assert ids.split().count(str(IM_START)) == 3
    # Only the reply is printed, never the template.
    assert "<|im_start|>" not in out and "Answer briefly." not in out
    assert out == doc["finished"]["text"] + "\n"


def test_chat_keeps_the_conversation(sdar):
    code, out, err = bd3("chat", "-m", sdar, "-n", "6", "--seed", "1", "--system", "Be kind.",
                         input_text="Hello there\nAnd a second \\\nline\n/reset\nAfter reset\n/quit\nignored\n")
    assert code == 0, err
    assert "chat with small-sdar" in err
    assert err.count("stop: ") == 3 and "(a new conversation)" in err
    assert len(out.splitlines()) >= 3
    assert "<|im_start|>" not in out


def test_a_folder_without_a_template_says_so(tmp_path, sdar):
    code, _, err = bd3("generate", "--chat", "-p", "hello", "-n", "4")  # the default model
    assert code == 1
    assert "has no chat template" in err and "without --chat" in err
    broken = tmp_path / "broken"
    subprocess.run(["cp", "-r", str(sdar), str(broken)], check=True)
    (broken / "chat_template.jinja").write_text("{% for m in messages %}\n{{ m.content }\n", encoding="utf-8")
    code, _, err = bd3("generate", "-m", broken, "--chat", "-p", "hello", "-n", "4")
    assert code == 1
    assert "chat template cannot be used" in err and "chat_template.jinja" in err and "line 2" in err
    code, out, err = bd3("generate", "-m", broken, "-p", "hello", "-n", "4", "--seed", "1")
    assert code == 0, err  # it still continues text
    code, out, _ = bd3("info", "-m", broken)
    assert "template unusable" in out
