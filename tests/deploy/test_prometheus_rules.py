"""The recording and alert rules (deploy/prometheus) as Prometheus itself reads them:
`promtool check rules`, and `promtool test rules` (the rules over synthetic series)."""

import subprocess
from pathlib import Path

from tests.support.prometheus import RULES, RULES_TEST


def promtool(binaries: Path, *args: Path | str) -> str:
    result = subprocess.run(
        [binaries / "promtool", *map(str, args)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_rules_are_valid(prometheus_binaries: Path) -> None:
    assert "SUCCESS: 20 rules found" in promtool(prometheus_binaries, "check", "rules", RULES)


def test_rules_unit_tests_pass(prometheus_binaries: Path) -> None:
    assert "SUCCESS" in promtool(prometheus_binaries, "test", "rules", RULES_TEST)


def test_every_alert_has_a_summary_a_test_and_a_runbook_line() -> None:
    rules = RULES.read_text()
    alerts = [line.split(":", 1)[1].strip() for line in rules.splitlines() if "- alert:" in line]
    assert len(alerts) == 9
    tested, runbook = RULES_TEST.read_text(), (RULES.parent / "README.md").read_text()
    assert rules.count("summary:") == len(alerts)
    for alert in alerts:
        assert f"alertname: {alert}" in tested, alert
        assert f"| {alert} |" in runbook, alert
