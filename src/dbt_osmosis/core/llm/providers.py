"""Which LLM providers exist, what each needs from the environment, and how to resolve it.

A ``ProviderConfig`` is a static description (name, env variables and their defaults, SDK family,
default model, capabilities). ``ProviderConfig.resolve(env)`` reads the environment once and returns a
``ResolvedProvider`` with concrete values that ``client.create_client`` turns into an SDK client.
Fields ``model``, ``base_url`` and ``api_key`` on a config override the environment, so code can say
``dataclasses.replace(get_provider_config("openai"), model="gpt-4.1")`` without touching ``os.environ``.

Every variable of the previous single-module design keeps its meaning; the pre-1.0 ``openai`` module
globals style of Azure configuration (``OPENAI_API_TYPE=azure``) still works but is deprecated.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import importlib.util
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from dbt_osmosis.core.llm.exceptions import LLMConfigError

__all__ = [
    "DEFAULT_PROVIDER",
    "PROVIDERS",
    "Capabilities",
    "ProviderConfig",
    "ResolvedProvider",
    "get_provider_config",
    "provider_from_env",
    "resolve_provider",
    "warn_deprecated_once",
]

SDKFamily = Literal["openai", "azure", "anthropic", "gemini"]

DEFAULT_PROVIDER = "openai"
REMOVAL_VERSION = "2.0.0"

# Which pip extra installs the SDK a family needs, and the module that proves it is installed.
_EXTRAS: Mapping[SDKFamily, tuple[str, str]] = {
    "openai": ("openai", "openai"),
    "azure": ("azure", "openai"),
    "anthropic": ("anthropic", "anthropic"),
    "gemini": ("gemini", "google.genai"),
}
# The distribution that provides each SDK module: installing it directly is right however dbt-osmosis
# itself was installed (from a clone, a wheel, or an index that carries another dbt-osmosis).
_DISTRIBUTIONS: Mapping[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google.genai": "google-genai",
}


@dataclass(frozen=True)
class Capabilities:
    """What a provider's API can do for structured output; drives the fallback to prompt-only JSON."""

    #: Native JSON-schema output (OpenAI ``response_format``, Anthropic JSON outputs or a forced tool,
    #: Gemini schema).
    json_schema: bool = True
    #: A plain "JSON mode" without a schema (OpenAI ``json_object``, Gemini's JSON mime type); the step
    #: down when ``json_schema`` is off or refused.
    json_mode: bool = False


@dataclass(frozen=True)
class ProviderConfig:
    """Static description of one provider; ``resolve`` reads the environment it names."""

    name: str
    family: SDKFamily
    default_model: str | None
    #: Variables without which the provider cannot work; all missing ones are reported together.
    required_env: tuple[str, ...] = ()
    #: Optional variables and their defaults (``None`` = leave it to the SDK).
    optional_env: Mapping[str, str | None] = field(default_factory=dict)
    model_env: str | None = None
    base_url_env: str | None = None
    api_key_env: str | None = None
    capabilities: Capabilities = Capabilities()
    #: An env variable that switches native JSON-schema output off ("false") for models that lack it.
    json_schema_env: str | None = None
    # Programmatic overrides; each wins over the environment when set.
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)

    @property
    def pip_extra(self) -> str:
        """The ``dbt-osmosis[...]`` extra that installs this provider's SDK."""
        return _EXTRAS[self.family][0]

    def check_sdk(self) -> None:
        """Raise ``LLMConfigError`` naming the pip extra when this provider's SDK is not installed."""
        extra, module = _EXTRAS[self.family]
        if not _module_available(module):
            raise LLMConfigError(
                f"The {self.name!r} provider needs the {module!r} package, which is not installed. "
                f"Install it into this environment with: pip install {_DISTRIBUTIONS[module]} "
                f"(or install dbt-osmosis with its [{extra}] extra)",
                provider=self.name,
            )

    def resolve(self, env: Mapping[str, str] | None = None) -> ResolvedProvider:
        """Read this provider's variables from ``env`` (default ``os.environ``) into concrete values."""
        source = os.environ if env is None else env

        def get(name: str | None) -> str | None:
            if name is None:
                return None
            value = source.get(name, "").strip()
            if value:
                return value
            return self.optional_env.get(name)

        overrides = {
            self.model_env: self.model,
            self.base_url_env: self.base_url,
            self.api_key_env: self.api_key,
        }
        missing = [
            name
            for name in self.required_env
            if not (overrides.get(name) or source.get(name, "").strip())
            and not (name == "AZURE_OPENAI_API_KEY" and _module_available("azure.identity"))
        ]
        if missing:
            raise LLMConfigError(
                f"Missing environment variable(s) for the {self.name!r} provider: {', '.join(missing)}. "
                "Set them, or choose another provider with LLM_PROVIDER.",
                provider=self.name,
            )
        model = self.model or get(self.model_env) or self.default_model
        if not model:
            raise LLMConfigError(f"No model configured for the {self.name!r} provider.", provider=self.name)
        base_url = self.base_url or get(self.base_url_env)
        _check_base_url(self.base_url_env or "base_url", base_url)
        capabilities = self.capabilities
        if self.json_schema_env and (get(self.json_schema_env) or "").lower() in {"0", "false", "no", "off"}:
            capabilities = dataclasses.replace(capabilities, json_schema=False)
        return ResolvedProvider(
            name=self.name,
            family=self.family,
            model=model,
            base_url=_normalise_base_url(self.name, base_url),
            api_key=self.api_key or get(self.api_key_env),
            api_version=get("AZURE_OPENAI_API_VERSION") if self.family == "azure" else None,
            capabilities=capabilities,
            key_variable=None if self.api_key else self.api_key_env,
        )


@dataclass(frozen=True)
class ResolvedProvider:
    """Concrete settings for one client; ``api_key`` never appears in ``repr`` or in cache keys."""

    name: str
    family: SDKFamily
    model: str
    base_url: str | None
    api_key: str | None = field(repr=False)
    api_version: str | None = None
    capabilities: Capabilities = Capabilities()
    #: The environment variable the key was read from (named in a 401's message), if any.
    key_variable: str | None = None

    @property
    def key_fingerprint(self) -> str:
        """First 12 hex digits of the key's SHA-256: tells keys apart without revealing any of them."""
        if not self.api_key:
            return "none"
        return hashlib.sha256(self.api_key.encode("utf-8")).hexdigest()[:12]


PROVIDERS: Mapping[str, ProviderConfig] = {
    config.name: config
    for config in (
        ProviderConfig(
            name="openai",
            family="openai",
            # Current small, non-reasoning model: accepts temperature and strict json_schema output.
            default_model="gpt-4.1-mini",
            required_env=("OPENAI_API_KEY",),
            optional_env={"OPENAI_MODEL": None, "OPENAI_BASE_URL": None},
            model_env="OPENAI_MODEL",
            base_url_env="OPENAI_BASE_URL",
            api_key_env="OPENAI_API_KEY",
            capabilities=Capabilities(json_schema=True, json_mode=True),
        ),
        ProviderConfig(
            name="azure-openai",
            family="azure",
            # The deployment name is the model on Azure; there is no sensible default.
            default_model=None,
            required_env=("AZURE_OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT_NAME"),
            # Latest GA data-plane version with structured outputs; previews get retired.
            optional_env={"AZURE_OPENAI_API_VERSION": "2024-10-21"},
            model_env="AZURE_OPENAI_DEPLOYMENT_NAME",
            base_url_env="AZURE_OPENAI_BASE_URL",
            api_key_env="AZURE_OPENAI_API_KEY",
            capabilities=Capabilities(json_schema=True, json_mode=True),
        ),
        ProviderConfig(
            name="anthropic",
            family="anthropic",
            default_model="claude-haiku-4-5",
            required_env=("ANTHROPIC_API_KEY",),
            optional_env={"ANTHROPIC_MODEL": None, "ANTHROPIC_BASE_URL": None},
            model_env="ANTHROPIC_MODEL",
            base_url_env="ANTHROPIC_BASE_URL",
            api_key_env="ANTHROPIC_API_KEY",
        ),
        ProviderConfig(
            name="google-gemini",
            family="gemini",
            default_model="gemini-2.5-flash",
            required_env=("GOOGLE_GEMINI_API_KEY",),
            optional_env={"GOOGLE_GEMINI_MODEL": None, "GOOGLE_GEMINI_BASE_URL": None},
            model_env="GOOGLE_GEMINI_MODEL",
            base_url_env="GOOGLE_GEMINI_BASE_URL",
            api_key_env="GOOGLE_GEMINI_API_KEY",
            # response_mime_type application/json without a schema is Gemini's plain JSON mode.
            capabilities=Capabilities(json_schema=True, json_mode=True),
        ),
        ProviderConfig(
            name="ollama",
            family="openai",
            default_model="llama3.1",
            optional_env={
                "OLLAMA_BASE_URL": "http://localhost:11434/v1",
                "OLLAMA_MODEL": None,
                # Ollama ignores the key, the OpenAI SDK insists on one.
                "OLLAMA_API_KEY": "ollama",
                "OLLAMA_JSON_SCHEMA": None,
            },
            model_env="OLLAMA_MODEL",
            base_url_env="OLLAMA_BASE_URL",
            api_key_env="OLLAMA_API_KEY",
            capabilities=Capabilities(json_schema=True, json_mode=True),
            json_schema_env="OLLAMA_JSON_SCHEMA",
        ),
        ProviderConfig(
            name="lm-studio",
            family="openai",
            default_model="qwen2.5-7b-instruct",
            optional_env={
                "LM_STUDIO_BASE_URL": "http://localhost:1234/v1",
                "LM_STUDIO_MODEL": None,
                "LM_STUDIO_API_KEY": "lm-studio",
                "LM_STUDIO_JSON_SCHEMA": None,
            },
            model_env="LM_STUDIO_MODEL",
            base_url_env="LM_STUDIO_BASE_URL",
            api_key_env="LM_STUDIO_API_KEY",
            json_schema_env="LM_STUDIO_JSON_SCHEMA",
        ),
        ProviderConfig(
            name="openai-compatible",
            family="openai",
            default_model=None,
            required_env=("OPENAI_COMPATIBLE_BASE_URL", "OPENAI_COMPATIBLE_MODEL"),
            optional_env={
                "OPENAI_COMPATIBLE_API_KEY": "not-needed",
                "OPENAI_COMPATIBLE_JSON_SCHEMA": None,
            },
            model_env="OPENAI_COMPATIBLE_MODEL",
            base_url_env="OPENAI_COMPATIBLE_BASE_URL",
            api_key_env="OPENAI_COMPATIBLE_API_KEY",
            capabilities=Capabilities(json_schema=True, json_mode=True),
            json_schema_env="OPENAI_COMPATIBLE_JSON_SCHEMA",
        ),
    )
}


def get_provider_config(name: str) -> ProviderConfig:
    """Return the registered config for ``name``; an unknown name lists the valid ones."""
    key = name.strip().lower()
    try:
        return PROVIDERS[key]
    except KeyError:
        guess = _closest_provider(key)
        hint = f" Did you mean {guess!r}?" if guess else ""
        raise LLMConfigError(
            f"Unknown LLM provider {name!r}.{hint} Valid providers: {', '.join(PROVIDERS)}."
        ) from None


# Names people type for a provider that the registry spells differently.
_PROVIDER_NICKNAMES = {
    "claude": "anthropic",
    "gpt": "openai",
    "chatgpt": "openai",
    "azure": "azure-openai",
    "google": "google-gemini",
    "vertex": "google-gemini",
    "lmstudio": "lm-studio",
}


def _closest_provider(key: str) -> str | None:
    """The registered provider a mistyped ``LLM_PROVIDER`` value most likely meant, if any."""
    key = key.replace("_", "-").replace(" ", "-")
    if key in PROVIDERS:
        return key
    if key in _PROVIDER_NICKNAMES:
        return _PROVIDER_NICKNAMES[key]
    # "gemini" -> "google-gemini": a registered name that contains what was typed.
    containing = [name for name in PROVIDERS if key and key in name.split("-")]
    if len(containing) == 1:
        return containing[0]
    close = difflib.get_close_matches(key, list(PROVIDERS), n=1, cutoff=0.6)
    return close[0] if close else None


def provider_from_env(env: Mapping[str, str] | None = None) -> tuple[ProviderConfig, Mapping[str, str]]:
    """Pick the provider named by ``LLM_PROVIDER`` and return it with the environment to resolve it in.

    The returned environment differs from the input only for the deprecated pre-1.0 Azure style
    (``OPENAI_API_TYPE=azure`` + ``OPENAI_API_BASE``/``OPENAI_API_VERSION``/``OPENAI_API_KEY``/
    ``OPENAI_DEPLOYMENT_NAME``), which is translated to the ``AZURE_OPENAI_*`` names with one warning.
    """
    source: Mapping[str, str] = os.environ if env is None else env
    name = source.get("LLM_PROVIDER", "").strip().lower()
    api_type = source.get("OPENAI_API_TYPE", "").strip().lower()
    if api_type in {"azure", "azure_ad", "azuread", "azure-openai"} and name in {
        "",
        "openai",
        "azure-openai",
    }:
        translated = _translate_legacy_azure(source)
        if translated is not None:
            return PROVIDERS["azure-openai"], translated
    return get_provider_config(name or DEFAULT_PROVIDER), source


def resolve_provider(
    config: ProviderConfig | None = None, env: Mapping[str, str] | None = None
) -> ResolvedProvider:
    """Resolve ``config`` (default: the one ``LLM_PROVIDER`` names) against ``env``; check its SDK."""
    if config is None:
        config, source = provider_from_env(env)
    else:
        source = os.environ if env is None else env
    config.check_sdk()
    return config.resolve(source)


_LEGACY_AZURE_MAP: Mapping[str, tuple[str, ...]] = {
    "AZURE_OPENAI_BASE_URL": ("OPENAI_API_BASE", "OPENAI_BASE_URL"),
    "AZURE_OPENAI_API_KEY": ("OPENAI_API_KEY",),
    "AZURE_OPENAI_API_VERSION": ("OPENAI_API_VERSION",),
    "AZURE_OPENAI_DEPLOYMENT_NAME": ("OPENAI_DEPLOYMENT_NAME", "OPENAI_ENGINE", "OPENAI_MODEL"),
}


def _translate_legacy_azure(source: Mapping[str, str]) -> Mapping[str, str] | None:
    """Map the pre-1.0 module-global Azure variables to the ``azure-openai`` names, warning once."""
    merged = dict(source)
    used = False
    for target, legacy_names in _LEGACY_AZURE_MAP.items():
        if merged.get(target, "").strip():
            continue
        for legacy in legacy_names:
            value = source.get(legacy, "").strip()
            if value:
                merged[target] = value
                used = True
                break
    if not used:
        return None
    warn_deprecated_once(
        "legacy-azure-env",
        "Configuring Azure OpenAI through OPENAI_API_TYPE=azure with OPENAI_API_BASE/OPENAI_API_VERSION/"
        "OPENAI_API_KEY/OPENAI_DEPLOYMENT_NAME (the pre-1.0 openai module-global style) is deprecated and "
        f"will be removed in dbt-osmosis {REMOVAL_VERSION}. Use LLM_PROVIDER=azure-openai with "
        "AZURE_OPENAI_BASE_URL, AZURE_OPENAI_API_KEY, AZURE_OPENAI_DEPLOYMENT_NAME and "
        "AZURE_OPENAI_API_VERSION instead.",
    )
    return merged


def warn_deprecated_once(key: str, message: str, *, stacklevel: int = 3) -> None:
    """Emit ``message`` as a ``DeprecationWarning`` the first time the default runtime sees ``key``."""
    from dbt_osmosis.core.llm.runtime import default_runtime

    if default_runtime().first_warning(key):
        warnings.warn(message, DeprecationWarning, stacklevel=stacklevel)


def _reset_deprecation_warnings() -> None:
    """Forget which deprecations were announced (tests only: each wants to see its own warning)."""
    from dbt_osmosis.core.llm.runtime import default_runtime

    default_runtime().forget_warnings()


def _check_base_url(label: str, base_url: str | None) -> None:
    """A base URL must be an absolute http(s) URL; anything else is a configuration error.

    Without this, ``localhost:11434/v1`` reaches the SDK, fails on every request as a connection
    error, and is retried as if the network were flaky.
    """
    if base_url is None:
        return
    parts = urlsplit(base_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise LLMConfigError(
            f"{label} must be an absolute URL starting with http:// or https://, got {base_url!r} "
            f"(for example http://{base_url.strip().split('://')[-1].lstrip('/') or 'localhost:8000'})."
        )


def _normalise_base_url(provider: str, base_url: str | None) -> str | None:
    """Adapt base URLs written for the old OpenAI-compatibility shims to each native SDK.

    The previous design sent Anthropic and Gemini through their OpenAI-compatible endpoints, so a
    user's ``ANTHROPIC_BASE_URL`` may end in ``/v1`` and ``GOOGLE_GEMINI_BASE_URL`` in
    ``/v1beta/openai``; the native SDKs add those path segments themselves.
    """
    if base_url is None:
        return None
    url = base_url.rstrip("/")
    if provider == "anthropic" and url.endswith("/v1"):
        url = url[: -len("/v1")]
    elif provider == "google-gemini":
        if url.endswith("/openai"):
            url = url[: -len("/openai")]
        for suffix in ("/v1beta", "/v1alpha", "/v1"):
            if url.endswith(suffix):
                url = url[: -len(suffix)]
                break
    elif provider == "ollama" and not url.endswith("/v1"):
        # Ollama's native root (http://host:11434) is what most users know; the SDK needs /v1.
        url = url + "/v1"
    return url


def _module_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
