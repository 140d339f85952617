"""YAML 1.1 safety for every scalar the tool writes.

ruamel.yaml reads and writes YAML 1.2, where ``on``, ``yes``, ``Off`` or ``12:30`` are plain strings.
dbt reads YAML through PyYAML, which follows YAML 1.1: there the same words are booleans, ``12:30`` is
the integer 750 and ``2024-01-01`` a date. A column named ``on`` written plain would break the next
``dbt parse``. So a string the run writes is quoted whenever PyYAML's resolver would read it plain as
anything but that string; a plain scalar the author wrote is written back as the author wrote it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml as pyyaml
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import PlainScalarString

__all__ = ["SafeRoundTripConstructor", "SafeRoundTripRepresenter", "reads_as_other_in_yaml11"]

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = pyyaml.resolver.Resolver()
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")


@lru_cache(maxsize=65_536)
def reads_as_other_in_yaml11(value: str) -> bool:
    """Whether PyYAML would read ``value``, written as a plain scalar, as anything but that string.

    Cached: a project repeats the same few data types and column names thousands of times.
    """
    tag = _RESOLVER.resolve(pyyaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag != _STR_TAG)


class SafeRoundTripRepresenter(RoundTripRepresenter):
    """ruamel's round-trip representer, quoting new strings that a YAML 1.1 reader would misread."""

    def represent_str(self, data: Any) -> Any:
        """Represent a plain Python string; single quotes (ruamel's own choice) when YAML 1.1 needs them."""
        if any(ch in data for ch in _UNICODE_BREAKS):
            # ruamel writes these raw inside single quotes, where PyYAML reads a line break (folded to a
            # space); inside double quotes they are escaped and read back exactly.
            return self.represent_scalar(_STR_TAG, data, style='"')
        if reads_as_other_in_yaml11(data):
            # The emitter still switches to double quotes where single quotes cannot hold the text.
            return self.represent_scalar(_STR_TAG, data, style="'")
        return self.represent_scalar(_STR_TAG, data)


SafeRoundTripRepresenter.add_representer(str, SafeRoundTripRepresenter.represent_str)


class SafeRoundTripConstructor(RoundTripConstructor):
    """ruamel's round-trip constructor that remembers which plain scalars YAML 1.1 reads differently.

    Such a scalar (an author's ``pii: yes`` in meta, say) is kept as a ``PlainScalarString``, so it is
    written back plain, exactly as the author wrote it and as dbt reads it, never quoted into a string.
    """

    def construct_yaml_str(self, node: Any) -> Any:
        """Construct a string scalar, marking plain ones whose YAML 1.1 reading is not a string."""
        value = super().construct_yaml_str(node)
        if type(value) is str and not node.style and reads_as_other_in_yaml11(value):
            return PlainScalarString(value)
        return value


SafeRoundTripConstructor.add_constructor(_STR_TAG, SafeRoundTripConstructor.construct_yaml_str)
