# Copyright (c) dockyard.docker contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Values that several modules take: names with string values, sizes, durations and log options,
each checked so that a mistake is refused with its name and the bad value, never passed on.
"""

from __future__ import annotations

import re
from typing import Any, Optional

DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)")
DURATION_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}
BYTE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)b?\s*")
# A log that rotates below this is a typo: `max-size: 10` meant 10m, not 10 bytes.
LOG_SIZE_FLOOR = 1 << 10


class SpecError(ValueError):
    """An option that cannot be right; the message names it and the bad value."""


def as_text(value: Any) -> str:
    """A value as the engine should see it: YAML's `true` as "true", not Python's "True"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def key_value_pairs(value: Any, path: str, separator: str = "=") -> dict[str, str]:
    """A list of KEY=VALUE (KEY:VALUE too when ``separator`` is ":", as extra_hosts) or a mapping, as Compose writes
    environment, labels, build args: names to strings, YAML's true as "true", a name without a value as ""."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return dict(str(entry).replace("=", separator, 1).partition(separator)[::2] for entry in value)
    raise SpecError(f"{path}: {value!r} is neither a list of KEY{separator}VALUE nor a mapping")


def string_dict(values: dict[str, Any] | None, option: str) -> dict[str, str]:
    result = {}
    for key, value in (values or {}).items():
        if not key or "=" in str(key):
            raise SpecError(f"{option}: {key!r} is not a valid name")
        if value is None:
            raise SpecError(f"{option}.{key}: no value; write an empty string to set it empty")
        result[str(key)] = as_text(value)
    return result


def whole_number(value: Any, option: str) -> int:
    """A count written as a number or its digits (a YAML string or an int); refused with the value otherwise."""
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise SpecError(f"{option}: {value!r} is not a whole number of 0 or more")
    return int(str(value).strip())


def byte_size(value: str | int, option: str) -> int:
    if isinstance(value, int) or str(value).strip().lstrip("-").isdigit():
        return int(value)
    match = SIZE.fullmatch(str(value).lower())
    if not match:
        raise SpecError(f"{option}: {value!r} is not a size; write for example 512m, 2g or a number of bytes")
    return int(float(match.group(1)) * BYTE_UNITS[match.group(2)])


def _units_total(written: str, pattern: re.Pattern, units: dict[str, int]) -> Optional[float]:
    """The sum of number-and-unit parts that make up all of ``written`` (``1m30s``); None when anything else
    is there."""
    pos, total = 0, 0.0
    for match in pattern.finditer(written):
        if match.start() != pos:
            break
        total += float(match.group(1)) * units[match.group(2)]
        pos = match.end()
    return total if written and pos == len(written) else None


def duration_ns(value: str, option: str) -> int:
    written = str(value).strip()
    if written.isdigit():
        return int(written) * DURATION_NS["s"]
    total = _units_total(written, DURATION, DURATION_NS)
    if total is None:
        raise SpecError(f"{option}: {value!r} is not a duration; write for example 30s, 1m30s or 500ms")
    return int(total)


def unit_size_problem(value: Any, where: str, floor: int = LOG_SIZE_FLOOR) -> Optional[str]:
    """Why ``value`` is no size with a unit of at least ``floor`` bytes; None when it is one.

    Docker reads a bare number as bytes, which for a log limit is never what was meant."""
    match = SIZE.fullmatch(str(value).lower()) if isinstance(value, (str, int)) else None
    if not match or isinstance(value, bool):
        return f"{where}: {value!r} is not a size; write for example 10m or 1g"
    number = match.group(1)
    if not match.group(2):
        return f"{where}: {value!r} has no unit, so Docker reads it as {number} bytes; did you mean '{number}m'?"
    if float(number) * BYTE_UNITS[match.group(2)] < floor:
        return f"{where}: {value!r} is under {floor} bytes; did you mean '{number}m'?"
    return None


# The options each of Docker's own log drivers takes (Docker's logging documentation); a driver the engine does
# not know refuses to start with any other ("unknown log opt"). Every driver takes the delivery mode options.
_ATTRIBUTES = ("tag", "labels", "labels-regex", "env", "env-regex")
LOG_DRIVER_OPTIONS = {
    "json-file": {"max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag"},
    "local": {"max-size", "max-file", "compress"},
    "journald": {*_ATTRIBUTES},
    "syslog": {"syslog-address", "syslog-facility", "syslog-tls-ca-cert", "syslog-tls-cert", "syslog-tls-key",
               "syslog-tls-skip-verify", "syslog-format", *_ATTRIBUTES},
    "gelf": {"gelf-address", "gelf-compression-type", "gelf-compression-level", "gelf-tcp-max-reconnect",
             "gelf-tcp-reconnect-delay", *_ATTRIBUTES},
    "fluentd": {"fluentd-address", "fluentd-async", "fluentd-buffer-limit", "fluentd-retry-wait",
                "fluentd-max-retries", "fluentd-sub-second-precision", "fluentd-request-ack", "fluentd-write-timeout",
                *_ATTRIBUTES},
    "none": set(),
}  # fmt: skip
LOG_DELIVERY_OPTIONS = {"mode", "max-buffer-size"}
# Options without which a driver does not start.
LOG_DRIVER_REQUIRES = {"gelf": "gelf-address"}
# Drivers that keep container logs on the host (CIS 2.13 asks for them to leave it), and those of them that
# rotate what they keep.
LOCAL_LOG_DRIVERS = ("json-file", "local", "none")
ROTATING_LOG_DRIVERS = ("json-file", "local")


def log_options_problems(options: dict[str, Any], where: str, driver: str = "") -> list[str]:
    """Problems with log driver options that the engine would take and act on wrongly, or refuse (an option
    ``driver`` does not take, one it needs, when it is one of Docker's own drivers)."""
    found = []
    accepted = LOG_DRIVER_OPTIONS.get(driver)
    if accepted is not None:
        for option in sorted(set(options) - accepted - LOG_DELIVERY_OPTIONS - set(REMOVED_LOG_OPTIONS)):
            takes = ", ".join(sorted(accepted)) or "none"
            found.append(f"{where}.{option}: the {driver} log driver takes no such option (it takes: {takes})")
        if driver in LOG_DRIVER_REQUIRES and LOG_DRIVER_REQUIRES[driver] not in options:
            found.append(f"{where}: the {driver} log driver needs {LOG_DRIVER_REQUIRES[driver]}")
    if "max-size" in options:
        problem = unit_size_problem(options["max-size"], f"{where}.max-size")
        if problem:
            found.append(problem)
    if "max-file" in options and not re.fullmatch(r"[1-9]\d*", as_text(options["max-file"])):
        found.append(f"{where}.max-file: {options['max-file']!r} is not a positive whole number of files")
    for old, new in REMOVED_LOG_OPTIONS.items():
        if old in options:
            found.append(f"{where}.{old}: Docker 28 removed it; use {new} (there since Docker 20.10)")
    return found


# Log options that engines no longer take, and the one that replaced each.
REMOVED_LOG_OPTIONS = {"fluentd-async-connect": "fluentd-async"}


AGE = re.compile(r"(\d+)(s|m|h|d|w)")
AGE_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def age_seconds(value: str | int, option: str) -> int:
    """An age such as 30d, 12h, 2w or 1d12h, in seconds (a bare number is seconds)."""
    written = str(value).strip().lower()
    if written.isdigit():
        return int(written)
    total = _units_total(written, AGE, AGE_SECONDS)
    if total is None:
        raise SpecError(f"{option}: {value!r} is not an age; write for example 30d, 12h, 2w or 1d12h")
    return int(total)
