"""The Batch API of the fake OpenAI server: ``/v1/files`` and ``/v1/batches`` on a short clock.

A batch is validating, then in progress, then finalizing, then done, each for a third of
``seconds``; each line of its input is answered as the server answers a live request, by
``responder(custom_id, body)``, else the extractive brief). Faults on demand: a batch that
ends ``failed``, ``expired`` or ``cancelled`` (the last two with half of their lines done), lines
answered by an error (``line_errors``), and lines of garbage in the output (``garbage``). Counts
what it was sent: ``uploads`` and ``created``.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

# The chat completion that answers one request body as a scripted reply says (None: the
# server's default), by the server's live logic.
Complete = Callable[[dict[str, Any], Any], dict[str, Any]]
TERMINAL = ("completed", "failed", "expired", "cancelled")
_PHASES = ("validating", "in_progress", "finalizing")


class FakeBatches:
    """Files and batches kept in memory; see the module's docstring."""

    def __init__(self, complete: Complete) -> None:
        self._complete = complete
        self.seconds = 0.3
        self.outcome = "completed"
        self.line_errors: set[str] = set()
        self.garbage = 0
        #: Decides a line's reply from its custom_id and body (a Reply, or None: the default).
        self.responder: Callable[[str, dict[str, Any]], Any] | None = None
        self.uploads = 0
        self.created = 0
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    # --- the endpoints: (status, JSON body or bytes) ----------------------------------------

    def upload(self, content_type: str, raw: bytes) -> tuple[int, Any]:
        """POST /v1/files: a multipart form with ``purpose`` and ``file``."""
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
        fields = {part.get_param("name", header="content-disposition"):
                  part.get_payload(decode=True) for part in message.iter_parts()}
        data = fields.get("file")
        if not isinstance(data, bytes) or fields.get("purpose") != b"batch":
            return 400, _error("a batch file is a multipart 'file' with purpose 'batch'")
        with self._lock:
            file_id = f"file-{next(self._ids)}"
            self.files[file_id] = data
            self.uploads += 1
        return 200, {"id": file_id, "object": "file", "bytes": len(data), "purpose": "batch",
                     "created_at": int(time.time()), "filename": "batch.jsonl",
                     "status": "processed"}

    def create(self, body: dict[str, Any]) -> tuple[int, Any]:
        """POST /v1/batches."""
        file_id = body.get("input_file_id")
        if file_id not in self.files or body.get("endpoint") != "/v1/chat/completions":
            return 400, _error(f"no such input file {file_id!r}, or an endpoint not served")
        with self._lock:
            batch_id = f"batch_{next(self._ids)}"
            self.created += 1
            lines = [x for x in self.files[file_id].decode().split("\n") if x.strip()]
            self.batches[batch_id] = {
                "id": batch_id, "object": "batch", "endpoint": body["endpoint"],
                "input_file_id": file_id, "completion_window": body.get("completion_window"),
                "created_at": int(time.time()), "status": "validating", "errors": None,
                "output_file_id": None, "error_file_id": None, "metadata": body.get("metadata"),
                "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                "_started": time.monotonic(), "_lines": lines, "_cancelled": False}
        return 200, self._public(self.batches[batch_id])

    def retrieve(self, batch_id: str) -> tuple[int, Any]:
        """GET /v1/batches/{id}: where it stands now."""
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, _error(f"no such batch {batch_id!r}")
        self._advance(batch)
        return 200, self._public(batch)

    def listing(self) -> tuple[int, Any]:
        """GET /v1/batches: newest first, one page."""
        for batch in self.batches.values():
            self._advance(batch)
        data = [self._public(b) for b in reversed(list(self.batches.values()))]
        return 200, {"object": "list", "data": data, "has_more": False,
                     "first_id": data[0]["id"] if data else None,
                     "last_id": data[-1]["id"] if data else None}

    def cancel(self, batch_id: str) -> tuple[int, Any]:
        """POST /v1/batches/{id}/cancel."""
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, _error(f"no such batch {batch_id!r}")
        batch["_cancelled"] = True
        return self.retrieve(batch_id)

    def content(self, file_id: str) -> tuple[int, Any]:
        """GET /v1/files/{id}/content."""
        data = self.files.get(file_id)
        return (200, data) if data is not None else (404, _error(f"no such file {file_id!r}"))

    # --- the clock ----------------------------------------------------------------------------

    def _advance(self, batch: dict[str, Any]) -> None:
        with self._lock:
            if batch["status"] in TERMINAL:
                return
            phase = int((time.monotonic() - batch["_started"]) / (self.seconds / 3))
            if phase < len(_PHASES) and not batch["_cancelled"]:
                batch["status"] = _PHASES[phase]
                return
            outcome = "cancelled" if batch["_cancelled"] else self.outcome
            self._finish(batch, outcome)

    def _finish(self, batch: dict[str, Any], outcome: str) -> None:
        lines = batch["_lines"]
        now = int(time.time())
        batch["status"] = outcome
        batch[f"{outcome}_at"] = now
        if outcome == "failed":
            batch["errors"] = {"object": "list", "data": [
                {"code": "invalid_request", "message": "the input file could not be read"}]}
            return
        done = lines if outcome == "completed" else lines[:len(lines) // 2]
        output, errors = [], []
        for n, line in enumerate(done):
            request = json.loads(line)
            custom_id = request["custom_id"]
            if custom_id in self.line_errors:
                errors.append({"id": f"req_{n}", "custom_id": custom_id, "response": None,
                               "error": {"code": "server_error", "message": "internal error"}})
                continue
            output.append({"id": f"req_{n}", "custom_id": custom_id, "error": None, "response": {
                "status_code": 200, "request_id": f"req_{n}",
                "body": self._complete(request["body"], self.responder(custom_id, request["body"])
                                       if self.responder else None)}})
        text = [json.dumps(x) for x in output] + ["{garbage"] * self.garbage
        batch["output_file_id"] = self._store("\n".join(text) + "\n") if text else None
        batch["error_file_id"] = self._store(
            "\n".join(json.dumps(x) for x in errors) + "\n") if errors else None
        batch["request_counts"].update(completed=len(output), failed=len(errors))

    def _store(self, text: str) -> str:
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = text.encode()
        return file_id

    @staticmethod
    def _public(batch: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in batch.items() if not k.startswith("_")}


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error"}}
