"""What the tests take from ansible-core that releases before 2.19 lack (the matrix runs 2.17 and 2.18 too)."""

from __future__ import annotations

try:
    from ansible.template import trust_as_template
except ImportError:  # before 2.19 every string is a template: nothing to mark

    def trust_as_template(value):
        return value


__all__ = ["trust_as_template"]
