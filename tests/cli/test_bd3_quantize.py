"""bd3 quantize as a person uses it: a float model folder in, a smaller one out
that every other command opens, its drift printed by bd3 eval --reference, and
clear errors for what it cannot do."""

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BD3 = os.environ.get("BD3_EXE", str(ROOT / "build/release/app/bd3/bd3"))
SDAR = ROOT / "tests/fixtures/qwen/tiny-sdar"
TEXT = ROOT / "README.md"


def bd3(*args):
    result = subprocess.run([BD3, *map(str, args)], capture_output=True, timeout=600)
    return result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")


def test_a_quantized_folder_opens_generates_and_says_its_type(tmp_path):
    out = tmp_path / "sdar-q4"
    code, stdout, err = bd3("quantize", SDAR, out, "--type", "q4_0")
    assert code == 0, err
    assert "matrices in q4_0" in stdout
    assert (out / "tokenizer.model").read_bytes() == (SDAR / "tokenizer.model").read_bytes()
    assert json.loads((out / "config.json").read_text())["quantization_config"]["weight_type"] == "q4_0"

    code, stdout, err = bd3("info", "-m", out)
    assert code == 0, err
    assert "(q4_0)" in stdout

    code, stdout, err = bd3("generate", "-m", out, "-p", "The licence", "-n", "8", "--seed", "3", "--threads", "1")
    assert code == 0, err
    assert stdout.startswith("The licence")


def test_eval_prints_the_drift_from_the_float_model(tmp_path):
    out = tmp_path / "sdar-q8"
    assert bd3("quantize", SDAR, out, "-t", "q8_0", "-q")[0] == 0
    code, stdout, err = bd3("eval", "-m", out, "--reference", SDAR, "-f", TEXT, "-b", "4", "--max-tokens", "120",
                            "-q", "--json", tmp_path / "eval.json")
    assert code == 0, err
    assert "drift from the reference" in stdout
    drift = json.loads((tmp_path / "eval.json").read_text())[0]["drift"]
    assert 0 < drift["log_prob_mean_abs"] < drift["log_prob_max_abs"]

    # A model of another vocabulary cannot be a reference.
    code, _, err = bd3("eval", "-m", out, "--reference", ROOT / "tests/fixtures/parity/model", "-f", TEXT, "-q")
    assert code == 1 and "not the same model's other weights" in err


def test_bench_runs_on_the_threads_asked_for(tmp_path):
    code, stdout, err = bd3("bench", "-m", SDAR, "-b", "4", "-n", "8", "--threads", "1", "--json")
    assert code == 0, err
    assert json.loads(stdout)["threads"] == 1
    code, _, err = bd3("bench", "-m", SDAR, "--threads", "0")
    assert code != 0 and "--threads" in err


def test_what_quantize_cannot_do_is_a_clear_error(tmp_path):
    code, _, err = bd3("quantize", SDAR, tmp_path / "x", "--type", "q5_k")
    assert code == 1 and "the quantized types are q8_0 and q4_0" in err
    code, _, err = bd3("quantize", SDAR, tmp_path, "--type", "q8_0")
    assert code == 1 and "already exists" in err
    assert bd3("quantize", SDAR, tmp_path / "q8", "--type", "q8_0", "-q")[0] == 0
    code, _, err = bd3("quantize", tmp_path / "q8", tmp_path / "q4", "--type", "q4_0")
    assert code == 1 and "already quantized" in err
    assert not (tmp_path / "q4").exists() and not (tmp_path / ".q4.partial").exists()
