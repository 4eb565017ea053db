"""The web client's Content-Security-Policy: video lessons may embed the two players the
client builds embed URLs for, and nothing else may be framed or frame the app."""

from tms_entrypoints.http.app import _content_security_policy


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_the_web_client_frames_only_the_youtube_and_vimeo_players() -> None:
    policy = directives(_content_security_policy("/app/learning/1/lessons/2"))
    assert policy["frame-src"] == ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]


def test_the_api_frames_nothing() -> None:
    policy = directives(_content_security_policy("/courses/"))
    assert "https://player.vimeo.com" not in _content_security_policy("/courses/")
    assert policy.get("frame-ancestors") == ["'none'"]
