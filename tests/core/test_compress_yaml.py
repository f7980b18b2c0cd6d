import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest
import yaml

from agent_baton.compress import compress
from agent_baton.compress.detect import kinds
from agent_baton.compress.guarantees import violations
from agent_baton.compress.request import Request
from agent_baton.compress.yaml import (
    _documents,
    _top_level_prefix,
    compress_yaml,
    looks_like_yaml,
    parses_as_yaml,
)


def deployment(i: int, replicas: int = 3, image: str = "1.8.3") -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-{i}\n  namespace: prod\n"
        f"spec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n"
        f"        - name: api\n          image: registry.acme.io/api:{image}\n"
        "          resources:\n            limits:\n"
        '              memory: 512Mi\n              cpu: "1"\n'
    )


def manifests() -> str:
    docs = [
        deployment(i, replicas=5 if i == 17 else 3, image="1.9.0" if i == 40 else "1.8.3")
        for i in range(60)
    ]
    return "---\n" + "---\n".join(docs)


def test_repeated_documents_are_told_by_their_differences():
    text = manifests()
    assert looks_like_yaml(text) and kinds(text)[0] == "yaml"
    result = compress(text, key="deploys")
    assert result.transforms == ["yaml:documents"]
    out = result.text
    assert out.startswith(deployment(0).rstrip())  # the first document whole
    assert (
        "[… document 18: as document 1, except]\n[… metadata.name: api-17]\n[… spec.replicas: 5]"
        in out
    )
    assert "[… spec.template.spec.containers.-.image: registry.acme.io/api:1.9.0]" in out
    assert "[… documents 42-60: as document 1, except]" in out
    assert violations(text, out) == []  # the differences are told by markers
    assert 'full: get("deploys", full=True)' in out
    assert result.compressed_tokens < 0.1 * result.original_tokens


def test_the_documents_a_query_matches_are_shown_whole():
    out, _ = compress_yaml(manifests(), Request(query="which deployment runs api 1.9.0"))
    assert deployment(40, image="1.9.0").rstrip() in out


def test_long_lists_keep_their_first_and_last_items():
    hosts = "\n".join(
        f"  - name: host-{i}\n    ip: 10.0.0.{i}\n    zone: eu-{i % 3}" for i in range(50)
    )
    text = f"inventory:\n  region: eu-west-1\nhosts:\n{hosts}\nowner: platform-team\n"
    out, _ = compress_yaml(text, Request(key="inv"))
    assert "  - name: host-0" in out and "  - name: host-49" in out
    assert "host-25" not in out
    assert '# [… 46 of 50 items omitted — full: get("inv", full=True)]' in out
    assert "owner: platform-team" in out and "region: eu-west-1" in out


@pytest.mark.parametrize(
    "text",
    [
        "The report says: latency rose.\nIt also says: errors fell.\n" * 5,
        "def f(x):\n    return x\n\nclass A:\n    pass\n" * 5,
        "2024-05-02 10:00:00 INFO started\n" * 10,
        "note: one\n",
    ],
)
def test_what_is_not_yaml(text):
    assert not looks_like_yaml(text)


def test_documents_are_compared_with_the_first_of_their_own_shape():
    namespace = (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n    team: api\n"
    )
    text = "---\n" + "---\n".join([namespace, *(deployment(i) for i in range(30))])
    result = compress(text)
    assert "[… documents 3-31: as document 2, except]" in result.text
    assert "kind: Namespace" in result.text
    assert result.compressed_tokens < 0.15 * result.original_tokens


def test_an_outline_keeps_deep_lines_that_report_a_failure():
    # A CI run's record: the job that failed says so three levels down, in its log.
    jobs = []
    for i in range(60):
        log = "Traceback (most recent call last):" if i == 41 else f"built wheel {i} in 3.{i}s"
        jobs.append(
            f"  job-{i}:\n    runner: ubuntu-22.04\n    steps:\n      - name: build {i}\n"
            f"        run: make wheel-{i}\n        output:\n          first: resolving deps\n"
            f'          last: "{log}"\n'
        )
    text = "workflow: release\njobs:\n" + "".join(jobs)
    out = compress(text, key="run.yaml").text
    assert '          last: "Traceback (most recent call last):"' in out.splitlines()
    assert '          last: "built wheel 40 in 3.40s"' not in out.splitlines()


def test_a_long_list_keeps_the_items_that_report_a_failure():
    # A list cut to its ends keeps a middle item whose continuation line is a stack frame,
    # with a marker on each side of it (found by the failure property test).
    items = [f"- step {i}: the ledger for region {i % 7} was reconciled" for i in range(60)]
    items[30] += "\n    at [eval]:1:7"
    text = "\n".join(items)
    out = compress(text, key="steps.yaml").text.splitlines()
    assert "    at [eval]:1:7" in out
    assert "- step 30: the ledger for region 2 was reconciled" in out
    assert "- step 20: the ledger for region 6 was reconciled" not in out
    at = out.index("- step 30: the ledger for region 2 was reconciled")
    assert "items omitted" in out[at - 1] and "items omitted" in out[at + 2]


def manifest(kind: str, name: str, component: str, body: str) -> str:
    """One object of an install manifest laid out as ``kubectl kustomize`` writes it."""
    return (
        f"apiVersion: v1\nkind: {kind}\nmetadata:\n  labels:\n"
        f"    app.kubernetes.io/component: {component}\n"
        "    app.kubernetes.io/instance: ingress-nginx\n"
        "    app.kubernetes.io/name: ingress-nginx\n"
        "    app.kubernetes.io/part-of: ingress-nginx\n"
        "    app.kubernetes.io/version: 1.15.1\n"
        f"  name: {name}\n  namespace: ingress-nginx\n{body}"
    )


def rules(n: int) -> str:
    return "rules:\n" + "".join(
        f"- apiGroups:\n  - group{i}.k8s.io\n  resources:\n  - things{i}\n  - others{i}\n"
        "  verbs:\n  - get\n  - list\n  - watch\n"
        for i in range(n)
    )


def container(name: str) -> str:
    env = "".join(
        f"        - name: VAR_{k}\n          valueFrom:\n            fieldRef:\n"
        f"              fieldPath: metadata.field{k}\n"
        for k in range(6)
    )
    return (
        "spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n"
        f"      - args:\n        - /controller\n        - --election-id={name}\n        env:\n{env}"
        f"        image: registry.k8s.io/{name}:v1.15.1\n        name: {name}\n"
    )


def test_an_outline_shows_each_documents_kind_and_name_and_the_keys_above_kept_lines():
    # An install manifest of many kinds (ingress-nginx's deploy.yaml, 19 objects): its
    # outline names every object, and a label kept deep shows under its "labels:" key, not
    # under a marker that swallowed it.
    objects = [("Namespace", "ingress-nginx", "controller", "")]
    for i in range(9):
        objects.append(("Role", f"ingress-nginx-role-{i}", "controller", rules(8 + i % 3)))
        objects.append(("Deployment", f"controller-{i}", "admission-webhook", container(f"c{i}")))
    text = "\n---\n".join(manifest(*obj) for obj in objects)
    result = compress(text)
    assert result.transforms == ["yaml:outline"]
    out = result.text.splitlines()
    # A document like an earlier one is told by its differences (its name among them).
    for kind, name, _, _ in objects:
        assert f"kind: {kind}" in out
        assert f"  name: {name}" in out or f"[… metadata.name: {name}]" in out
    for k, line in enumerate(out):
        if line.startswith("    app.kubernetes.io/"):
            above = next(p for p in reversed(out[:k]) if not p.startswith("    app."))
            assert above == "  labels:", line
    assert violations(text, result.text) == []
    assert result.compressed_tokens < 0.5 * result.original_tokens


# Examples 2.3, 2.8, 2.13 and 2.28 of the YAML 1.1 specification, as PyYAML's tests hold
# them: a stream whose documents' keys (action, User) read like a transcript's speakers.
SPEC_EXAMPLES = """\
---
american:
  - Boston Red Sox
  - Detroit Tigers
  - New York Yankees
national:
  - New York Mets
  - Chicago Cubs
  - Atlanta Braves
---
time: 20:03:20
player: Sammy Sosa
action: strike (miss)
...
---
time: 20:03:47
player: Sammy Sosa
action: grand slam
...
--- >
  Mark McGwire's
  year was crippled
  by a knee injury.
---
Time: 2001-11-23 15:01:42 -5
User: ed
Warning:
  This is an error message
  for the log file
---
Time: 2001-11-23 15:02:31 -5
User: ed
Warning:
  A slightly different error
  message.
---
Date: 2001-11-23 15:03:17 -5
User: ed
Fatal:
  Unknown variable "bar"
Stack:
  - file: TopClass.py
    line: 23
    code: |
      x = MoreObject("345\\n")
  - file: MoreClass.py
    line: 58
    code: |-
      foo = bar
"""


DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("name", "key"),
    # kubernetes/examples' guestbook (3 Deployments, 3 Services) and swagger-petstore's
    # OpenAPI 3 spec: the images the containers run, the operations' ids.
    [("k8s_guestbook_all_in_one.yaml", "image"), ("petstore_openapi.yaml", "operationId")],
)
def test_an_outline_keeps_what_each_item_runs_or_is_called_by(name: str, key: str) -> None:
    text = (DATA / name).read_text()
    wanted = [line for line in text.splitlines() if re.match(rf"\s*(- )?{key}: \S", line)]
    result = compress(text)
    assert result.transforms == ["yaml:outline"]
    out = result.text.splitlines()
    assert [line for line in wanted if line not in out] == []
    # Each with the keys above it: whose image, which path and method.
    if key == "operationId":
        assert "  /pet/findByStatus:" in out and "    get:" in out
    assert violations(text, result.text) == []
    assert result.compressed_tokens < 0.7 * result.original_tokens


def test_the_yaml_specifications_examples_are_yaml_not_a_chat():
    assert kinds(SPEC_EXAMPLES)[0] == "yaml"


def test_a_mapping_that_names_a_key_twice_is_no_yaml():
    assert parses_as_yaml("name: a\nversion: 1\nsize: 3\nowner: x\nstate: up\n")
    assert not parses_as_yaml("name: a\nversion: 1\n\nname: b\nversion: 2\n\nname: c\n")


def test_apt_cache_show_of_several_packages_is_no_yaml_document():
    # Stanzas of the same fields read as one YAML mapping naming each field many times:
    # routed as YAML, 4 of 8 real listings of 16 packages were saved 0-1 % (8.9k-12k tokens).
    apt_cache, dpkg_query = shutil.which("apt-cache"), shutil.which("dpkg-query")
    if apt_cache is None or dpkg_query is None:
        pytest.skip("apt-cache is not installed")
    installed = subprocess.run(
        [dpkg_query, "-W", "-f", "${Package}\n"], capture_output=True, text=True
    ).stdout.split()
    listings = [
        subprocess.run(
            [apt_cache, "show", *installed[start : start + 16]], capture_output=True, text=True
        ).stdout
        for start in range(40, min(len(installed) - 16, 360), 40)
    ]
    listings = [text for text in listings if text.count("\nPackage: ") >= 12]
    if len(listings) < 4:
        pytest.skip("too few packages installed or known to apt")
    for text in listings:
        assert kinds(text)[0] != "yaml"
        result = compress(text, model="gpt-4")
        assert violations(text, result.text) == []
        kept = set(result.text.splitlines())
        packages = [line for line in text.splitlines() if line.startswith("Package: ")]
        assert [line for line in packages if line not in kept] == []
        assert result.savings_percent > 3  # (a listing read as a control file keeps more)


def test_documents_are_composed_as_the_stock_loader_composes_them():
    """The composer's resolver hooks give each node the tag the stock resolver gives it.

    Checked on the YAML specification's examples (tags, anchors, flow and block styles) and
    on this interpreter's build settings written out by PyYAML in block and flow style.
    """
    stock = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # the parser, its own resolver

    def shape(node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            return (node.tag, node.value, node.style)
        if isinstance(node, yaml.SequenceNode):
            return (node.tag, node.flow_style, [shape(item) for item in node.value])
        return (node.tag, node.flow_style, [(shape(k), shape(v)) for k, v in node.value])

    settings = {k: v for k, v in sysconfig.get_config_vars().items() if isinstance(v, str | int)}
    texts = [
        SPEC_EXAMPLES,
        yaml.safe_dump(settings, default_flow_style=False),
        yaml.safe_dump(settings, default_flow_style=True),
        yaml.safe_dump_all([{"paths": sysconfig.get_paths()}, sorted(settings)[:50]]),
    ]
    for text in texts:
        composed = yaml.compose_all(_top_level_prefix(text), Loader=stock)
        stocked = [n for n in composed if n is not None and n.value]
        assert [shape(n) for n in _documents(text) or []] == [shape(n) for n in stocked]


def workflow_steps(n: int) -> str:
    """A job's steps as GitHub Actions workflows lay them out: actions among scripts."""
    steps = []
    for i in range(n):
        if i % 3 == 1:
            steps.append(f"      - uses: acme/setup-tool-{i}@v{i % 5 + 1}\n        with:\n")
            steps.append(f"          version: '{i}.0'\n")
        else:
            steps.append(f"      - name: step {i}\n        run: |\n          make target-{i}\n")
    return "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n" + "".join(steps)


def test_a_long_list_of_steps_keeps_each_step_that_runs_a_new_action():
    # curl's linux.yml lost all 39 of its `uses:` lines: the steps list was cut to its ends
    # before the outline's rule for them applied.
    text = workflow_steps(40)
    result = compress(text, key="ci.yml")
    out = result.text.splitlines()
    uses = [line for line in text.splitlines() if "- uses:" in line]
    assert [line for line in uses if line not in out] == []
    assert "          make target-20" not in out  # the scripts between them are cut
    assert violations(text, result.text) == []


def test_a_list_whose_every_item_runs_something_is_records_cut_to_its_ends():
    # A showcase of sites with their images, a matrix of container images: data, not steps.
    text = "".join(
        f"- name: site {i}\n  url: https://site{i}.example.org/\n  image: site-{i}.png\n"
        for i in range(40)
    )
    out = compress(text, key="showcase.yml").text.splitlines()
    assert "  image: site-0.png" in out and "  image: site-39.png" in out
    assert "  image: site-20.png" not in out
