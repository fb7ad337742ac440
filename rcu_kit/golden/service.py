"""The preventive match as an HTTP JSON service (``rcu-kit serve``).

A web form or a CRM asks, before creating a customer, whether it is already known: the service
holds the engagement's :class:`~rcu_kit.golden.preventive.ReferenceIndex` in memory and answers
with the index's own match (the curative run's blocking, features and model), so an answer is
the one ``ReferenceIndex.match`` gives in process.

* ``POST /match``: ``{"record": {...}, "top": 5}`` -> the ``decision`` (``same``, ``possible``,
  ``new``: :func:`~rcu_kit.golden.preventive.decision`) and the candidate customers, each with
  its match probability and the evidence per compared attribute;
* ``POST /records``: ``{"record": {"source": ..., "record_id": ..., ...}, "customer_id": ...}``
  adds a record to the reference, or replaces the record with that source and id; the next
  query finds it. Without a ``customer_id`` the record joins the customer it matches (decision
  ``same``), keeps its customer when it replaces a record, else gets a new id (``N0000001``...;
  a ``customer_id`` given in that form must be one the service already gave, else 422).
  The additions live in the service's log only: they are not written back into the curative
  run's ``crosswalk.csv`` or golden records (a record reaches those through its source).
  Each addition is written to an append-only log (:class:`AdditionLog`, JSON lines in the
  engagement's ``golden/`` folder, flushed to disk before the answer) and replayed at start;
* ``GET /health``; ``GET /openapi.json``, the OpenAPI document FastAPI generates (the
  interactive ``/docs`` page is left out: it loads its scripts from a CDN).

When a token is given (``RCU_API_TOKEN`` for ``rcu-kit serve``), ``/match`` and ``/records``
require ``Authorization: Bearer <token>`` (else 401). Bodies are pydantic models: bad JSON, a
wrong type or an unknown attribute is a 422 naming the field (unknown attributes with the known
ones and a close-name suggestion, :func:`~rcu_kit.golden.preventive.check_record_keys`); bodies
over ``max_body_bytes`` are refused with 413. The log lines say which endpoint answered, its
status, time and decision, never a value of the record.

A process answers one request at a time on its event loop's thread: a match is CPU work under
the GIL (threads would not make it faster). ``rcu-kit serve --workers N`` runs N processes
(uvicorn's workers, each building its app with :func:`worker_app`), each holding the index in
memory: they share the additions log, each reading what the others appended before it answers
and appending under the log's lock (:class:`AdditionLog`), so an insert one worker acknowledged
is found by a match on any other. Each process runs the match once before its first request
(:meth:`~rcu_kit.golden.preventive.ReferenceIndex.warm_up_matching`) and freezes its heap once
ready (:func:`freeze_heap`): a first match's set-up and Python's full garbage collections were
the slowest answers.

Examples:
    >>> from fastapi.testclient import TestClient  # doctest: +SKIP
    >>> client = TestClient(create_app(index, log_path=tmp / "additions.jsonl"))  # doctest: +SKIP
    >>> client.post("/match", json={"record": {"last_name": "Dupont", "email": "jd@free.fr"}}
    ...             ).json()["decision"]  # doctest: +SKIP
    'same'
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, \
    model_validator
from pydantic_core import PydanticCustomError

from rcu_kit.golden.preventive import (MATCH_ATTRIBUTES, POSSIBLE_FROM, ReferenceIndex,
                                       UnknownAttributes, check_record_keys, decision)
from rcu_kit.standardise.single import standardise_record

try:
    import fcntl
except ImportError:       # Windows: no flock, one process
    fcntl = None

__all__ = ["create_app", "AdditionLog", "additions_log_path", "engagement_app", "worker_app",
           "configure_logging", "build_reference_apart", "freeze_heap", "MAX_BODY_BYTES",
           "NEW_CUSTOMER_PREFIX", "ENGAGEMENT_VARIABLE"]

LOGGER = logging.getLogger("rcu_kit.service")
MAX_BODY_BYTES = 16_384          # one record is a few hundred bytes
MAX_VALUE_LENGTH = 500           # characters of one attribute value
NEW_CUSTOMER_PREFIX = "N"        # customers created by the service: N0000001, N0000002...
# The engagement file of the worker processes of ``rcu-kit serve --workers N`` (worker_app).
ENGAGEMENT_VARIABLE = "RCU_SERVE_ENGAGEMENT"

_Value = Annotated[str, StringConstraints(strict=True, max_length=MAX_VALUE_LENGTH)]


def additions_log_path(engagement: Any) -> Path:
    """Where the service keeps the records it added: ``<output>/golden/additions.jsonl``."""
    from rcu_kit.core.paths import step_dir

    return step_dir(engagement, "golden") / "additions.jsonl"


class AdditionLog:
    """Append-only log of the records added through the service, one JSON object a line.

    Several worker processes (``rcu-kit serve --workers N``) share one log: each reads what the
    others appended (:meth:`read_new`, before every answer) and appends under an exclusive lock
    (:meth:`locked`, ``fcntl.flock``; on a system without it, one process only). :meth:`append`
    returns once the line is on disk (flushed and ``fsync``-ed), so an acknowledged addition
    survives a crash; :meth:`entries` reads them all back in order. A last line cut short (a
    crash while writing it: never acknowledged) is skipped, and cut off before the next
    append; a damaged line before it is an error naming the line.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = None
        self.offset = 0      # bytes of the file read by read_new (whole lines)
        self.lines = 0       # lines read by read_new

    def entries(self) -> list[dict[str, Any]]:
        """The logged additions, oldest first (none when the file does not exist yet)."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            LOGGER.warning("%s: line %d cut short (never acknowledged), skipped",
                           self.path.name, data.count(b"\n") + 1)
        return self._parse(data[:end], 1)

    def read_new(self) -> list[dict[str, Any]]:
        """The additions appended since the last call, by this process or another, oldest
        first: whole lines only (a line being written is read at the next call)."""
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            return []
        if size <= self.offset:
            return []
        with self.path.open("rb") as fh:
            fh.seek(self.offset)
            data = fh.read(size - self.offset)
        data = data[:data.rfind(b"\n") + 1]
        entries = self._parse(data, self.lines + 1)
        self.offset += len(data)
        self.lines += data.count(b"\n")
        return entries

    def unfinished_bytes(self) -> int:
        """Bytes after the last whole line :meth:`read_new` read (a line cut short, or being
        written by another process)."""
        try:
            return max(os.stat(self.path).st_size - self.offset, 0)
        except FileNotFoundError:
            return 0

    def _parse(self, data: bytes, first_line: int) -> list[dict[str, Any]]:
        out = []
        for number, line in enumerate(data.split(b"\n")[:-1], start=first_line):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                if not isinstance(entry, dict) or not isinstance(entry.get("record"), dict):
                    raise ValueError("not an addition")
            except ValueError:
                raise ValueError(f"{self.path}: line {number} is not an addition written by "
                                 "rcu-kit serve; restore the file from a backup or remove "
                                 "that line") from None
            out.append(entry)
        return out

    def _handle(self):
        if self._file is None:
            self._file = self.path.open("ab")
        return self._file

    @contextlib.contextmanager
    def locked(self):
        """Hold the log's exclusive lock: another process's :meth:`append` waits (read every
        line with :meth:`read_new`, then :meth:`append`, within it)."""
        if fcntl is None:          # no flock (Windows): rcu-kit serve runs one process there
            yield
            return
        fd = self._handle().fileno()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def append(self, entry: Mapping[str, Any]) -> None:
        """Write one addition and wait until it is on disk (within :meth:`locked`, after
        :meth:`read_new`: the line written is then counted as read)."""
        handle = self._handle()
        size = self._drop_torn_tail()
        if size != self.offset:
            raise RuntimeError(f"{self.path}: lines appended by another process were not read "
                               "before appending (call read_new within locked)")
        line = json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
        self.offset += len(line)
        self.lines += 1

    def _drop_torn_tail(self) -> int:
        """Cut a last line left unfinished by a crash (never acknowledged: appends hold the
        lock until their line is whole) before appending; the file's size after."""
        size = os.stat(self.path).st_size if self.path.exists() else 0
        if not size:
            return 0
        with self.path.open("r+b") as fh:
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return size
            fh.seek(0)
            keep = fh.read().rfind(b"\n") + 1
            fh.truncate(keep)
        LOGGER.warning("%s: a line cut short (never acknowledged) removed", self.path.name)
        return keep

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


# -- request and response bodies ---------------------------------------------------------------
def _known_keys_only(data: Any) -> Any:
    if isinstance(data, Mapping):
        if not any(v not in (None, "") for k, v in data.items()
                   if k not in ("source", "record_id")):
            raise PydanticCustomError(
                "empty_record", "record: give at least one attribute ({known})",
                {"known": ", ".join(MATCH_ATTRIBUTES[2:])})
        try:
            check_record_keys(data)
        except UnknownAttributes as exc:
            raise PydanticCustomError(
                "unknown_attribute", "{message}",
                {"message": str(exc), "unknown": exc.unknown, "known": list(exc.known),
                 "suggestions": exc.suggestions}) from None
    return data


Record = create_model(
    "Record",
    __config__=ConfigDict(extra="allow", json_schema_extra={
        "example": {"last_name": "Dupont", "first_name": "Jean", "email": "jean.dupont@free.fr",
                    "postcode": "75011"}}),
    __validators__={"known_keys_only": model_validator(mode="before")(_known_keys_only)},
    **{attribute: (_Value | None, None) for attribute in MATCH_ATTRIBUTES})
Record.__doc__ = ("A customer record in target attribute names (text values; "
                  f"{', '.join(MATCH_ATTRIBUTES)}); missing attributes may be left out.")


class MatchRequest(BaseModel):
    """A record to check and how many candidate customers to return at most."""

    model_config = ConfigDict(extra="forbid")
    record: Record  # type: ignore[valid-type]
    top: int = Field(5, ge=1, le=20, description="candidate customers returned at most")


class RecordRequest(BaseModel):
    """A record to add to the reference (or to replace, by its source and record id)."""

    model_config = ConfigDict(extra="forbid")
    record: Record  # type: ignore[valid-type]
    customer_id: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=64)] \
        | None = Field(None, description="its customer; default: the one it matches, else new")

    @model_validator(mode="after")
    def _identified(self) -> "RecordRequest":
        missing = [k for k in ("source", "record_id") if not getattr(self.record, k)]
        if missing:
            raise PydanticCustomError(
                "missing_key", "record: {missing} required to add a record (the key that "
                "identifies it in its source)", {"missing": " and ".join(missing)})
        return self


class Candidate(BaseModel):
    customer_id: str
    match_probability: float
    is_match: bool = Field(description="at least the curative run's threshold")
    rule: str = Field(description="the household/homonym veto that fired, or empty")
    evidence: dict[str, str] = Field(description="compared feature -> level (exact, ...)")
    source: str | None = Field(None, description="the candidate's best record (when the "
                                                 "engagement shows record ids)")
    record_id: str | None = None


class MatchResponse(BaseModel):
    decision: Literal["same", "possible", "new"]
    threshold: float
    possible_from: float
    candidates: list[Candidate]


class RecordResponse(BaseModel):
    source: str
    record_id: str
    customer_id: str
    status: Literal["added", "updated"]
    customer: Literal["given", "matched", "kept", "new"] = Field(
        description="how the customer id was chosen")
    decision: Literal["same", "possible", "new"] | None = Field(
        None, description="the match's decision when the customer was not given or kept")


class Health(BaseModel):
    status: Literal["ok"]
    records: int = Field(description="records a query can find, additions included")
    added: int = Field(description="records added (or replaced) through the service")
    threshold: float


# -- the application ---------------------------------------------------------------------------
class _FailQuietly:
    """ASGI middleware answering an unhandled exception with 500, logging its type only.

    The exception's text or traceback may quote a value of the record (Starlette's own error
    middleware re-raises it for the server to log in full): here it stops.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        started = False

        async def tracked(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # noqa: BLE001 - every failure is answered the same way
            LOGGER.error("%s %s failed: %s", scope.get("method", ""), scope.get("path", ""),
                         type(exc).__name__)
            if scope["type"] == "http" and not started:
                await JSONResponse({"detail": "internal error (logged without the record's "
                                              "values)"}, status_code=500)(scope, receive, send)


class _BodyLimit:
    """ASGI middleware refusing bodies over ``max_bytes`` with 413: by their Content-Length,
    and by counting the bytes of a body sent without one (the 413 is then raised while the
    endpoint reads the body, and answered by the application's exception handling)."""

    def __init__(self, app: Any, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    def _detail(self) -> str:
        return f"body too large: at most {self.max_bytes} bytes (one record per request)"

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            response = JSONResponse({"detail": self._detail()}, status_code=413)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counted, send)


def create_app(index: ReferenceIndex, *, log_path: str | Path | None = None,
               token: str | None = None, show_record_ids: bool = False,
               max_body_bytes: int = MAX_BODY_BYTES,
               possible_from: float = POSSIBLE_FROM) -> FastAPI:
    """The HTTP service over a reference index (see the module docstring).

    Args:
        index: the reference (its additions are replayed from ``log_path`` first).
        log_path: the additions log (:class:`AdditionLog`), which other processes serving
            the same reference may share (each answer first adds what they appended); None
            keeps additions in memory only (tests, demonstrations).
        token: the token ``/match`` and ``/records`` require (none: open).
        show_record_ids: return the ``source`` and ``record_id`` of each candidate's best
            record (the engagement's ``personal_data.show_raw_values``); otherwise only the
            customer id.
        max_body_bytes: larger bodies are refused (413).
        possible_from: probability from which a candidate makes the decision ``possible``.

    Raises:
        ValueError: a damaged line in the additions log (named).
    """
    log = AdditionLog(log_path) if log_path is not None else None
    state = {"new_customers": 0}
    index.warm_up_additions()
    index.warm_up_matching()     # the first clients do not wait for the first match's set-up

    def catch_up(quiet: bool = True) -> None:
        """Add what was appended to the log since (by another worker process too)."""
        if log is not None:
            replay(index, log.read_new(), state, quiet=quiet)

    catch_up(quiet=False)
    if log is not None and log.unfinished_bytes():
        LOGGER.warning("%s: its last line is cut short (never acknowledged), skipped",
                       log.path.name)
    bearer = HTTPBearer(auto_error=False, description="RCU_API_TOKEN")

    def authorised(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if token is None:
            return
        if credentials is None or not secrets.compare_digest(
                credentials.credentials.encode("utf-8"), token.encode("utf-8")):
            raise HTTPException(401, "a valid token is required: send the header "
                                     "'Authorization: Bearer <RCU_API_TOKEN>'",
                                headers={"WWW-Authenticate": "Bearer"})

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        if log is not None:
            log.close()

    app = FastAPI(title="rcu_kit preventive match", lifespan=lifespan,
                  description="Check a new customer record against the customer reference "
                              "before creating it (the curative deduplication's model).",
                  version="1", docs_url=None, redoc_url=None)
    app.add_middleware(_BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(_FailQuietly)   # outermost of ours: sees every unhandled exception
    threshold = float(index.settings.threshold)

    def candidates(found: list[dict[str, Any]]) -> list[Candidate]:
        return [Candidate(**{k: (v if show_record_ids or k not in ("source", "record_id")
                                 else None) for k, v in row.items()}) for row in found]

    @app.get("/health", response_model=Health)
    async def health() -> Health:
        """The service is up; the size of its reference."""
        catch_up()
        return Health(status="ok", records=index.n_current, added=index.n_added,
                      threshold=threshold)

    @app.post("/match", response_model=MatchResponse, dependencies=[Depends(authorised)])
    async def match(body: MatchRequest) -> MatchResponse:
        """Candidate customers of one record, best first, and the decision."""
        start = time.perf_counter()
        catch_up()
        found = index.match_detail(_values(body.record), top=body.top)
        answer = decision(found, threshold, possible_from)
        LOGGER.info("match: %s, %d candidate(s), %.1f ms", answer, len(found),
                    1000 * (time.perf_counter() - start))
        return MatchResponse(decision=answer, threshold=threshold, possible_from=possible_from,
                             candidates=candidates(found))

    @app.post("/records", response_model=RecordResponse, dependencies=[Depends(authorised)])
    async def add_record(body: RecordRequest) -> RecordResponse:
        """Add a record to the reference, or replace the record with its source and id."""
        start = time.perf_counter()
        record = _values(body.record)
        # Standardised first: a record that cannot be is refused before it reaches the log.
        standardised = standardise_record(record)
        # Under the log's lock, after reading what other workers added: the record's current
        # version, the customer it matches and the next new customer number are the log's.
        with log.locked() if log is not None else contextlib.nullcontext():
            catch_up()
            entry, answer = _assign(index, record, standardised, body.customer_id, threshold,
                                    possible_from, state)
            if log is not None:
                log.append(entry)            # on disk before the answer
            index.add(standardised, entry["customer_id"], standardised=True)
        LOGGER.info("records: %s, customer %s, %.1f ms", entry["status"], entry["customer"],
                    1000 * (time.perf_counter() - start))
        return RecordResponse(source=record["source"], record_id=record["record_id"],
                              customer_id=entry["customer_id"], status=entry["status"],
                              customer=entry["customer"], decision=answer)

    return app


def _values(record: BaseModel) -> dict[str, Any]:
    """The attributes given (None for those sent as null)."""
    return {k: v for k, v in record.model_dump(exclude_unset=True).items()}


def _assign(index: ReferenceIndex, record: dict[str, Any], standardised: dict[str, Any],
            customer_id: str | None, threshold: float, possible_from: float,
            state: dict[str, int]) -> tuple[dict[str, Any], str | None]:
    """The log entry of an addition (its customer chosen) and the match decision behind it."""
    position = index.position_of(record["source"], record["record_id"])
    status = "updated" if position is not None else "added"
    answer = None
    if customer_id is not None:
        reserved = re.fullmatch(rf"{NEW_CUSTOMER_PREFIX}(\d+)", customer_id)
        if reserved and int(reserved.group(1)) > state["new_customers"]:
            raise HTTPException(422, [{
                "loc": ["body", "customer_id"], "type": "reserved_customer_id",
                "msg": f"customer_id: ids {NEW_CUSTOMER_PREFIX}0000001, "
                       f"{NEW_CUSTOMER_PREFIX}0000002... are those the service gives the "
                       f"customers it creates, and {customer_id} is not one yet; give the "
                       "customer's id in your system, or none to let the service choose"}])
        how = "given"
    elif position is not None:
        customer_id, how = index.customer_of(position), "kept"
    else:
        found = index.match_detail(standardised, standardised=True, top=1)
        answer = decision(found, threshold, possible_from)
        if answer == "same":
            customer_id, how = str(found[0]["customer_id"]), "matched"
        else:
            state["new_customers"] += 1
            customer_id, how = f"{NEW_CUSTOMER_PREFIX}{state['new_customers']:07d}", "new"
    return {"record": record, "customer_id": customer_id, "status": status,
            "customer": how}, answer


def replay(index: ReferenceIndex, entries: list[dict[str, Any]], state: dict[str, int],
           quiet: bool = False) -> None:
    """Add logged additions to ``index``, in order (at start, and those of other workers)."""
    started = time.perf_counter()
    for entry in entries:
        index.add(entry["record"], entry["customer_id"])
        if entry.get("customer") == "new":
            state["new_customers"] += 1
    if entries and not quiet:
        LOGGER.info("replayed %d addition(s) in %.1f s", len(entries),
                    time.perf_counter() - started)


def engagement_app(engagement: Any, *, token: str | None = None, progress: bool = False
                   ) -> FastAPI:
    """The service of an engagement: its reference index (built when missing), its additions
    log, its personal-data policy for record ids; the token from ``RCU_API_TOKEN`` unless
    given. Meant for the process that serves it: once the app is ready, that process's heap
    is frozen (:func:`freeze_heap`)."""
    from rcu_kit.golden.preventive import engagement_reference

    index = engagement_reference(engagement, progress=progress)
    app = create_app(index, log_path=additions_log_path(engagement),
                     token=token if token is not None else os.environ.get("RCU_API_TOKEN") or None,
                     show_record_ids=not engagement.mask_personal_data)
    freeze_heap()
    return app


def freeze_heap() -> float:
    """Collect the garbage once, then keep every object alive now out of the garbage
    collector's reach (:func:`gc.freeze`), in a process that serves until it stops.

    Python's full collection walks every tracked object; in a worker holding the reference
    index of a million records (with FastAPI, pandas and the comparison features loaded) one
    took 60 to 130 ms, and it runs between two requests now and then: the slowest answers of
    the service were those. The objects alive once the service is ready (the index, the
    libraries, the app) live as long as the process, so a collection has nothing to find
    among them; frozen, they are no longer walked, and a full collection only looks at what
    the requests allocated since. Each request's own garbage is collected as before.

    Returns:
        The milliseconds the collection before the freeze took.
    """
    start = time.perf_counter()
    gc.collect()
    gc.freeze()
    return 1000 * (time.perf_counter() - start)


def configure_logging() -> None:
    """The service's log lines (time, logger, message; never a record's value) on stderr."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


def worker_app() -> FastAPI:
    """The application of one worker process of ``rcu-kit serve --workers N``.

    uvicorn starts each worker as a new process and calls this factory there: the engagement
    is the file named by the environment variable ``RCU_SERVE_ENGAGEMENT``
    (:data:`ENGAGEMENT_VARIABLE`), whose reference index the command built beforehand; each
    worker loads it and replays the additions log.

    Raises:
        RuntimeError: the variable is not set (the factory is meant for ``rcu-kit serve``).
    """
    from rcu_kit.core.config import load_engagement

    path = os.environ.get(ENGAGEMENT_VARIABLE)
    if not path:
        raise RuntimeError(f"worker_app: set {ENGAGEMENT_VARIABLE} to the engagement file "
                           "(rcu-kit serve --workers N does)")
    configure_logging()
    return engagement_app(load_engagement(path))


def _build_reference(engagement_path: str) -> None:
    from rcu_kit.core.config import load_engagement
    from rcu_kit.golden.preventive import build_reference_for_engagement

    build_reference_for_engagement(load_engagement(engagement_path), progress=True)


def build_reference_apart(engagement_path: str | Path) -> None:
    """Build and save the engagement's reference index in a process of its own, so that the
    memory the deduplication run takes (3 GB at a million records) is given back before the
    workers of ``rcu-kit serve --workers N`` start.

    Raises:
        RuntimeError: the build failed (its error is printed above by that process).
    """
    import multiprocessing

    process = multiprocessing.get_context("spawn").Process(
        target=_build_reference, args=(str(engagement_path),))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{engagement_path}: the reference index could not be built (exit "
                           f"code {process.exitcode}; see the error above)")
