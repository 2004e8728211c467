"""The simulation command: the table a team lead reads, reproducible from its seed."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def _run(*args):
    out = StringIO()
    call_command("simulate_restoration", *args, stdout=out)
    return out.getvalue()


def test_the_report_names_each_strategy_the_bound_and_lateness():
    table = _run("--callbacks", "400", "--agents", "8", "--seed", "3")
    assert "400 callbacks, 8 agents, seed 3" in table
    assert "Capacity bound: no plan can call more than" in table
    for strategy in ("edf", "round_robin", "fifo"):
        assert f"\n{strategy} " in table
    assert "called in time" in table and "worst late" in table
    assert table == _run("--callbacks", "400", "--agents", "8", "--seed", "3")


def test_with_enough_agents_earliest_deadline_first_reaches_the_bound():
    report = json.loads(_run("--callbacks", "2000", "--agents", "45", "--seed", "1", "--json"))
    results = {r["strategy"]: r for r in report["results"]}
    assert report["capacity_bound"] == 2000
    assert results["edf"]["in_time"] == report["capacity_bound"]
    assert results["round_robin"]["in_time"] < results["edf"]["in_time"]


def test_callbacks_filed_later_are_released_later():
    report = json.loads(
        _run("--callbacks", "300", "--agents", "5", "--filed-later", "0.5", "--json")
    )
    assert 100 < report["scenario"]["released_later"] < 200


def test_bad_parameters_are_refused_with_a_message():
    with pytest.raises(CommandError, match="add up to 1"):
        _run("--p-answered", "0.9", "--callbacks", "10")
    with pytest.raises(CommandError, match="at least one agent"):
        _run("--agents", "0", "--callbacks", "10")
