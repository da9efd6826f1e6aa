"""``manage.py benchmark_monitor`` seeds questions in bulk and times the page."""

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import User
from devtools.management.commands.benchmark_monitor import REFERENCE_PREFIX
from servicepoint.models import Assignment, FollowUp, Question


@pytest.mark.django_db
def test_seeds_the_missing_questions_times_the_page_and_leaves_no_login_behind():
    out = io.StringIO()
    call_command("benchmark_monitor", questions=300, suppliers=0, runs=2, stdout=out)
    output = out.getvalue()
    assert "Seeded 300 questions" in output
    assert "2 runs: min " in output
    # every run computes the figures (the page's five-minute cache is off): the same
    # number of queries each time, those of the whole page
    assert re.search(r"; (\d+) queries per page\n", output)
    assert int(re.search(r"; (\d+) queries per page", output).group(1)) > 30
    seeded = Question.objects.filter(reference__startswith=REFERENCE_PREFIX)
    assert seeded.count() == 300
    assert set(seeded.values_list("state", flat=True)) >= {"closed", "new", "reopened"}
    assert Assignment.objects.filter(question__in=seeded).exists()
    assert FollowUp.objects.filter(question__in=seeded, helped=True).exists()
    assert not User.objects.filter(email__startswith="benchmark-monitor").exists()

    # A second run seeds nothing: the questions are there.
    out = io.StringIO()
    call_command("benchmark_monitor", questions=300, suppliers=0, runs=1, stdout=out)
    assert "Seeded" not in out.getvalue()
    assert seeded.count() == 300

    call_command("benchmark_monitor", remove=True, stdout=io.StringIO())
    assert not seeded.exists()
