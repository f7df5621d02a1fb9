"""Orion Registry: Orion's database conventions as an executable, documented registry.

Data flows one way: YAML -> source map (`source`) -> models (`models`, `loader`) ->
rules (`rules`, `engine`) -> findings (`findings`) -> reporters or pages (`render`).
"""

__version__ = "0.1.0"
