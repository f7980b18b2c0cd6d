import glob
import re
from collections import Counter
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.code.blocks import parses_as_blocks
from agent_baton.compress.detect import kinds
from agent_baton.compress.guarantees import violations
from agent_baton.compress.markers import is_marker

DATA = Path(__file__).parent / "data"
# terraform-aws-vpc's outputs.tf: a locals block, then 119 output blocks of a description
# and a value each, under banner comments.
OUTPUTS = (DATA / "terraform_vpc_outputs.tf").read_text()
# h5bp's server-configs-nginx template: two server blocks, the second the site's own.
SITE = (DATA / "nginx_example.com.conf").read_text()


def test_terraform_outputs_keep_every_block_head():
    # Read as C by the brace scanner, its bodies were no shorter and the line fold kept
    # 26 of 120 block heads (the template-repeated `}` and description lines won).
    assert kinds(OUTPUTS)[0] == "code"
    assert parses_as_blocks(OUTPUTS) == "hcl"
    result = compress(OUTPUTS)
    assert result.transforms == ["code:hcl"]
    out = result.text.splitlines()
    heads = [line for line in OUTPUTS.splitlines() if line.startswith(("output ", "locals "))]
    assert len(heads) == 120
    assert [head for head in heads if head not in out] == []
    # Each output's value stays under its head; the descriptions are counted once, after
    # the run of alike blocks, in the file's comment syntax.
    assert "  value       = try(aws_vpc.this[0].arn, null)" in out
    assert not any(line.lstrip().startswith("description") for line in out)
    folds = [line for line in out if re.fullmatch(r"# \[… \d+ lines: description of .*\]", line)]
    assert folds and all(is_marker(line) for line in folds)
    assert not any(line.lstrip().startswith("//") for line in out)
    assert result.compressed_tokens < 0.8 * result.original_tokens
    assert violations(OUTPUTS, result.text) == []


def test_terraform_outputs_under_a_budget_keep_more_heads_than_bodies():
    # Under a tenth of its tokens the alike blocks' values go before their heads (8 heads
    # were kept by the line fold).
    free = compress(OUTPUTS)
    tight = compress(OUTPUTS, max_tokens=free.original_tokens // 10)
    firsts = Counter(line.split()[0] for line in tight.text.splitlines() if line.strip())
    assert firsts["output"] >= 20 and firsts["output"] > firsts["value"]
    assert tight.compressed_tokens <= free.original_tokens // 10
    assert violations(OUTPUTS, tight.text) == []


def test_an_nginx_site_keeps_each_servers_names_root_and_includes():
    # The brace scanner read it as C: "as above" dropped the second server's listen lines,
    # and its body cuts took server_name and root, the lines that tell the servers apart;
    # its markers were written "// …" in a file whose comments are "#".
    assert parses_as_blocks(SITE) == "nginx"
    result = compress(SITE)
    assert result.transforms == ["code:nginx"]
    out = result.text.splitlines()
    directives = [
        line
        for line in SITE.splitlines()
        if re.match(r"\s*(server|listen|server_name|root|include|return)\b", line)
    ]
    assert "  server_name example.com;" in directives
    assert "  root /var/www/example.com/public;" in directives
    assert [line for line in directives if line not in out] == []
    assert out.count("  listen 443 ssl http2;") == 2
    markers = [line for line in out if is_marker(line)]
    assert markers and not any(line.lstrip().startswith("//") for line in markers)
    assert violations(SITE, result.text) == []


def test_hcl_heredocs_conditionals_and_one_line_blocks_scan():
    statements = "\n".join(f'  rule_{i} = "allow"' for i in range(30))
    text = (
        "// network settings\n"
        'variable "policy" {\n'
        '  description = "The bucket policy"\n'
        "  default     = <<-EOT\n"
        "    {\n"
        '      "Version": "2012-10-17"\n'
        "    }\n"
        "  EOT\n"
        "}\n\n"
        'resource "aws_s3_bucket" "logs" {\n'
        "  for_each = var.enabled ? { for k, v in var.buckets : k => v if v.on } : {}\n"
        '  name     = "${var.prefix}-${join("-", var.parts)}"\n'
        "  lifecycle { prevent_destroy = true }\n"
        "  /* retention */\n"
        f"{statements}\n"
        "  tags = merge(\n    var.tags,\n    { Name = var.name },\n  )\n"
        "}\n"
    )
    assert parses_as_blocks(text) == "hcl"
    result = compress(text)
    assert result.transforms == ["code:hcl"]
    out = result.text.splitlines()
    for line in (
        'variable "policy" {',
        'resource "aws_s3_bucket" "logs" {',
        "  default     = <<-EOT",
    ):
        assert line in out
    # The naming statements of a long body stay, its other statements go under its name;
    # a heredoc's own braces are no block.
    assert '  name     = "${var.prefix}-${join("-", var.parts)}"' in out
    assert '  rule_0 = "allow"' not in out
    assert any(
        re.fullmatch(r"  # … \d+ lines of resource\.aws_s3_bucket\.logs omitted", x) for x in out
    )
    assert violations(text, result.text) == []


@pytest.mark.parametrize(
    "text",
    [
        # C: a struct closed by "} name;", a function's head.
        "typedef struct {\n  int a;\n  int b;\n} pair;\n\nint main(void) {\n  return 0;\n}\n",
        "struct point {\n  int x;\n  int y;\n};\n",
        # Go and Java: statements of neither form, calls in heads.
        'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n',
        "public class A {\n  private int x;\n  public int getX() {\n    return x;\n  }\n}\n",
        # CSS: properties with colons.
        "body {\n  color: red;\n  margin: 0;\n}\n\n.a {\n  padding: 1px;\n}\n",
        # Perl: assignments ended by ";", and JavaScript.
        "sub total {\n  my $sum = 0;\n  return $sum;\n}\n",
        "const config = {\n  port: 8080,\n};\nfunction start() {\n  listen(config);\n}\n",
        # C's preprocessor lines read as comments would leave declarations that pass.
        '#include <stdio.h>\n#define N 3\nextern "C" {\nint n;\n}\n',
        # Shell: a function and its commands.
        'deploy() {\n  echo "deploying"\n  rsync -a build/ host:/srv\n}\n',
        # Lines of words with neither ";" nor "=": a Kotlin enum under its doc comment, Go's
        # control flow, CSS's last property, TeX's commands, YAML-like keys.
        "/**\n * A strategy.\n */\npublic enum class BufferOverflow {\n    SUSPEND,\n    DROP\n}\n",
        "func f() {\n\tif ok {\n\t\treturn\n\t} else {\n\t\tpanic(err)\n\t}\n}\n",
        "body {\n  margin: 0\n}\n",
        "\\hyphenation{\n  ana-lý-za\n}\n",
        # Lines ending in ";" among lines that do not: C's statements.
        "loop {\n  x++;\n  next\n}\n",
    ],
)
def test_programs_with_braces_are_no_block_config(text):
    assert parses_as_blocks(text) is None


def keepalived_conf(instances: int) -> str:
    """A keepalived.conf as its samples write one: VRRP instances and a virtual server."""
    lines = [
        "! Configuration File for keepalived",
        "",
        "global_defs {",
        "   notification_email {",
        "     sysadmin@example.com",
        "   }",
        "   router_id LVS_DEVEL",
        "}",
        "",
    ]
    for i in range(instances):
        lines += [
            f"vrrp_instance VI_{i} {{",
            "    state BACKUP",
            f"    interface eth{i % 2}",
            f"    virtual_router_id {50 + i}",
            f"    priority {100 - i}",
            "    advert_int 1",
            "    authentication {",
            "        auth_type PASS",
            "        auth_pass 1111",
            "    }",
            "    virtual_ipaddress {",
            *[f"        192.168.{200 + i}.{k}/24 dev eth1" for k in range(10, 40)],
            "    }",
            "    track_interface {\t\t# the interfaces whose state we follow",
            "        eth0",
            "        eth1",
            "    }",
            "}",
            "",
        ]
    lines += [
        "virtual_server 10.10.10.2 1358 {",
        "    delay_loop 6",
        "    lb_algo rr",
        "    lb_kind NAT",
        "    protocol TCP",
        "",
        "    real_server 192.168.200.2 1358 {",
        "        weight 1",
        "        HTTP_GET {",
        "            url {",
        "              path /testurl/test.jsp",
        "              digest 640205b7b0fc66c1ea91c463fac6334d",
        "            }",
        "            connect_timeout 3",
        "        }",
        "    }",
        "}",
        "",
    ]
    return "\n".join(lines)


def test_a_keepalived_conf_keeps_every_block_head_and_naming_directive():
    """keepalived writes neither ";" nor "=": the brace scanner kept 141 of 191 block heads
    of its 17 samples (a body's blocks under its head's marker). A long list of addresses
    goes under its block's name."""
    text = keepalived_conf(8)
    assert parses_as_blocks(text) == "directives"
    result = compress(text)
    assert result.transforms == ["code:directives"]
    out = result.text.splitlines()
    heads = [line for line in text.splitlines() if re.search(r"\{\s*(#.*)?$", line)]
    assert len(heads) == 38
    assert all(head in out for head in heads)
    naming = re.compile(r"\s+(state|interface|virtual_router_id) ")
    named = [line for line in text.splitlines() if naming.match(line)]
    assert all(line in out for line in named)
    assert "        192.168.203.25/24 dev eth1" not in out
    assert "        # … 30 lines of virtual_ipaddress omitted" in out
    assert violations(text, result.text) == []


def test_a_caddyfile_scans_with_its_global_options_wildcards_and_placeholders():
    text = (
        "{\n\temail admin@example.com\n}\n\n"
        "*.example.com, example.com {\n"
        "\troot * /var/www/example.com\n"
        "\t@api path /api/*\n"
        "\treverse_proxy @api localhost:8080 {\n"
        "\t\theader_up Host {upstream_hostport}\n"
        "\t}\n"
        '\theader Content-Type "text/html; charset=utf-8"\n'
        "\thandle_errors {\n\t\trewrite * /{err.status_code}.html\n\t\tfile_server\n\t}\n"
        "}\n"
    )
    assert parses_as_blocks(text) == "directives"


# ALSA's configs of this machine: blocks of "key value" lines and "#" comments, neither HCL
# nor nginx, read by the brace scanner.
ALSA = sorted(glob.glob("/usr/share/alsa/cards/*.conf"))[:12]


@pytest.mark.parametrize("path", ALSA, ids=str)
def test_the_brace_scanners_markers_use_the_files_own_comment(path):
    # Its markers were "// … 10 lines of pcm omitted" in files whose comments are "#".
    text = Path(path).read_text()
    result = compress(text)
    if not result.transforms or not result.transforms[0].startswith("code:braces"):
        pytest.skip(f"not read by the brace scanner: {result.transforms}")
    markers = [line.strip() for line in result.text.splitlines()[:-1] if is_marker(line)]
    assert markers and all(marker.startswith("#") for marker in markers)
    assert violations(text, result.text) == []
