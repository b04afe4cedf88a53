"""render_markdown: Markdown features survive, nothing dangerous does."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.markup import ALLOWED_TAGS, html_to_text, render_markdown

# Written for this project: each entry is a way to smuggle script, style, frames,
# forms or dangerous URLs through Markdown or raw HTML.
ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src='https://evil.example'></iframe>",
    "<frame src=javascript:alert(1)>",
    "<frameset><frame src=x></frameset>",
    "<object data='x.swf'></object>",
    "<embed src='x.swf'>",
    "<form action='https://evil.example'><input name=p></form>",
    "<input autofocus onfocus=alert(1)>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<textarea onfocus=alert(1) autofocus>",
    "<style>body{display:none}</style>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    "<p style='position:fixed;top:0'>overlay</p>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    "<base href='https://evil.example/'>",
    "<a href='javascript:alert(1)'>x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6A%61%76%61script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "[x](file:///etc/passwd)",
    "<javascript:alert(1)>",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "[x]: javascript:alert(1)\n\n[y][x]",
    '[x](https://ok.example "t" onclick="alert(1)")',
    '[x](https://ok.example" onclick="alert(1))',
    '![x](https://ok.example/a.png" onerror="alert(1))',
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<body onload=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<a href='https://ok.example' target=_blank>x</a>",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "> <script>alert(1)</script>",
    "* <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=`javascript:alert(1)`>",
    '<a href="javas\x00cript:alert(1)">x</a>',
    "[x](javas\x00cript:alert(1))",
    "\u202egnp.exe",
    "<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
    "<isindex action=javascript:alert(1) type=image>",
    "<applet code=x></applet>",
    "<template><script>alert(1)</script></template>",
    "<a href='//evil.example'>protocol-relative</a>",
    "[x](  javascript:alert(1)  )",
    "```\n</code></pre><script>alert(1)</script>\n```",
]

FORBIDDEN_TAGS = re.compile(
    r"<\s*/?\s*(script|style|iframe|frame|frameset|object|embed|form|input|button|textarea|"
    r"link|meta|base|svg|math|video|audio|source|details|marquee|body|template|applet|isindex|noscript)\b",
    re.IGNORECASE,
)
EVENT_ATTR = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.balanced = True

    VOID = {"br", "hr", "img"}

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):  # noqa: ANN001
        if not self.stack or self.stack[-1] != tag:
            self.balanced = False
        else:
            self.stack.pop()


def assert_safe(html: str) -> None:
    assert not FORBIDDEN_TAGS.search(html), html
    assert not EVENT_ATTR.search(html), html
    assert not STYLE_ATTR.search(html), html
    parser = _TagCollector()
    parser.feed(html)
    parser.close()
    assert parser.balanced and not parser.stack, f"unbalanced HTML: {html!r}"
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            if name in ("href", "src") and value:
                # A scheme, as browsers parse it (WHATWG URL): letters first, then [a-z0-9+.-].
                match = URL_SCHEME.match(value.strip())
                assert match is None or match.group(1).lower() in ("http", "https", "mailto"), value
        if tag == "a" and "href" in attrs:
            assert attrs.get("rel") == "nofollow ugc noopener", attrs
            assert "target" not in attrs


def test_corpus_is_large_enough():
    assert len(ATTACKS) >= 60


@pytest.mark.parametrize("source", ATTACKS)
def test_attack_vector_is_neutralised(source: str):
    assert_safe(render_markdown(source))


def test_markdown_features_render():
    source = (
        "# Title\n\nSome *emphasis* and **strong** text.\n\n"
        "- one\n- two\n\n1. first\n\n> quoted\n\n"
        "```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "Visit https://example.com now. ~~gone~~"
    )
    html = render_markdown(source)
    for fragment in (
        "<h1>Title</h1>", "<em>emphasis</em>", "<strong>strong</strong>", "<ul>", "<ol>",
        "<blockquote>", '<code class="language-python">', "<table>", "<td>1</td>", "<s>gone</s>",
        '<a href="https://example.com" rel="nofollow ugc noopener">https://example.com</a>',
    ):  # fmt: skip
        assert fragment in html, fragment
    assert_safe(html)


def test_user_rel_is_overwritten():
    html = render_markdown('[x](https://example.com "t")')
    assert 'rel="nofollow ugc noopener"' in html and "dofollow" not in html


def test_raw_html_is_shown_as_text():
    assert "&lt;b&gt;bold&lt;/b&gt;" in render_markdown("<b>bold</b>")


def test_unknown_code_classes_are_dropped():
    html = render_markdown('```x" onmouseover="alert(1)\ncode\n```')
    assert_safe(html)
    assert "onmouseover" not in html.split("<code")[1].split(">")[0]


def test_control_and_bidi_characters_are_removed():
    assert "\u202e" not in render_markdown("a\u202eb") and "\x00" not in render_markdown("a\x00b")


def test_html_to_text():
    assert html_to_text("<p>a &amp; <b>b</b></p>\n<p>c</p>") == "a & b c"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_gives_safe_html(source: str):
    assert_safe(render_markdown(source))


MARKDOWN_BITS = st.sampled_from(
    ["<", ">", "[", "]", "(", ")", "!", "`", "```", "*", "_", "#", "> ", "- ", "|", "\n", " ", "\"",
     "'", "javascript:", "data:", "http://x.io", "onerror=", "<script>", "<img ", "&#", ";", "=", "alert(1)"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_BITS, max_size=60).map("".join))
def test_markdown_shaped_noise_gives_safe_html(source: str):
    assert_safe(render_markdown(source))
