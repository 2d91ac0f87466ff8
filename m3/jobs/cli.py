"""`m3 jobs`: the background queue (what is waiting, run it now, or work it as a daemon)."""

from __future__ import annotations

import click


@click.group("jobs")
def jobs_group() -> None:
    """The job queue: recomputations queued by imports, touchpoints, pulses and edits."""


@jobs_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also the jobs that have finished.")
def jobs_list(show_all: bool) -> None:
    """List the pending and running jobs (with --all, the last 50 of any status)."""
    from m3.jobs.models import Job, JobStatus

    rows = Job.objects.order_by("-pk")
    if not show_all:
        rows = rows.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING])
    jobs = list(rows[:50])
    if not jobs:
        click.echo("No jobs waiting." if not show_all else "No jobs yet.")
    for job in jobs:
        what = "every initiative" if job.initiative_id is None else \
            f"initiative {job.initiative_id}"
        since = f" from {job.since}" if job.since else ""
        click.echo(f"#{job.pk:<5} {job.kind:<14} {job.status:<8} {what}{since}  "
                   f"{job.reason[:80]}  {job.result.splitlines()[0] if job.result else ''}")


@jobs_group.command("run")
def jobs_run() -> None:
    """Run every pending job now, then exit (for cron, or after a CLI import)."""
    from m3.jobs.models import JobStatus
    from m3.jobs.services import jobs_run_pending

    done = jobs_run_pending()
    if not done:
        click.echo("No jobs waiting.")
    for job in done:
        first = job.result.splitlines()[0] if job.result else ""
        click.echo(f"#{job.pk} {job.kind}: {job.status}  {first}")
    failed = [j for j in done if j.status == JobStatus.FAILED]
    if failed:
        raise click.ClickException(f"{len(failed)} job(s) failed: see `m3 jobs list --all`.")


@jobs_group.command("work")
@click.option("--poll", default=2.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds to wait when the queue is empty.")
@click.option("--with-parent", is_flag=True,
              help="Stop when the process that started this one ends (as `m3 serve` uses it).")
def jobs_work_command(poll: float, with_parent: bool) -> None:
    """Work the queue until stopped (`m3 serve` runs one of these beside the web server)."""
    import os

    from m3.jobs.services import jobs_work

    parent = os.getppid()
    click.echo("M3 job worker: waiting for jobs (Ctrl-C to stop)")
    jobs_work(poll, stop=(lambda: os.getppid() != parent) if with_parent else lambda: False)
