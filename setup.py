"""The optional C part: the CBV 2.0 pre-hash writer (`zhizao/events/_prehash_c.c`).

Everything else is in pyproject.toml. Without a C compiler (or Python's headers) the build
skips the extension with a warning and zhizao runs its Python writer, which gives the same
hashes, more slowly.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("zhizao.events._prehash_c", ["zhizao/events/_prehash_c.c"], optional=True)
    ]
)
