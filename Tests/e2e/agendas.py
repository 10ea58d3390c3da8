"""Agenda YAML texts shared by the suites (the format of DESIGN.md section 2)."""


def standard(title="E2E session", series="e2e", lang="en"):
    """Three activities: a named counter (a1), an echo (a2) and a pseudonymous counter by twos (a3).

    a1 is `named` so that the counter's `joined` list and `$leave` carry real participant ids a
    test can compare; a3 keeps the default anonymity, where the plugin sees pseudonyms.
    """
    return f"""series: {series}
session: {title}
lang: {lang}
agenda:
  - plugin: counter
    title: Count together
    anonymity: named
    config: {{step: 1, label: together}}
  - plugin: echo
    title: Say something
  - plugin: counter
    title: Count by twos
    config: {{step: 2}}
"""


def counter_only(title="Counter session", series="e2e"):
    """One named counter activity: the smallest session that still logs inputs."""
    return f"""series: {series}
session: {title}
lang: en
agenda:
  - plugin: counter
    title: Count
    anonymity: named
"""
