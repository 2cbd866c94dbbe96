"""What a batch and a poll of bounce mailbox ingestion did (the counts shown and recorded on the mailbox)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bounceportal.counts import add_counts


@dataclass
class BatchResult:
    """What one batch did; ``to_mark`` are the refs to mark processed in the mailbox after commit."""

    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    bounces: int = 0
    not_bounces: int = 0
    unparseable: int = 0
    unmatched: int = 0
    oversized: int = 0
    events: int = 0
    deferred: int = 0
    delivered: int = 0
    to_mark: list = field(default_factory=list, repr=False)
    # Refs of messages the database refused even to keep raw: left in the mailbox for the next poll.
    unsettled: list = field(default_factory=list, repr=False)

    def add(self, other: BatchResult) -> None:
        """Add another batch's counts (and its refs to mark) to these."""
        add_counts(self, other, COUNTS)
        self.to_mark.extend(other.to_mark)
        self.unsettled.extend(other.unsettled)


COUNTS = (
    "fetched",
    "stored",
    "duplicates",
    "bounces",
    "not_bounces",
    "unparseable",
    "unmatched",
    "oversized",
    "events",
    "deferred",
    "delivered",
)


@dataclass
class PollResult(BatchResult):
    """The counts of one poll of one mailbox."""

    mailbox_id: int | None = None
    dry_run: bool = False
    marked: int = 0
    skipped: str = ""
    error: str = ""

    def add(self, batch: BatchResult) -> None:
        """Add a batch's counts; its refs are marked right after it, so the poll keeps none."""
        add_counts(self, batch, COUNTS)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("to_mark")
        data.pop("unsettled")
        return data

    def summary(self) -> str:
        if self.skipped:
            return f"skipped: {self.skipped}"
        verb = "would store" if self.dry_run else "stored"
        return (
            f"fetched {self.fetched}, {verb} {self.stored} ({self.bounces} bounces, {self.events} events, "
            f"{self.unmatched} unmatched, {self.not_bounces} not bounces, {self.unparseable} unparseable, "
            f"{self.oversized} oversized), {self.duplicates} already stored, {self.deferred} deferred, "
            f"{self.delivered} delivered, {self.marked} marked processed"
        )
