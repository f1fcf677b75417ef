"""matplotlib's SVG made lean for the PDF renderer (``lean_svg``)."""

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

SVG_NS, XLINK_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
# CSS properties matplotlib writes in style="" that SVG also takes as presentation attributes.
PRESENTATION = {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
                "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity",
                "font-size", "font-family", "font-style", "font-weight", "text-anchor", "clip-path"}
STAR_RULE = re.compile(r"\s*\*\s*\{([^{}]*)\}\s*")
IDENTITY_ROTATE = re.compile(r"rotate\(-?0(?:\.0*)? [^()]*\)")


def _declarations(text: str) -> dict[str, str]:
    pairs = (d.split(":", 1) for d in text.split(";") if ":" in d)
    return {k.strip(): v.strip() for k, v in pairs}


def lean_svg(svg: str) -> str:
    """matplotlib's SVG with the same drawing in fewer, simpler nodes (WeasyPrint draws each node
    of a chart at some cost: the brief's nine charts were a quarter of its PDF time).

    Drops the metadata, unwraps the groups that only carry an ``id`` nothing refers to, drops
    rotations by 0 degrees, and writes the style declarations as presentation attributes (no CSS
    to parse per node). The one stylesheet rule matplotlib writes, ``*{...}``, becomes attributes
    of every element that does not set the property itself: what the rule did, since a style
    attribute beats a stylesheet rule and a stylesheet rule beats inheritance."""
    root = ET.fromstring(svg[svg.index("<svg"):])
    star: dict[str, str] = {}
    for defs in root.findall(f"{{{SVG_NS}}}defs"):
        for style in defs.findall(f"{{{SVG_NS}}}style"):
            rule = STAR_RULE.fullmatch(style.text or "")
            if rule is None or not set(found := _declarations(rule.group(1))) <= PRESENTATION:
                return svg[svg.index("<svg"):]  # a stylesheet this does not know: left as it is
            star.update(found)
            defs.remove(style)
        if not len(defs):
            root.remove(defs)
    for metadata in root.findall(f"{{{SVG_NS}}}metadata"):
        root.remove(metadata)
    referenced = set(re.findall(r"(?:href=\"#|url\(#)([^\")]+)", svg))

    def simplify(element: ET.Element) -> list[ET.Element]:
        children = [leaf for child in element for leaf in simplify(child)]
        element[:] = children
        if element.tag == f"{{{SVG_NS}}}g" and set(element.attrib) <= {"id"} and element.get("id") not in referenced:
            return children
        declarations = _declarations(element.attrib.pop("style", ""))
        rest = {k: v for k, v in declarations.items() if k not in PRESENTATION}
        for name, value in {**star, **declarations}.items():
            if name in PRESENTATION:
                element.set(name, value)
        if rest:
            element.set("style", "; ".join(f"{k}: {v}" for k, v in rest.items()))
        if IDENTITY_ROTATE.fullmatch(element.get("transform", "")):
            del element.attrib["transform"]
        return [element]

    root[:] = [leaf for child in root for leaf in simplify(child)]
    out = [f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"']
    _write(root, out, top=True)
    return "".join(out)


def _qualified(name: str) -> str:
    """``{namespace}local`` as written in a chart: SVG's names bare, xlink's with its prefix."""
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return {SVG_NS: local, XLINK_NS: f"xlink:{local}"}[namespace]
    return name


def _write(element: ET.Element, out: list[str], top: bool = False) -> None:
    """The element as XML (ElementTree's own writer takes its prefixes from one registry for the
    whole process, which WeasyPrint's PDF metadata writes into)."""
    if not top:
        out.append(f"<{_qualified(element.tag)}")
    out.extend(f" {_qualified(name)}={quoteattr(value)}" for name, value in element.attrib.items())
    if not len(element) and not element.text:
        out.append("/>")
    else:
        out.append(">" + escape(element.text or ""))
        for child in element:
            _write(child, out)
            out.append(escape(child.tail or ""))
        out.append(f"</{_qualified(element.tag)}>")
