"""The load test's HTTP side: a small asyncio HTTP/1.1 client and a form reader.

Each virtual user is a ``Browser``: one keep-alive connection, one cookie jar, and every
request it makes is timed and recorded under a page name. Forms are read from the page
the way a browser submits them (hidden fields such as the CSRF token, checked radios,
selected options, an empty honeypot stays empty), so a change to a form does not need a
change here unless it adds a field that must be filled in by hand.

Only the standard library: the client has to run wherever ``manage.py`` runs.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.utils import timezone

# --- what is recorded -------------------------------------------------------------------


@dataclass
class Sample:
    page: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    seconds: float
    expected: bool = True  # the status was the one the journey expects
    queries: int | None = None
    server_ms: float | None = None


@dataclass
class Recorder:
    """The samples of a run; ``deadline`` is when virtual users stop starting requests."""

    deadline: float
    samples: list[Sample] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # the first few, for the report
    broken: int = 0  # journeys cut short by an unexpected answer
    searches: itertools.count = field(default_factory=itertools.count)  # shared turns

    def add(self, sample: Sample, detail: str) -> None:
        self.samples.append(sample)
        if not sample.expected and len(self.unexpected) < 20:
            self.unexpected.append(detail)


class TimeUp(Exception):
    """The run is over: the virtual user stops in the middle of its journey."""


class JourneyBroken(Exception):
    """A page did not answer as the journey needs (already recorded as unexpected)."""


# --- HTTP/1.1 ---------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Connection:
    """One keep-alive connection; reconnects when the server has closed it."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, target: str, headers: dict[str, str], body: bytes):
        head = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        reused = self.writer is not None
        try:
            return await asyncio.wait_for(self._exchange(payload), self.timeout)
        except _StaleConnection:
            # The server closed an idle keep-alive connection just as it was reused:
            # what a browser does too is send the request again on a new one.
            self.close()
            if not reused:
                raise ConnectionResetError("connection closed before the response") from None
            return await asyncio.wait_for(self._exchange(payload), self.timeout)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, payload: bytes) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        try:
            self.writer.write(payload)
            await self.writer.drain()
            line = await self.reader.readline()
        except (ConnectionResetError, BrokenPipeError) as error:
            raise _StaleConnection from error
        if not line:
            raise _StaleConnection
        response, keep_alive = await _read_response(line, self.reader)
        if not keep_alive:
            self.close()
        return response

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class _StaleConnection(Exception):
    pass


async def _read_response(status_line: bytes, reader: asyncio.StreamReader):
    version, status, *_rest = status_line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    cookies: list[str] = []
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _sep, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            cookies.append(value)
        else:
            headers[name] = value
    keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(chunks)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif int(status) in (204, 304) or int(status) < 200:
        body = b""
    else:
        body = await reader.read()
        keep_alive = False
    return Response(int(status), headers, cookies, body), keep_alive


# --- a virtual user ---------------------------------------------------------------------


class Browser:
    """One visitor: a connection, a cookie jar, and every request timed and recorded."""

    def __init__(self, base_url: str, recorder: Recorder, *, timeout: float = 30.0):
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80, timeout)
        self.recorder = recorder
        self.cookies: dict[str, str] = {}

    async def get(self, page: str, path: str, *, expect=(200,)) -> Response:
        return await self._send(page, "GET", path, b"", {}, expect)

    async def post(
        self, page: str, path: str, data: list[tuple[str, str]], *, expect=(302,)
    ) -> Response:
        body = urlencode(data).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return await self._send(page, "POST", path, body, headers, expect)

    async def submit(
        self,
        page: str,
        path: str,
        form: Form,
        *,
        values: dict | None = None,
        button: str | None = None,
        expect=(302,),
    ) -> Response:
        """Submit ``form`` (read from the page at ``path``) as a browser would."""
        action = urljoin(path, form.action) if form.action else path
        return await self.post(page, action, form.data(values, button=button), expect=expect)

    async def _send(self, page, method, path, body, headers, expect) -> Response:
        if time.monotonic() >= self.recorder.deadline:
            raise TimeUp
        if self.cookies:
            headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        started = time.perf_counter()
        try:
            response = await self.connection.request(method, path, headers, body)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            seconds = time.perf_counter() - started
            self.recorder.add(
                Sample(page, 0, seconds, expected=False),
                f"{page}: {method} {path}: no answer ({type(error).__name__})",
            )
            raise JourneyBroken from error
        seconds = time.perf_counter() - started
        self._keep_cookies(response.cookies)
        ok = response.status in expect
        self.recorder.add(
            Sample(
                page,
                response.status,
                seconds,
                expected=ok,
                queries=_number(response.headers.get("x-query-count"), int),
                server_ms=_number(response.headers.get("x-server-time"), float),
            ),
            f"{page}: {method} {path} answered {response.status}"
            + (f" -> {response.location}" if response.location else ""),
        )
        if not ok:
            raise JourneyBroken
        return response

    def _keep_cookies(self, cookies: list[str]) -> None:
        for cookie in cookies:
            pair, *attributes = cookie.split(";")
            name, _sep, value = pair.strip().partition("=")
            expired = any(a.strip().lower().startswith("max-age=0") for a in attributes)
            if expired or not value or value == '""':
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def close(self) -> None:
        self.connection.close()


def _number(value: str | None, kind):
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None


# --- forms ------------------------------------------------------------------------------

FILL_IN = {
    "email": "bezoeker@loadtest.invalid",
    "number": "1",
    "tel": "050 123 4567",
    "url": "https://loadtest.invalid/",
}
NOT_SENT = {"submit", "button", "image", "reset", "file"}


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    checked: bool = False
    required: bool = False
    disabled: bool = False
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    def value(self, name: str) -> str:
        return next((f.value for f in self.fields if f.name == name), "")

    def data(self, values: dict | None = None, *, button: str | None = None) -> list:
        """The pairs a browser sends: ``values`` (a string or a list per name) replace
        what the page has; fields left empty that the page marks required get a
        plausible value; unmarked empty fields (a honeypot) stay empty; of the buttons
        only ``button`` is sent."""
        values = values or {}
        pairs: list[tuple[str, str]] = []
        radios_done: set[str] = set()
        for f in self.fields:
            if f.disabled or f.name in values:
                continue
            if f.kind in NOT_SENT:
                if f.name == button:
                    pairs.append((f.name, f.value))
                continue
            if f.kind == "checkbox":
                if f.checked:
                    pairs.append((f.name, f.value or "on"))
            elif f.kind == "radio":
                if f.name in radios_done:
                    continue
                group = [g for g in self.fields if g.kind == "radio" and g.name == f.name]
                chosen = next((g for g in group if g.checked), None)
                if chosen is None and f.required:
                    chosen = group[0]
                if chosen is not None:
                    pairs.append((f.name, chosen.value))
                radios_done.add(f.name)
            elif f.kind == "select":
                chosen = [value for value, selected in f.options if selected]
                if not chosen and not f.multiple:
                    chosen = [value for value, _selected in f.options if value][:1]
                pairs += [(f.name, value) for value in chosen]
            else:
                pairs.append((f.name, f.value or (_fill_in(f.kind) if f.required else "")))
        for name, value in values.items():
            for one in value if isinstance(value, list | tuple) else [value]:
                pairs.append((name, str(one)))
        return pairs


def _fill_in(kind: str) -> str:
    if kind == "date":
        return (timezone.localdate() + timedelta(days=30)).isoformat()
    return FILL_IN.get(kind, "Belastingtest")


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: Field | None = None
        self.select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form((a.get("action") or "").strip(), (a.get("method") or "get").lower())
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = a.get("name")
        common = {"required": "required" in a, "disabled": "disabled" in a}
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            self.form.fields.append(
                Field(name, kind, a.get("value") or "", checked="checked" in a, **common)
            )
        elif tag == "button" and name:
            self.form.fields.append(
                Field(name, (a.get("type") or "submit").lower(), a.get("value") or "")
            )
        elif tag == "textarea" and name:
            self.textarea = Field(name, "textarea", **common)
            self.form.fields.append(self.textarea)
        elif tag == "select" and name:
            self.select = Field(name, "select", multiple="multiple" in a, **common)
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.options.append((a.get("value") or "", "selected" in a))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            # The newline right after <textarea> is not part of the value.
            if self.textarea.value.startswith("\n"):
                self.textarea.value = self.textarea.value[1:]
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data


def forms_of(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def find_form(html: str, *, has: str | None = None, action: str | None = None) -> Form | None:
    """The first POST form with a field named ``has`` and/or whose action contains
    ``action``."""
    for form in forms_of(html):
        if form.method != "post":
            continue
        if has is not None and not form.has(has):
            continue
        if action is not None and action not in form.action:
            continue
        return form
    return None
