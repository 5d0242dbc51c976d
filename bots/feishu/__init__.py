"""Feishu/Lark: HTTP events with our own crypto, replies as interactive cards (no lark_oapi)."""
