"""Lesson content: video URLs (https with a host, nothing else), their embeds for YouTube
and Vimeo, and Markdown rendered to HTML that no known XSS vector survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tms_adapters.content import MarkdownItRenderer
from tms_domain.kernel import InvalidInput
from tms_domain.kernel.content import check_video_url, video_embed_url

# Video URLs


@pytest.mark.parametrize(
    ("url", "checked"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("  https://vimeo.com/76979871\n", "https://vimeo.com/76979871"),
        ("HTTPS://Example.org/video.mp4", "https://Example.org/video.mp4"),
        ("https://media.example.org:8443/v/1.webm", "https://media.example.org:8443/v/1.webm"),
        ("https://bücher.example/kurs.mp4", "https://bücher.example/kurs.mp4"),
        ("https://[2001:db8::1]/a.mp4", "https://[2001:db8::1]/a.mp4"),
    ],
)  # fmt: skip
def test_https_urls_with_a_host_are_taken(url: str, checked: str) -> None:
    assert check_video_url(url) == checked


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x00javascript:alert(1)",
        "javascript://https://example.org/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:video/mp4;base64,AAAA",
        "vbscript:msgbox(1)",
        "http://example.org/video.mp4",
        "ftp://example.org/video.mp4",
        "//example.org/video.mp4",
        "/videos/1.mp4",
        "https://",
        "https:///path",
        "https://user:secret@example.org/v.mp4",
        "https://user@example.org/v.mp4",
        "https://example.org@evil.example/v.mp4",
        "https://exa mple.org/v.mp4",
        "https://example.org/a b.mp4",
        "https://example.org/\u202ev.mp4",
        "https://example.org\\@evil.example/",
        "https://example.org:port/",
        "https://-bad-.example/",
        "https://" + "a" * 2000 + ".org/",
        "",
        "   ",
    ],
)
def test_anything_else_is_refused_on_the_field(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_video_url(url)

    assert [error.field for error in refused.value.errors] == ["video_url"]


@given(st.text(max_size=200))
def test_whatever_is_taken_is_an_https_address_with_a_host_and_no_credentials(url: str) -> None:
    try:
        checked = check_video_url(url)
    except InvalidInput:
        return
    assert checked.startswith("https://")
    authority = checked[len("https://") :].split("/", 1)[0]
    assert authority
    assert "@" not in authority
    assert not any(ch.isspace() for ch in checked)


@given(st.sampled_from(["javascript", "data", "vbscript", "http", "file"]), st.text(max_size=50))
def test_no_other_scheme_passes_however_it_is_cased(scheme: str, rest: str) -> None:
    mixed = "".join(ch.upper() if i % 2 else ch for i, ch in enumerate(scheme))
    for url in (f"{scheme}:{rest}", f"{mixed}:{rest}", f"{mixed}://{rest}"):
        with pytest.raises(InvalidInput):
            check_video_url(url)


# Embeds

NOCOOKIE = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", NOCOOKIE),
        ("https://youtube.com/watch?v=dQw4w9WgXcQ&list=PL123&index=2", NOCOOKIE),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", NOCOOKIE),
        ("https://youtu.be/dQw4w9WgXcQ", NOCOOKIE),
        ("https://youtu.be/dQw4w9WgXcQ?t=90", NOCOOKIE + "?start=90"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s", NOCOOKIE + "?start=90"),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ?start=42", NOCOOKIE + "?start=42"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", NOCOOKIE),
        ("https://www.youtube.com/live/dQw4w9WgXcQ", NOCOOKIE),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", NOCOOKIE),
        ("https://youtube-nocookie.com/embed/dQw4w9WgXcQ", NOCOOKIE),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://www.vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://vimeo.com/channels/staffpicks/76979871", "https://player.vimeo.com/video/76979871"),
        ("https://vimeo.com/76979871/8272103f6e", "https://player.vimeo.com/video/76979871?h=8272103f6e"),
        ("https://player.vimeo.com/video/76979871", "https://player.vimeo.com/video/76979871"),
    ],
)  # fmt: skip
def test_well_known_hosts_are_embedded_from_their_players(url: str, embed: str) -> None:
    assert video_embed_url(url) == embed


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/video.mp4",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ<script>",
        "https://www.youtube.com/channel/UC123",
        "https://youtu.be/",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/about",
        "https://player.vimeo.com/video/abc",
        "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ",
    ],
)
def test_other_addresses_are_links_not_embeds(url: str) -> None:
    assert video_embed_url(url) is None


@given(st.text(alphabet="ABCDEFabcdef0123456789_-", min_size=11, max_size=11))
def test_every_youtube_address_of_an_id_embeds_the_same_player(video_id: str) -> None:
    addresses = [
        f"https://www.youtube.com/watch?v={video_id}",
        f"https://youtu.be/{video_id}",
        f"https://www.youtube-nocookie.com/embed/{video_id}",
    ]
    embeds = {video_embed_url(url) for url in addresses}

    assert embeds == {f"https://www.youtube-nocookie.com/embed/{video_id}"}


@given(st.text(max_size=120))
def test_an_embed_is_always_one_of_the_two_players(url: str) -> None:
    embed = video_embed_url(url)
    assert embed is None or re.fullmatch(
        r"https://(www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{11}(\?start=\d+)?"
        r"|player\.vimeo\.com/video/\d+(\?h=[0-9a-f]+)?)",
        embed,
    )


# Markdown

renderer = MarkdownItRenderer()


def test_markdown_renders_what_authors_write() -> None:
    html = renderer.render_markdown(
        "# Safety first\n\nWear **gloves** and *goggles*; ~~never~~ always.\n\n"
        "1. Check\n2. Act\n\n> Quote\n\n`code` and\n\n```\nblock\n```\n\n"
        "| tool | use |\n|---|---:|\n| saw | cut |\n\n"
        "[Guide](https://example.org/guide) · [Mail](mailto:safety@example.org)\n\n"
        "![Diagram](https://example.org/d.png)\n"
    )

    for fragment in (
        "<h1>Safety first</h1>",
        "<strong>gloves</strong>",
        "<em>goggles</em>",
        "<s>never</s>",
        "<ol>\n<li>Check</li>",
        "<blockquote>",
        "<code>code</code>",
        "<pre><code>block\n</code></pre>",
        "<table>",
        "<td>saw</td>",
        '<a href="https://example.org/guide" rel="noopener noreferrer nofollow">Guide</a>',
        '<a href="mailto:safety@example.org" rel="noopener noreferrer nofollow">Mail</a>',
        '<img src="https://example.org/d.png" alt="Diagram">',
    ):
        assert fragment in html


XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=https://evil.example></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=https://evil.example/x.swf>",
    "<embed src=https://evil.example/x.swf>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>",
    "<details open ontoggle=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:/a/-alert(1)///////>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '![x](https://example.org/a.png "title\\" onerror=\\"alert(1)")',
    '[x](https://example.org/"onmouseover="alert(1))',
    '<https://example.org/"onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<!-- <script>alert(1)</script> -->",
    "<style>body{display:none}</style>",
    "<a href=# onclick=alert(1)>x</a>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
]


ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"href", "title", "src", "alt", "start", "rel"}


class Tags(HTMLParser):
    """Every element a browser would build from the HTML, with its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_safe(html: str) -> None:
    for tag, attributes in Tags(html).found:
        assert tag in ALLOWED_TAGS, html
        assert set(attributes) <= ALLOWED_ATTRIBUTES, html
        for name in ("href", "src"):
            if name in attributes:
                address = (attributes[name] or "").strip().lower()
                assert address.startswith(("https://", "http://", "mailto:")), html
        if tag == "a":
            assert attributes.get("rel") == "noopener noreferrer nofollow", html


@pytest.mark.parametrize("source", XSS_VECTORS)
def test_no_xss_vector_survives(source: str) -> None:
    assert_safe(renderer.render_markdown(source))


@given(st.text(max_size=300))
def test_no_text_renders_to_anything_outside_the_allowlist(text: str) -> None:
    assert_safe(renderer.render_markdown(text))


@given(
    st.lists(
        st.sampled_from(["<", ">", "script", "img", " src=", "onerror=", "javascript:", "[a](",
                         ")", "![b](", '"', "'", "&#106;", "\n", "data:", "svg", "=", "/"]),
        max_size=30,
    )
)  # fmt: skip
def test_no_mix_of_attack_fragments_gets_through(parts: list[str]) -> None:
    assert_safe(renderer.render_markdown("".join(parts)))
