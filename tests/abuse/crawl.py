"""Find every form a browser can reach: crawl same-site links and parse forms."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False
    required: bool = False


@dataclass
class Form:
    page: str
    action: str
    enctype: str
    fields: list[FormField] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.action, tuple(sorted({f.name for f in self.fields}))

    def valid_values(self) -> dict[str, str]:
        """What the page itself would send unchanged."""
        values: dict[str, str] = {}
        for f in self.fields:
            if f.kind in ("checkbox", "radio"):
                if f.checked:
                    values[f.name] = f.value or "y"
            elif f.kind == "select":
                values[f.name] = f.value or (f.options[0] if f.options else "")
            elif f.kind not in ("submit", "button", "file", "reset", "image"):
                values.setdefault(f.name, f.value)
        return values


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "enctype": a.get("enctype") or "application/x-www-form-urlencoded",
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is not None and a.get("name"):
            if tag == "input":
                self._form["fields"].append(
                    FormField(
                        a["name"],
                        (a.get("type") or "text").lower(),
                        a.get("value") or "",
                        checked="checked" in a,
                        required="required" in a,
                    )
                )
            elif tag == "select":
                self._select = FormField(a["name"], "select", required="required" in a)
                self._form["fields"].append(self._select)
            elif tag == "textarea":
                self._textarea = FormField(a["name"], "textarea", required="required" in a)
                self._form["fields"].append(self._textarea)
            elif tag == "button" and a.get("value") is not None:
                self._form["fields"].append(FormField(a["name"], "hidden", a["value"]))
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def parse_forms(path: str, html: str) -> list[Form]:
    """The POST forms of one page (``path`` resolves relative actions)."""
    parser = _Parser()
    parser.feed(html)
    return [
        Form(path, urljoin(path, raw["action"] or path), raw["enctype"], raw["fields"])
        for raw in parser.forms
        if raw["method"] == "post"
    ]


def crawl(client, starts: list[str], *, limit: int = 250, skip=lambda url: False) -> list[Form]:
    """Breadth-first over same-site GET links; returns the distinct POST forms."""
    seen: set[str] = set()
    queue = deque(starts)
    forms: dict[tuple, Form] = {}
    while queue and len(seen) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "localhost":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in seen or skip(path) or path.startswith("/static/"):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            response.close()
            continue
        html = response.get_data(as_text=True)
        parser = _Parser()
        parser.feed(html)
        for href in parser.links:
            if href.startswith(("mailto:", "#", "tel:")):
                continue
            target = urljoin(path, href.split("#")[0])
            if target not in seen:
                queue.append(target)
        for form in parse_forms(path, html):
            forms.setdefault(form.key, form)
    return list(forms.values())
