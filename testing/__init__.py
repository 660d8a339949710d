"""Support code shared by the test suite (tests/) and the benchmarks (bench/).

Nothing here is imported by the app or the CLI; it is a top-level package of its own so that
bench/ runs without tests/ and tests/ without bench/.
"""
