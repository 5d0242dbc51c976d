"""Deterministic demo data: a pump and motor maker near Suzhou, its team, customers and catalog."""

from core.demo.generate import load_demo

__all__ = ["load_demo"]
