"""Who did it, as a row records it: the name the row always kept and the staff id beside it
(m007). System actors (the cloud, the front panel) have a name and no id."""

from gateway.domain.staff import Staff


def actor_columns(by: Staff | None) -> tuple[str | None, int | None]:
    return (None, None) if by is None else (by.name, by.id)
