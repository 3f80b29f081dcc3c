"""Small helpers shared by the page tests."""

from __future__ import annotations


def plain(elements) -> str:
    """Element texts joined, with markdown escapes removed."""
    return " ".join(e.value for e in elements).replace("\\", "")


def iter_panels(at):
    """Every Explorer live panel element on the page."""
    from ui import live

    def walk(node):
        for child in getattr(node, "children", {}).values():
            proto = getattr(child, "proto", None)
            if getattr(child, "type", None) == "bidi_component" and proto.component_name == live.NAME:
                yield child
            yield from walk(child)

    return walk(at.main)


def explorer_panel(at) -> dict:
    """The payload of the Explorer's live panel on the page (exactly one is expected)."""
    import json

    found = [json.loads(panel.proto.json) for panel in iter_panels(at)]
    assert len(found) == 1, f"expected one live panel, found {len(found)}"
    return found[0]
