"""Open edX's ``<video>`` OLX, read into a video block's fields and written back in the same shape.

Read: ``display_name``, ``youtube_id_1_0`` (or the older ``youtube="1.00:ID"``), ``html5_sources`` (a JSON
list) and ``<source src>`` children, ``embed_url`` (ours), ``download_video``, ``start_time``/``end_time``,
``<transcript language src>`` children and the ``transcripts`` JSON attribute. Every other attribute, and
every other child element, is kept as it was and written back on export.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from plugins.video import validation
from plugins.video.validation import InvalidVideo, _

#: attributes that become fields (``youtube`` is read too, but kept as it was written)
READ_ATTRIBUTES = frozenset(
    {
        "display_name",
        "youtube_id_1_0",
        "html5_sources",
        "embed_url",
        "download_video",
        "start_time",
        "end_time",
        "transcripts",
    }
)
IGNORED_ATTRIBUTES = frozenset({"url_name", "xblock-family"})
# Kept children were read by the importer's safe parser; they are parsed back the same careful way.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


def _boolean(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidVideo(_("%(name)s must be true or false."), name=name)


def _legacy_youtube_id(text: str) -> str:
    """The normal-speed id of Open edX's old ``youtube="0.75:ID1,1.00:ID2"`` attribute ("" if none)."""
    for item in text.split(","):
        speed, _sep, video_id = item.strip().partition(":")
        if speed.strip() in ("1.0", "1.00", "1") and video_id.strip():
            return validation.youtube_id(video_id)
    return ""


def _read_attributes(attributes: dict[str, str]) -> dict[str, Any]:
    """The fields set by the attributes the block reads (the lists of sources and transcripts aside)."""
    values: dict[str, Any] = {}
    if "display_name" in attributes:
        values["display_name"] = attributes["display_name"]
    if "youtube_id_1_0" in attributes:
        values["youtube_id_1_0"] = validation.youtube_id(attributes["youtube_id_1_0"])
    elif "youtube" in attributes and (legacy := _legacy_youtube_id(attributes["youtube"])):
        values["youtube_id_1_0"] = legacy
    if "embed_url" in attributes:
        values["embed_url"] = validation.embed_url(attributes["embed_url"])
    if "download_video" in attributes:
        values["download_video"] = _boolean("download_video", attributes["download_video"])
    for name in ("start_time", "end_time"):
        if name in attributes:
            values[name] = validation.seconds(attributes[name])
    validation.time_window(values.get("start_time", 0), values.get("end_time", 0))
    return values


def _read_children(node: Any, sources: list[str], transcripts: dict[str, str]) -> list[str]:
    """Add ``<source>`` and ``<transcript>`` children to ``sources`` and ``transcripts``; return the other
    child elements as XML text, to be written back as they were."""
    kept: list[str] = []
    for child in node:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        if child.tag == "source" and child.get("src") is not None:
            sources.append(validation.html5_source(child.get("src")))
        elif child.tag == "transcript":
            language = validation.language(child.get("language", ""))
            file = validation.transcript_file(child.get("src", ""))
            if transcripts.get(language, file) != file:
                raise InvalidVideo(
                    _("There are two transcripts for the language %(language)s."), language=language
                )
            transcripts[language] = file
        else:
            kept.append(etree.tostring(child, encoding="unicode", with_tail=False))
    return kept


def read(node: Any) -> dict[str, Any]:
    """The field values a ``<video>`` element sets (only those it sets); raises InvalidVideo."""
    attributes = {k: v for k, v in node.items() if k not in IGNORED_ATTRIBUTES}
    values = _read_attributes(attributes)
    sources = validation.html5_sources_attribute(attributes.get("html5_sources", ""))
    transcripts = validation.transcripts_attribute(attributes.get("transcripts", ""))
    kept_children = _read_children(node, sources, transcripts)
    if "html5_sources" in attributes or sources:
        values["html5_sources"] = validation.html5_sources(sources)
    if "transcripts" in attributes or transcripts:
        values["transcripts"] = validation.transcripts(transcripts.items())
    kept = {k: v for k, v in attributes.items() if k not in READ_ATTRIBUTES}
    if kept:
        values["xml_attributes"] = kept
    if kept_children:
        values["xml_children"] = kept_children
    return values


def write(node: Any, values: dict[str, Any]) -> None:
    """Write a video's set fields (``values``: name -> value) onto ``node`` as Open edX does."""
    node.tag = "video"
    for name, value in sorted(values.get("xml_attributes", {}).items()):
        node.set(name, value)
    if "display_name" in values:
        node.set("display_name", values["display_name"])
    if "youtube_id_1_0" in values:
        node.set("youtube_id_1_0", values["youtube_id_1_0"])
    if "html5_sources" in values:
        node.set("html5_sources", json.dumps(values["html5_sources"]))
    if "embed_url" in values:
        node.set("embed_url", values["embed_url"])
    if "download_video" in values:
        node.set("download_video", "true" if values["download_video"] else "false")
    for name in ("start_time", "end_time"):
        if name in values:
            node.set(name, validation.clock(values[name]))
    for source in values.get("html5_sources", []):
        etree.SubElement(node, "source", src=source)
    for language, file in sorted(values.get("transcripts", {}).items()):
        etree.SubElement(node, "transcript", language=language, src=file)
    for text in values.get("xml_children", []):
        node.append(etree.fromstring(text, _PARSER))
