"""What the fake provider reads out of a request body: the prompt, the schema asked for, a forced tool."""

from __future__ import annotations

from typing import Any


def _text_of(content: Any) -> list[str]:
    """Collect the text out of a message content value in any of the wires' shapes."""
    if content is None:
        return []
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        out: list[str] = []
        for part in content:
            out.extend(_text_of(part))
        return out
    if isinstance(content, dict):
        if isinstance(content.get("text"), str):
            return [content["text"]]
        for key in ("content", "parts"):
            if key in content:
                return _text_of(content[key])
    return []


def _prompt_text(wire: str, body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    pieces: list[str] = []
    if wire == "gemini":
        pieces.extend(_text_of(body.get("systemInstruction") or body.get("system_instruction")))
        for item in body.get("contents") or []:
            pieces.extend(_text_of(item))
    else:
        pieces.extend(_text_of(body.get("system")))
        for message in body.get("messages") or []:
            if isinstance(message, dict):
                pieces.extend(_text_of(message.get("content")))
    return "\n".join(pieces)


def _json_schema(wire: str, body: Any) -> tuple[dict[str, Any] | None, bool]:
    """Return (schema the client asked for, whether it asked for JSON at all)."""
    if not isinstance(body, dict):
        return None, False
    if wire in ("openai", "azure"):
        fmt = body.get("response_format")
        if isinstance(fmt, dict):
            if fmt.get("type") == "json_schema":
                spec = fmt.get("json_schema") or {}
                schema = spec.get("schema") if isinstance(spec, dict) else None
                return (schema if isinstance(schema, dict) else {}), True
            if fmt.get("type") == "json_object":
                return None, True
        return None, False
    if wire == "anthropic":
        tool = _forced_tool(body)
        if tool is not None:
            schema = tool.get("input_schema")
            return (schema if isinstance(schema, dict) else {}), True
        config = body.get("output_config")
        fmt = config.get("format") if isinstance(config, dict) else None
        if isinstance(fmt, dict) and isinstance(fmt.get("schema"), dict):
            return fmt["schema"], True
        return None, False
    if wire == "gemini":
        config = body.get("generationConfig") or body.get("generation_config") or {}
        if not isinstance(config, dict):
            return None, False
        for key in ("responseJsonSchema", "responseSchema", "response_json_schema", "response_schema"):
            if isinstance(config.get(key), dict):
                return config[key], True
        mime = config.get("responseMimeType") or config.get("response_mime_type")
        return None, mime == "application/json"
    if wire == "ollama":
        fmt = body.get("format")
        if isinstance(fmt, dict):
            return fmt, True
        return None, fmt == "json"
    return None, False


def _forced_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    """The Anthropic tool the client forced with ``tool_choice={"type": "tool", ...}``, if any."""
    choice = body.get("tool_choice")
    if not isinstance(choice, dict) or choice.get("type") != "tool":
        return None
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and tool.get("name") == choice.get("name"):
            return tool
    return None
