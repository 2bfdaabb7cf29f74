package dev.hexgate.store;

/** A stored value with the version it was read at; writes that name this version fail if another write came first. */
public record Versioned<T>(T value, int version) {

    /** The version to name when writing something that must not exist yet. */
    public static final int ABSENT = 0;
}
