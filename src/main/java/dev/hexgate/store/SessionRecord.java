package dev.hexgate.store;

import dev.hexgate.domain.ConnectSession;

/** A stored connect session with the revision it was read at, for compare-and-set updates. */
public record SessionRecord(ConnectSession session, int revision) {
}
