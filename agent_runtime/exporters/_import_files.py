"""Uploaded files → which importer: a graph spec, an AutoGen team, or a CrewAI config pair.

``detect_format`` looks at names and content (never raising for a spec-ish file,
so the spec reader can explain what is wrong with it); ``import_files`` runs the
matching importer. A zip (a CrewAI project, or an AutoGen team in a zip) is read
in memory with limits on entries and sizes; nothing is extracted or run.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping

from agent_runtime.errors import ImportFormatError, SpecParseError
from agent_runtime.exporters._import_autogen import import_autogen
from agent_runtime.exporters._import_common import MAX_IMPORT_BYTES, ImportResult
from agent_runtime.exporters._import_crewai import import_crewai
from agent_runtime.spec import loads_spec, migrate

IMPORT_FORMATS = ("spec", "autogen", "crewai")
MAX_ZIP_ENTRIES = 500
MAX_ZIP_TOTAL = 4 * MAX_IMPORT_BYTES
_YAML = (".yaml", ".yml")


def detect_format(files: Mapping[str, bytes]) -> str:
    """``spec``, ``autogen`` or ``crewai`` for these uploads (ImportFormatError if none fits)."""
    names = list(files)
    if not names:
        raise ImportFormatError("No file was given.")
    if len(names) > 2:
        raise ImportFormatError("Import one file, or the two YAML files of a CrewAI crew.")
    if len(names) == 2 or names[0].lower().endswith(_YAML):
        if not all(n.lower().endswith(_YAML) for n in names) or len(names) != 2:
            raise ImportFormatError(
                "A CrewAI crew is imported from two YAML files: agents.yaml and tasks.yaml "
                "(or a zip of the project)."
            )
        return "crewai"
    name, data = names[0], files[names[0]]
    if name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
        return _zip_format(_zip_members(data, name), name)
    return "autogen" if _is_component(data) else "spec"


def import_files(files: Mapping[str, bytes], *, name: str | None = None) -> ImportResult:
    """The graph in these uploads. ``spec`` results are migrated but not validated (drafts)."""
    kind = detect_format(files)
    names = list(files)
    if kind == "crewai" and len(names) == 2:
        agents, tasks = _crewai_pair({n: files[n] for n in names})
        return import_crewai(
            files[agents], files[tasks], name=name or "Imported crew",
            agents_source=agents, tasks_source=tasks,
        )  # fmt: skip
    source, data = names[0], files[names[0]]
    if data[:4] == b"PK\x03\x04" or source.lower().endswith(".zip"):
        members = _zip_members(data, source)
        if _zip_format(members, source) == "autogen":
            inner = next(
                n for n in members if n.lower().endswith(".json") and _is_component(members[n])
            )
            return _named(import_autogen(members[inner], source=inner), name)
        agents, tasks = _crewai_pair(members)
        folder = agents.rsplit("/", 3)[-3] if agents.count("/") >= 2 else ""
        title = name or (folder.replace("_", " ").strip().capitalize() or "Imported crew")
        return import_crewai(
            members[agents], members[tasks], name=title,
            agents_source=f"{source}:{agents}", tasks_source=f"{source}:{tasks}",
        )  # fmt: skip
    if kind == "autogen":
        return _named(import_autogen(data, source=source), name)
    raw = loads_spec(data, source=source)
    if not isinstance(raw, dict):
        raise SpecParseError(f"{source}: not a graph spec (a spec is a JSON object).")
    spec = migrate(raw)
    if name:
        spec["name"] = name
    return ImportResult(spec, "spec")


def _named(result: ImportResult, name: str | None) -> ImportResult:
    if name:
        result.spec["name"] = name
    return result


def _is_component(data: bytes) -> bool:
    try:
        doc = json.loads(data.decode("utf-8-sig")) if len(data) <= MAX_IMPORT_BYTES else None
    except (ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and "provider" in doc and "schema_version" not in doc


def _crewai_pair(files: Mapping[str, bytes]) -> tuple[str, str]:
    """(agents file, tasks file) among YAML files, by name, else by content."""
    yaml_names = [n for n in files if n.lower().endswith(_YAML)]
    by_name: dict[str, list[str]] = {"agents": [], "tasks": []}
    for n in yaml_names:
        stem = re.sub(r"\.ya?ml$", "", n.rsplit("/", 1)[-1].lower())
        if stem in by_name:
            by_name[stem].append(n)
    if len(by_name["agents"]) == 1 and len(by_name["tasks"]) == 1:
        return by_name["agents"][0], by_name["tasks"][0]
    if len(by_name["agents"]) > 1 or len(by_name["tasks"]) > 1:
        raise ImportFormatError(
            "Several agents.yaml or tasks.yaml files: import one crew at a time."
        )
    if len(yaml_names) == 2:
        first, second = yaml_names
        if b"agent:" in files[first] and b"role:" in files[second]:
            return second, first
        if b"agent:" in files[second] and b"role:" in files[first]:
            return first, second
    raise ImportFormatError(
        "Could not tell the CrewAI files apart: name them agents.yaml and tasks.yaml."
    )


def _zip_members(data: bytes, source: str) -> dict[str, bytes]:
    """The YAML and JSON members of a zip, read in memory within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFormatError(f"{source}: not a valid zip file.") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ImportFormatError(f"{source}: more than {MAX_ZIP_ENTRIES} files in the zip.")
        wanted = [
            i for i in infos
            if not i.is_dir() and i.filename.lower().endswith((*_YAML, ".json"))
            and "__MACOSX" not in i.filename
        ]  # fmt: skip
        if sum(i.file_size for i in wanted) > MAX_ZIP_TOTAL:
            raise ImportFormatError(f"{source}: the zip's files are too large to import.")
        members, total = {}, 0
        for info in wanted:
            try:  # sizes in the zip's directory may lie: the bytes read are counted too
                with archive.open(info) as member:
                    data = member.read(MAX_IMPORT_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
                raise ImportFormatError(f"{source}: cannot read {info.filename}.") from None
            total += len(data)
            if len(data) > MAX_IMPORT_BYTES or info.file_size > MAX_IMPORT_BYTES:
                raise ImportFormatError(f"{source}: {info.filename} is too large to import.")
            if total > MAX_ZIP_TOTAL:
                raise ImportFormatError(f"{source}: the zip's files are too large to import.")
            members[info.filename] = data
        return members


def _zip_format(members: Mapping[str, bytes], source: str) -> str:
    names = [n.rsplit("/", 1)[-1].lower() for n in members]
    if any(n in ("agents.yaml", "agents.yml") for n in names):
        return "crewai"
    jsons = [n for n in members if n.lower().endswith(".json") and _is_component(members[n])]
    if len(jsons) == 1:
        return "autogen"
    raise ImportFormatError(
        f"{source}: the zip holds neither a CrewAI project (config/agents.yaml and "
        "config/tasks.yaml) nor one AutoGen team JSON."
    )
