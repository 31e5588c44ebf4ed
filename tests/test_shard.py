"""Sharded batches: N copies of one command, each briefing its own slice of the inputs."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer._errors import ConfigurationError
from summarizer._shard import SCHEDULERS, Shard
from summarizer.cli import cli

from .conftest import archive

IDS = [f"articles/{k}/story-{i:04d}.txt" for k in ("a", "b") for i in range(500)]


def test_the_slices_cover_every_id_once_whatever_the_order() -> None:
    shards = [Shard(k, 4) for k in range(4)]
    slices = [[i for i in IDS if s.owns(i)] for s in shards]
    assert sorted(i for part in slices for i in part) == sorted(IDS)  # every id, exactly once
    assert all(180 < len(part) < 320 for part in slices)  # about a quarter each
    shuffled = IDS[:]
    random.Random(7).shuffle(shuffled)
    assert [[i for i in shuffled if s.owns(i)] for s in shards] != slices  # order kept as given
    assert [sorted(i for i in shuffled if s.owns(i)) for s in shards] == [sorted(p) for p in slices]
    assert Shard(0, 1).owns("anything")


@pytest.mark.parametrize(("given", "shard"), [("1/4", Shard(0, 4)), ("4/4", Shard(3, 4)),
                                              (" 2 / 3 ", Shard(1, 3)), ("AUTO", None)])
def test_k_of_n_is_parsed_from_one(given: str, shard: Shard | None) -> None:
    env = {"AWS_BATCH_JOB_ARRAY_INDEX": "0", "AWS_BATCH_JOB_ARRAY_SIZE": "2"}
    assert Shard.parse(given, env) == (shard or Shard(0, 2))


@pytest.mark.parametrize("given", ["0/4", "5/4", "2/0", "2", "two/four", "-1/4", ""])
def test_a_slice_that_cannot_be_is_a_clear_error(given: str) -> None:
    with pytest.raises(ConfigurationError, match="K/N"):
        Shard.parse(given, {})


@pytest.mark.parametrize(("env", "shard"), [
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard(3, 4)),
    # --array=1-4 numbers copies from 1: the first index is taken off.
    ({"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"},
     Shard(3, 4)),
    # --array=1-7:2 runs 1, 3, 5, 7: copies 0 to 3 of 4.
    ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1",
      "SLURM_ARRAY_TASK_STEP": "2"}, Shard(2, 4)),
    ({"AWS_BATCH_JOB_ARRAY_INDEX": "1", "AWS_BATCH_JOB_ARRAY_SIZE": "3"}, Shard(1, 3)),
    ({"JOB_COMPLETION_INDEX": "0", "SUMMARIZER_SHARD_COUNT": "5"}, Shard(0, 5)),
    ({"JOB_COMPLETION_INDEX": "2", "SUMMARIZER_SHARD_COUNT": "4",  # two that agree
      "AWS_BATCH_JOB_ARRAY_INDEX": "2", "AWS_BATCH_JOB_ARRAY_SIZE": "4"}, Shard(2, 4)),
])
def test_auto_reads_the_schedulers_variables(env: dict[str, str], shard: Shard) -> None:
    assert Shard.parse("auto", env) == shard


@pytest.mark.parametrize(("env", "words"), [
    ({}, "no array job's variables are set"),
    ({"JOB_COMPLETION_INDEX": "1"}, "SUMMARIZER_SHARD_COUNT is not"),
    ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"}, "not numbers"),
    ({"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1",
      "SLURM_ARRAY_TASK_STEP": "2"}, "step"),
    ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4"}, "does not exist"),
    ({"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4",
      "AWS_BATCH_JOB_ARRAY_INDEX": "2", "AWS_BATCH_JOB_ARRAY_SIZE": "4"}, "disagree"),
])
def test_auto_without_a_clear_answer_is_an_error(env: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        Shard.parse("auto", env)


def test_each_slice_writes_its_own_file() -> None:
    assert Shard(1, 4).output("out/briefs.jsonl") == str(Path("out/briefs.2-of-4.jsonl"))
    assert Shard(0, 2).output("briefs") == "briefs.1-of-2.jsonl"
    assert Shard(0, 2).output("-") == "-"


_SCHEDULER_VARS = {v for names in SCHEDULERS.values() for v in names if v}


def _run_copies(tmp_path: Path, copies: list[tuple[dict[str, str], str]]) -> list[Path]:
    """Copies of one command (each with its environment and --shard), run at once as an array
    job runs them; the output files they wrote."""
    archive = tmp_path / "archive.jsonl"
    out = tmp_path / "shared" / "briefs.jsonl"
    out.parent.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if k not in _SCHEDULER_VARS}
    procs = [subprocess.Popen([sys.executable, "-m", "summarizer", "batch", str(archive),
                               "--out", str(out), "--engine", "extractive", "--shard", shard,
                               "--quiet"], env={**base, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for env, shard in copies]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    return sorted(out.parent.glob("briefs.*-of-*.jsonl"))


def _ids(paths: list[Path]) -> list[str]:
    return [json.loads(line)["id"] for p in paths for line in p.read_text().splitlines()]


def test_four_copies_brief_two_hundred_articles_exactly_once(tmp_path: Path) -> None:
    archive(tmp_path, 200)
    copies: list[tuple[dict[str, str], str]] = [({}, f"{k}/4") for k in range(1, 5)]
    outputs = _run_copies(tmp_path, copies)
    assert [p.name for p in outputs] == [f"briefs.{k}-of-4.jsonl" for k in range(1, 5)]
    ids = _ids(outputs)
    assert sorted(ids) == [f"story-{i:03d}" for i in range(200)]  # the union, each once
    _run_copies(tmp_path, copies)  # rerun: every copy resumes, and writes nothing again
    assert sorted(_ids(outputs)) == sorted(ids)


@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
def test_auto_slices_an_array_job_of_each_scheduler(tmp_path: Path, scheduler: str) -> None:
    archive(tmp_path, 200)
    index_var, count_var, first_var = SCHEDULERS[scheduler]
    copies = [({index_var: str(k), count_var: "4", **({first_var: "0"} if first_var else {})},
               "auto") for k in range(4)]
    outputs = _run_copies(tmp_path, copies)
    assert [p.name for p in outputs] == [f"briefs.{k}-of-4.jsonl" for k in range(1, 5)]
    assert sorted(_ids(outputs)) == [f"story-{i:03d}" for i in range(200)]


def test_a_slice_holds_the_same_ids_when_the_inputs_come_in_another_order(
        tmp_path: Path) -> None:
    inputs = archive(tmp_path, 60)
    first = _ids(_run_copies(tmp_path, [({}, "2/3")]))
    lines = inputs.read_text(encoding="utf-8").splitlines()
    random.Random(3).shuffle(lines)
    inputs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for old in (tmp_path / "shared").glob("*.jsonl"):
        old.unlink()
    again = _ids(_run_copies(tmp_path, [({}, "2/3")]))
    assert sorted(again) == sorted(first) and again != first  # the same slice, in the new order


def test_a_bad_shard_is_a_usage_error_in_one_line(tmp_path: Path) -> None:
    inputs = archive(tmp_path, 3)
    result = CliRunner().invoke(cli, ["batch", str(inputs), "--engine", "extractive",
                                      "--shard", "5/4"])
    assert result.exit_code == 2 and "shard 5/4 does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_slurm_example_runs_as_an_array_of_copies(tmp_path: Path) -> None:
    # The script as sbatch would run it: one copy per array index, here against the fake server.
    from summarizer.testing import FakeOpenAIServer

    script = Path(__file__).resolve().parents[1] / "examples" / "slurm-array.sh"
    (tmp_path / "archive").mkdir()
    for i in range(24):
        (tmp_path / "archive" / f"s{i:02d}.txt").write_text(
            f"Gunmen killed {i + 3} villagers near Dori on Monday, police said.", encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if k not in _SCHEDULER_VARS}
    bindir = str(Path(sys.executable).parent)  # the summarizer command of this environment
    with FakeOpenAIServer() as server:
        procs = [subprocess.Popen(["bash", str(script)], cwd=tmp_path, env={
            **base, "PATH": f"{bindir}:{base.get('PATH', '')}", "OPENAI_BASE_URL": server.url,
            "SUMMARIZER_MODEL": "m", "SLURM_ARRAY_TASK_ID": str(k), "SLURM_ARRAY_TASK_COUNT": "8",
            "SLURM_ARRAY_TASK_MIN": "0"}, stderr=subprocess.PIPE) for k in range(8)]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
    outputs = sorted((tmp_path / "out").glob("briefs.*-of-8.jsonl"))
    assert len(outputs) == 8
    assert sorted(_ids(outputs)) == sorted(f"s{i:02d}.txt" for i in range(24))


def test_the_kubernetes_example_gives_each_pod_its_slice() -> None:
    manifest = (Path(__file__).resolve().parents[1] / "examples" / "k8s-indexed-job.yaml"
                ).read_text(encoding="utf-8")
    assert "completionMode: Indexed" in manifest and "--shard auto" in manifest
    completions = re.search(r"completions: (\d+)", manifest)
    count = re.search(r"SUMMARIZER_SHARD_COUNT.*\n\s*value: \"(\d+)\"", manifest)
    assert completions and count and completions.group(1) == count.group(1)
    pods = [Shard.parse("auto", {"JOB_COMPLETION_INDEX": str(k),
                                 "SUMMARIZER_SHARD_COUNT": count.group(1)})
            for k in range(int(completions.group(1)))]
    assert [p.index for p in pods] == list(range(int(completions.group(1))))
