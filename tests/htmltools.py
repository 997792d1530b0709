"""A small HTML reader for tests: find elements by id or class and read their text.

Assertions about what a person sees go through the rendered HTML, not the form object.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list["Element | str"] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str):
        for element in self.iter():
            if tag and element.tag != tag:
                continue
            if cls and cls not in element.classes:
                continue
            if any(element.attrs.get(k.rstrip("_")) != v for k, v in attrs.items()):
                continue
            yield element

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str):
        return next(self.find_all(tag, cls=cls, **attrs), None)

    def by_id(self, element_id: str) -> "Element | None":
        return next((e for e in self.iter() if e.attrs.get("id") == element_id), None)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Element:
    builder = _Builder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def field_errors(html: str | bytes, name: str) -> list[str]:
    """The error messages shown under form field `name` (crispy's invalid-feedback block)."""
    wrapper = parse(html).by_id(f"div_id_{name}")
    assert wrapper is not None, f"no field {name!r} on the page"
    return [e.text for e in wrapper.find_all(cls="invalid-feedback")]


def fields_with_errors(html: str | bytes) -> set[str]:
    """Names of every field whose wrapper holds an error message."""
    names = set()
    for wrapper in parse(html).iter():
        wrapper_id = wrapper.attrs.get("id", "")
        if wrapper_id.startswith("div_id_") and wrapper.find(cls="invalid-feedback"):
            names.add(wrapper_id.removeprefix("div_id_"))
    return names
