"""The bundled demo: a seeded e-commerce marketplace graph with planted structures to find."""

from .generate import (
    DEMO_REQUIREMENTS,
    GENERATOR_VERSION,
    default_demo_dir,
    ensure_demo,
    generate_demo,
)

__all__ = [
    "DEMO_REQUIREMENTS",
    "GENERATOR_VERSION",
    "default_demo_dir",
    "ensure_demo",
    "generate_demo",
]
