"""LLM layer (facade written in issue 3)."""
