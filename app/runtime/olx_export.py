"""Writing a stored block tree back as an OLX course folder, and packing it as a .tar.gz (no database).

Every block is written to its own file ``TYPE/URL_NAME.xml`` by its own ``add_xml_to_node``, and its
parent holds a pointer ``<TYPE url_name="…"/>``; ``html`` blocks are split into ``html/URL_NAME.xml``
(``<html filename="URL_NAME" …/>``) and ``html/URL_NAME.html``; placeholders of block types that are not
available here are written back from their stored OLX, unchanged. The course files around the blocks
(``course.xml``, policies, about pages, static assets) come from :class:`CourseFiles`.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from xblock.core import XBlock

from app.runtime.host import HostConfig, HostRuntime, Learner
from app.runtime.keys import CourseKey
from app.runtime.olx_course import KEPT_FILES, KEPT_FOLDER
from app.runtime.olx_import import NullUrls, as_attribute, url_name_problem
from app.runtime.olx_safety import COURSE_FILE
from app.runtime.placeholder import UnavailableBlock
from app.runtime.store import FieldStore
from app.runtime.tree import LoadedTree


@dataclass
class CourseFiles:
    """What a course export holds besides its blocks."""

    policy: dict[str, Any] = field(default_factory=dict)
    grading_policy: dict[str, Any] = field(default_factory=dict)
    about: dict[str, str] = field(default_factory=dict)
    #: (path below static/, bytes)
    assets: Iterable[tuple[str, bytes]] = ()
    #: other files kept from the import, by path (see app.runtime.olx_course.KEPT_FILES)
    kept_files: dict[str, str] = field(default_factory=dict)


class ExportRuntime(HostRuntime):
    """A read-only runtime over a stored tree that writes each block it is asked for to ``out``."""

    def __init__(
        self,
        *,
        config: HostConfig,
        course_key: CourseKey,
        tree: LoadedTree,
        store: FieldStore,
        url_names: dict[str, str],
        out: Path,
    ) -> None:
        super().__init__(
            config=config,
            course_key=course_key,
            tree=tree,
            store=store,
            learner=Learner(user_id=None),
            urls=NullUrls(),
        )
        self.url_names = url_names
        self.out = out

    def url_name(self, usage_id: str) -> str:
        """The url_name a block was imported from (its block id for blocks made otherwise)."""
        name = self.url_names.get(usage_id)
        return name if name and url_name_problem(name) is None else str(usage_id).rsplit("@", 1)[-1]

    def add_block_as_child_node(self, block: XBlock, node: Any) -> None:
        """Write the child to its own file and point to it from the parent."""
        etree.SubElement(node, block.scope_ids.block_type, url_name=self.write_block(block))

    def write_block(self, block: XBlock) -> str:
        """Write ``TYPE/URL_NAME.xml`` (and the children it points to); return the url_name."""
        usage_id = str(block.scope_ids.usage_id)
        block_type = block.scope_ids.block_type
        url_name = self.url_name(usage_id)
        folder = self.out / block_type
        folder.mkdir(parents=True, exist_ok=True)
        record = self.tree.get(usage_id)
        if isinstance(block, UnavailableBlock) and record is not None and record.olx:
            # Written back exactly as it was read.
            (folder / f"{url_name}.xml").write_text(record.olx + "\n", encoding="utf-8")
            return url_name
        node = etree.Element(block_type)
        if isinstance(block, UnavailableBlock):
            # Its type was installed at import and is gone now: keep at least its settings.
            for name, value in sorted((record.settings or {}).items() if record else []):
                if name != "unavailable_reason":
                    node.set(name, as_attribute(value))
        else:
            block.add_xml_to_node(node)
        for name in ("url_name", "xblock-family"):
            node.attrib.pop(name, None)
        if block_type == "html" and len(node) == 0 and node.text:
            (folder / f"{url_name}.html").write_text(node.text, encoding="utf-8")
            node.text = None
            node.set("filename", url_name)
        (folder / f"{url_name}.xml").write_bytes(etree.tostring(node, encoding="utf-8", pretty_print=True))
        return url_name


def write_course_folder(out: Path, runtime: ExportRuntime, files: CourseFiles) -> None:
    """Write the whole course (blocks from the runtime's tree, then the course files) into ``out``."""
    key = runtime.course_id
    root_id = runtime.tree.root_usage_id
    if root_id is None:
        raise ValueError("the tree has no root block")
    runtime.preload(runtime.tree.subtree(root_id))
    run = runtime.write_block(runtime.get_block(root_id))
    pointer = etree.Element("course", url_name=run, org=key.org, course=key.course)
    (out / COURSE_FILE).write_bytes(etree.tostring(pointer, encoding="utf-8") + b"\n")
    policies = out / "policies" / run
    policies.mkdir(parents=True, exist_ok=True)
    _write_json(policies / "policy.json", {f"course/{run}": files.policy})
    _write_json(policies / "grading_policy.json", files.grading_policy)
    if files.about:
        (out / "about").mkdir(exist_ok=True)
        for name, text in sorted(files.about.items()):
            if url_name_problem(name) is None:
                (out / "about" / f"{name}.html").write_text(text + "\n", encoding="utf-8")
    for relative, text in sorted(files.kept_files.items()):
        folder, _slash, name = relative.rpartition("/")
        if relative in KEPT_FILES or (folder == KEPT_FOLDER and url_name_problem(name) is None):
            (out / folder).mkdir(parents=True, exist_ok=True)
            (out / relative).write_text(text, encoding="utf-8")
    for path, data in files.assets:
        target = out / "static" / path
        if ".." in Path(path).parts or Path(path).is_absolute():
            continue  # never written outside the export; import refuses such paths anyway
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def pack_folder(folder: Path, archive: Path, top: str) -> None:
    """Pack ``folder`` as ``archive`` (.tar.gz) under the top-level folder ``top``, reproducibly:
    entries sorted, dates, owners and modes fixed, so equal content gives equal archives."""
    with (
        archive.open("wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in [folder, *sorted(folder.rglob("*"))]:
            relative = path.relative_to(folder).as_posix()
            info = tarfile.TarInfo(top if relative == "." else f"{top}/{relative}")
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if path.is_dir():
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                data = path.read_bytes()
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
