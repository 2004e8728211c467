"""RESULTS.md from results: the machine, the versions, the command, the date, every target."""

from benchmarks import report

RESULTS = {
    "machine": {
        "cpu": "Test CPU",
        "nproc": 2,
        "memory_gb": 8.0,
        "postgresql": "15.2",
        "redis": "7.0.1",
        "python": "3.11.2",
        "django": "5.2",
        "measured_at": "2026-11-23T23:00:00+00:00",
    },
    "lookup": {
        "ratio_p50": 1.5,
        "ratio_p50_is": "worst",
        "met": True,
        "command": "make bench",
        "measured_at": "2026-11-23T23:00:00+00:00",
        "runs": {"1": {"floor": {"p50_ms": 2.0, "per_second": 400.0}}},
    },
    "release": {
        "seconds": None,
        "stopped_step": "distribute",
        "stopped_after_s": 120.5,
        "met": False,
        "command": "make bench",
    },
    "claim": {"per_second": 900.0, "duplicates": 0, "met": True, "command": "make bench"},
}


def test_markdown_names_the_machine_versions_command_and_date():
    text = report.markdown(RESULTS)
    for expected in ("Test CPU", "| nproc | 2 |", "15.2", "7.0.1", "3.11.2", "| Django | 5.2 |"):
        assert expected in text
    assert "`make bench`" in text
    assert "2026-11-23T23:00:00+00:00" in text


def test_markdown_says_met_or_missed_and_why_a_run_stopped():
    text = report.markdown(RESULTS)
    assert "| lookup | 1.50 × the floor's p50 | < 2 | met |" in text
    assert "did not finish: distribute stopped after 120.5 s" in text
    assert "| claim | 900 claims/s, 0 duplicates | > 500, 0 duplicates | met |" in text


def test_release_and_import_show_their_floor_and_claim_its_caps():
    results = {
        "release": {
            "seconds": 2.5,
            "floor": {"seconds": 1.6},
            "ratio_to_floor": 1.56,
            "met": True,
        },
        "import": {"seconds": 30.0, "floor": {"seconds": 25.0}, "ratio_to_floor": 1.2},
        "claim": {"per_second": 600.0, "duplicates": 0, "caps_exceeded": False, "met": True},
    }
    text = report.markdown(results)
    release = "| release | 2.50 s (1.56 × the floor's 1.60 s) | < 3, and <= 2 × the bare SQL |"
    assert release + " met |" in text
    assert (
        "| import | 30.00 s (1.20 × the floor's 25.00 s) | < 60, and <= 1.5 × a bare COPY |" in text
    )
    assert "| claim | 600 claims/s, 0 duplicates, no cap exceeded |" in text
