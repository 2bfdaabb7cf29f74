package dev.hexgate.store;

/** The store could not answer; the message is an operator's description and never holds a token or a raw store reply. */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message, null, false, false);
    }
}
