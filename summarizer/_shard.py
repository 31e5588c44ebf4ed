"""One slice of a batch, for N copies of one command on a cluster scheduler's array job: each
copy takes the articles whose id hashes to its slice, so the slices are disjoint, cover every
article, and do not depend on the order (or the machine) the inputs were listed in."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ._errors import ConfigurationError

T = TypeVar("T")
_GIVEN = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
#: Where ``--shard auto`` finds its slice: the variables each scheduler sets in every copy
#: (index, count, and the first index where the scheduler numbers from a value of the user's).
SCHEDULERS = {
    "Slurm": ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN"),
    "AWS Batch": ("AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", None),
    # An Indexed Job sets the index only: its manifest passes the count (spec.completions).
    "Kubernetes": ("JOB_COMPLETION_INDEX", "SUMMARIZER_SHARD_COUNT", None),
}


def _stepped(offset: int, step: int) -> int:
    """A Slurm array's copy number from its offset from the first (--array=1-7:2 runs 1, 3, 5
    and 7: copies 0 to 3)."""
    if step < 1 or offset % step:
        raise ValueError("an array index off its step")
    return offset // step


@dataclass(frozen=True)
class Shard:
    """Slice ``index`` (from 0) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ConfigurationError(f"shard {self.index + 1}/{self.count} does not exist: "
                                     f"K/N needs 1 <= K <= N")

    @classmethod
    def parse(cls, text: str, environ: Mapping[str, str]) -> Shard:
        """``K/N`` (K from 1 to N), or ``auto``: the array job's own variables."""
        if text.strip().lower() == "auto":
            return cls.from_scheduler(environ)
        m = _GIVEN.fullmatch(text)
        if not m or int(m.group(2)) < 1:
            raise ConfigurationError(f"--shard {text!r}: give K/N (this copy's slice K of N, "
                                     "as 2/4) or auto")
        return cls(int(m.group(1)) - 1, int(m.group(2)))

    @classmethod
    def from_scheduler(cls, environ: Mapping[str, str]) -> Shard:
        """The slice the scheduler's variables give; an error if none does, or two disagree."""
        found: dict[str, Shard] = {}
        for name, (index_var, count_var, first_var) in SCHEDULERS.items():
            if index_var not in environ:
                continue
            try:
                index = int(environ[index_var]) - int(environ.get(first_var or "", "0") or 0)
                count = int(environ[count_var])
                index = _stepped(index, int(environ.get("SLURM_ARRAY_TASK_STEP", "1") or 1)
                                 if name == "Slurm" else 1)
            except KeyError:
                raise ConfigurationError(f"--shard auto: {index_var} is set but {count_var} is "
                                         f"not ({name})") from None
            except ValueError:
                raise ConfigurationError(f"--shard auto: {name}'s variables are not numbers on "
                                         "the array's step "
                                         f"({index_var}={environ[index_var]!r}, "
                                         f"{count_var}={environ.get(count_var)!r})") from None
            found[name] = cls(index, count)
        if not found:
            raise ConfigurationError(
                "--shard auto: no array job's variables are set (Slurm's SLURM_ARRAY_TASK_ID, "
                "AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX, Kubernetes' JOB_COMPLETION_INDEX with "
                "SUMMARIZER_SHARD_COUNT); give --shard K/N")
        if len(set(found.values())) > 1:
            said = ", ".join(f"{name} {s.index + 1}/{s.count}" for name, s in found.items())
            raise ConfigurationError(f"--shard auto: the schedulers' variables disagree ({said})")
        return next(iter(found.values()))

    def owns(self, article_id: str) -> bool:
        """True if the article with this id is this slice's."""
        digest = hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index

    def select(self, items: Iterable[T], key: str = "id") -> list[T]:
        """The items of this slice, in the order given."""
        return [item for item in items if self.owns(str(getattr(item, key)))]

    def output(self, path: str) -> str:
        """This slice's output file beside ``path``: ``briefs.jsonl`` -> ``briefs.2-of-4.jsonl``
        (so the N copies can share one folder); standard output stays standard output."""
        if path == "-":
            return path
        p = Path(path)
        suffix = p.suffix or ".jsonl"
        return str(p.with_name(f"{p.stem if p.suffix else p.name}.{self.index + 1}-of-"
                               f"{self.count}{suffix}"))
