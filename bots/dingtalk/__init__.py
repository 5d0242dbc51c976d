"""DingTalk: Stream mode by default, HTTP robot and encrypted event callbacks; our own httpx sends."""
