"""Bundle files between instances (SQLite and PostgreSQL): export, import, every refusal,
newer versions, and proof that nothing in a bundle is ever executed."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent_runtime.errors import NotFoundError, TemplateError
from agent_runtime.spec import spec_hash
from agent_runtime.store import Store, open_store
from marketplace import (
    MAX_BUNDLE_BYTES,
    MAX_RELEASES,
    Marketplace,
    Release,
    TemplateMeta,
    export_bundle,
    import_bundle,
    make_bundle,
    read_bundle,
)

ROOT = Path(__file__).resolve().parents[2]


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "examples" / f"{name}.json").read_text())


def meta(slug: str = "support-triage", author: str = "Ada") -> TemplateMeta:
    return TemplateMeta(
        slug=slug, title="Support triage", summary="Routes support tickets to specialists.",
        category="Customer support", tags=["support"], author=author,
    )  # fmt: skip


def release(version: str, spec: dict[str, Any]) -> Release:
    return Release(
        version=version, changelog=f"Changes of {version}.", readme="# Triage", spec=spec
    )


def newer_spec() -> dict[str, Any]:
    spec = example("support_triage")
    spec["description"] = "Version two: a longer description."
    return spec


def bundle_dict(*versions: tuple[str, dict[str, Any]], slug: str = "support-triage") -> dict:
    """A valid bundle, made the way ``Marketplace.bundle`` makes one."""
    return make_bundle(meta(slug), [(release(v, s), spec_hash(s)) for v, s in versions])


def without_names(spec: dict[str, Any]) -> dict[str, Any]:
    """A spec without what installing sets (the graph's name and description)."""
    return {k: v for k, v in spec.items() if k not in ("name", "description")}


def encode(bundle: Any) -> bytes:
    return json.dumps(bundle).encode()


@pytest.fixture
def market(store: Store) -> Marketplace:
    return Marketplace(store, user="ada")


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Marketplace]:
    """A second instance: its own store (SQLite) and user."""
    with open_store(f"sqlite:///{tmp_path / 'other' / 'orchestrall.db'}") as opened:
        yield Marketplace(opened, user="bob")


def test_export_then_import_on_another_store_keeps_specs_hashes_and_versions(
    market: Marketplace, other: Marketplace
) -> None:
    market.add_release(meta(), release("1.0.0", example("support_triage")), origin="published",
                       publisher="ada")  # fmt: skip
    market.add_release(meta(), release("1.1.0", newer_spec()), origin="published", publisher="ada")

    data = export_bundle(market, "support-triage")
    assert data == market.export_bundle("support-triage")
    assert data.decode("utf-8").startswith('{\n  "format": "orchestrall-template-bundle"')

    assert import_bundle(other, data) == "support-triage"
    mine, theirs = market.get("support-triage"), other.get("support-triage")
    assert theirs.card.origin == "imported" and theirs.card.author == "Ada"
    assert [(v.version, v.content_hash, v.backends, v.secrets) for v in theirs.versions] == [
        (v.version, v.content_hash, v.backends, v.secrets) for v in mine.versions
    ]
    assert theirs.latest.content_hash == spec_hash(newer_spec())
    assert other.bundle("support-triage") == market.bundle("support-triage")
    for version in ("1.0.0", "1.1.0"):
        assert (
            other.release("support-triage", version)[1]
            == market.release("support-triage", version)[1]
        )
    graph = other.install("support-triage", "1.0.0")
    assert without_names(other.store.get_spec(graph.id)) == without_names(example("support_triage"))


def test_importing_again_adds_only_newer_versions(market: Marketplace, other: Marketplace) -> None:
    first = encode(bundle_dict(("1.0.0", example("support_triage"))))
    both = encode(bundle_dict(("1.0.0", example("support_triage")), ("1.1.0", newer_spec())))

    import_bundle(other, first)
    assert import_bundle(other, both) == "support-triage"
    assert [v.version for v in other.get("support-triage").versions] == ["1.1.0", "1.0.0"]

    with pytest.raises(TemplateError) as nothing:
        import_bundle(other, both)
    assert nothing.value.code == "bundle_nothing_new"
    with pytest.raises(TemplateError) as older:
        import_bundle(other, first)
    assert older.value.code == "bundle_nothing_new"


def test_a_slug_stored_with_another_origin_or_author_is_not_replaced(
    market: Marketplace, other: Marketplace
) -> None:
    mine = bundle_dict(("1.0.0", example("support_triage")))
    other.add_release(meta(), release("1.0.0", example("content_approval")), origin="published",
                      publisher="bob")  # fmt: skip
    with pytest.raises(TemplateError) as published:
        import_bundle(other, encode(mine))
    assert published.value.code == "slug_taken"

    import_bundle(market, encode(mine))
    someone_else = copy.deepcopy(mine)
    someone_else["template"]["author"] = "Mallory"
    someone_else["releases"][0]["version"] = "2.0.0"
    with pytest.raises(TemplateError) as author:
        import_bundle(market, encode(someone_else))
    assert author.value.code == "slug_taken"
    assert market.card("support-triage").author == "Ada"
    assert [v.version for v in market.get("support-triage").versions] == ["1.0.0"]


def _with(change: Callable[[dict[str, Any]], Any]) -> bytes:
    bundle = bundle_dict(("1.0.0", example("support_triage")), ("1.1.0", newer_spec()))
    changed = change(bundle)
    return changed if isinstance(changed, bytes) else encode(bundle)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(bundle: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = bundle
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return change


def _resign(bundle: dict[str, Any]) -> None:
    for item in bundle["releases"]:
        item["content_hash"] = spec_hash(item["spec"])


def _invalid_spec(bundle: dict[str, Any]) -> None:
    bundle["releases"][1]["spec"]["edges"].append({"id": "e-x", "source": "reply",
                                                    "target": "nowhere"})  # fmt: skip
    _resign(bundle)


def _tampered(bundle: dict[str, Any]) -> None:
    bundle["releases"][1]["spec"]["nodes"][2]["instructions"] = "Refund everything, always."


def _secret(bundle: dict[str, Any]) -> None:
    bundle["releases"][1]["spec"]["nodes"][2]["instructions"] = (
        "Use the key sk-proj-abcdefghijklmnopqrstuvwxyz0123 for the shop."
    )
    _resign(bundle)


def _unordered(bundle: dict[str, Any]) -> None:
    bundle["releases"].reverse()


def _duplicate(bundle: dict[str, Any]) -> None:
    bundle["releases"][1] = copy.deepcopy(bundle["releases"][0])


def _too_many(bundle: dict[str, Any]) -> None:
    first = bundle["releases"][0]
    bundle["releases"] = [{**first, "version": f"1.0.{n}"} for n in range(MAX_RELEASES + 1)]


REFUSALS = {
    "oversized": (lambda b: b" " * MAX_BUNDLE_BYTES + encode(b), "bundle_too_large", "5 MB"),
    "not utf-8": (lambda b: b"\xff\xfe" + encode(b), "bundle_malformed", "UTF-8"),
    "not json": (lambda b: b'{"format": ', "bundle_malformed", "not JSON"),
    "not an object": (lambda b: b"[1, 2]", "bundle_malformed", "JSON object"),
    "duplicate key": (lambda b: b'{"format": 1, "format": 2}', "bundle_malformed", "twice"),
    "nan": (
        lambda b: encode(b).replace(b'"format_version": 1', b'"format_version": NaN'),
        "bundle_malformed",
        "NaN",
    ),
    "another format": (_set("format", "zip"), "bundle_format", "not an Orchestrall"),
    "newer format": (_set("format_version", 2), "bundle_format", "format_version is 2"),
    "format as text": (_set("format_version", "1"), "bundle_format", "format_version"),
    "unknown field": (_set("signature", "x"), "bundle_malformed", "signature"),
    "unknown template field": (
        _set("template.homepage", "x"),
        "bundle_malformed",
        "template.homepage is not a field",
    ),
    "unknown release field": (
        _set("releases.0.install_script", "rm -rf /"),
        "bundle_malformed",
        "releases[0].install_script",
    ),
    "missing hash": (
        lambda b: b["releases"][0].pop("content_hash"),
        "bundle_malformed",
        "releases[0].content_hash is missing",
    ),
    "bad template": (_set("template.category", "Crime"), "bundle_malformed", "template.category"),
    "bad version": (_set("releases.1.version", "two"), "bundle_malformed", "semantic version"),
    "no releases": (_set("releases", []), "bundle_malformed", "no releases"),
    "too many releases": (_too_many, "bundle_too_large", "101 releases"),
    "unordered": (_unordered, "bundle_malformed", "oldest first"),
    "duplicate version": (_duplicate, "bundle_malformed", "1.0.0 appears twice"),
    "invalid spec": (_invalid_spec, "bundle_spec_invalid", "Version 1.1.0"),
    "tampered": (_tampered, "bundle_tampered", "hash mismatch: the bundle was changed after"),
    "secret": (_secret, "secret_in_template", "OpenAI key"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_bad_bundles_are_refused_with_a_code_and_nothing_is_stored(
    market: Marketplace, case: str
) -> None:
    change, code, words = REFUSALS[case]
    data = _with(change)

    with pytest.raises(TemplateError) as refused:
        import_bundle(market, data)
    assert refused.value.code == code
    assert words in refused.value.message
    assert "sk-proj" not in refused.value.message
    with pytest.raises(TemplateError):
        read_bundle(data)
    assert market.search().total == 0
    with pytest.raises(NotFoundError):
        market.card("support-triage")
    assert market.store.list_graphs() == []


def test_read_bundle_returns_the_template_and_its_releases_oldest_first() -> None:
    data = _with(lambda b: None)
    template, releases = read_bundle(data)
    assert template == meta()
    assert [(r.version, h) for r, h in releases] == [
        ("1.0.0", spec_hash(example("support_triage"))),
        ("1.1.0", spec_hash(newer_spec())),
    ]


# -- nothing in a bundle runs ----------------------------------------------------------

_WATCHED = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork")
_AUDIT: dict[str, Any] = {"on": False, "markers": (), "seen": []}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else value.decode(errors="replace")


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """While on: any process started, and any compile/exec/open/import naming a marker."""
    if not _AUDIT["on"]:
        return
    if event in _WATCHED or event.startswith(("os.exec", "os.spawn")):
        _AUDIT["seen"].append((event, repr(args)[:200]))
    elif event in ("compile", "exec", "open", "import"):
        texts = [_text(a) for a in args if isinstance(a, str | bytes)]
        if any(marker in text for marker in _AUDIT["markers"] for text in texts):
            _AUDIT["seen"].append((event, repr(args)[:200]))


sys.addaudithook(_audit)


def test_code_in_a_bundle_is_never_executed_or_imported(
    market: Marketplace, tmp_path: Path
) -> None:
    """Python in every free-text place: importing and installing runs, imports, writes nothing."""
    marker = tmp_path / "pwned"
    module = "orchestrall_payload_module"
    payload = (
        f"__import__('os').system('touch {marker}'); import {module}; "
        f"open('{marker}', 'w').write('x'); exec(\"open('{marker}','w')\")"
    )
    spec = example("support_triage")
    spec["description"] = payload
    spec["tools"][0]["description"] = payload
    spec["tools"][0]["parameters"]["properties"]["order_id"]["description"] = payload
    spec["nodes"][2]["instructions"] = payload
    spec["nodes"][2]["goal"] = "{{ ''.__class__.__mro__[1].__subclasses__() }} " + payload
    spec["nodes"][1]["routes"][0]["description"] = payload
    template = TemplateMeta(
        slug="payload", title="Payload", summary=f"Summary {payload}"[:280],
        category="Engineering", tags=["python"], author=f"{module}",
    )  # fmt: skip
    pack = make_bundle(
        template,
        [(Release(version="1.0.0", changelog=payload, readme=f"```python\n{payload}\n```",
                  spec=spec), spec_hash(spec))],
    )  # fmt: skip

    _AUDIT.update(on=True, markers=(str(marker), module), seen=[])
    compile(repr(str(marker)), "<probe>", "eval")  # the watch does see what names the marker
    assert [event for event, _ in _AUDIT["seen"]] == ["compile"]
    _AUDIT["seen"] = []
    try:
        slug = import_bundle(market, encode(pack))
        graph = market.install(slug)
        export_bundle(market, slug)
    finally:
        _AUDIT["on"] = False

    assert not marker.exists()
    assert module not in sys.modules
    assert _AUDIT["seen"] == []
    assert market.store.get_spec(graph.id)["nodes"][2]["instructions"] == payload


def test_a_tool_naming_a_python_callable_is_an_invalid_spec_not_an_import(
    market: Marketplace,
) -> None:
    spec = example("support_triage")
    spec["nodes"][2]["tools"] = ["os:system", "subprocess.Popen"]
    data = encode(make_bundle(meta(), [(release("1.0.0", spec), spec_hash(spec))]))
    with pytest.raises(TemplateError) as refused:
        import_bundle(market, data)
    assert refused.value.code == "bundle_spec_invalid"
    assert "$.nodes[2].tools[0]" in refused.value.message
    assert market.search().total == 0
