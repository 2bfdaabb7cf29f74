package dev.hexgate.store;

import dev.hexgate.error.ErrorCode;
import dev.hexgate.error.GatewayException;
import io.smallrye.mutiny.Uni;

/** The store could not answer; the message is an operator's description and never holds a token or a raw store reply. */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message, null, false, false);
    }

    /** What a log line or health check may say of a failure: a store failure's own description, else only its type. */
    public static String describe(Throwable failure) {
        return failure instanceof StoreException ? failure.getMessage() : failure.getClass().getSimpleName();
    }

    /**
     * A store call as the API answers it: a store failure becomes 503 {@code store_unavailable}. A refused write changed
     * nothing; a write whose answer was lost (a Vault leader dying after committing it) may have been applied, so the
     * message asks for the same request again rather than promising nothing changed.
     */
    public static <T> Uni<T> orUnavailable(Uni<T> operation) {
        return operation.onFailure(StoreException.class).transform(e -> new GatewayException(ErrorCode.STORE_UNAVAILABLE,
                "The connection store is unavailable and did not confirm the change; send the same request again later "
                        + "(links and deletes are safe to repeat)."));
    }
}
