package dev.hexgate.support;

import java.net.ConnectException;
import java.nio.file.FileSystemException;
import java.util.concurrent.TimeoutException;

/** Reads what kind of failure an exception chain is, for the places that answer a timeout differently from a refusal. */
public final class Failures {

    private Failures() {
    }

    /** A timeout anywhere in the chain (Vert.x, Netty and the JDK each name theirs differently). */
    public static boolean isTimeout(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    /** A timeout after the connection was made: a refused connection or a connect timeout does not count. */
    public static boolean isResponseTimeout(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (isConnectFailure(c)) {
                return false;
            }
            if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A file could not be read anywhere in the chain: the JDK's {@code FileSystemException} family or Vert.x's class of
     * that name (e.g. a Vault client reading a Kubernetes service-account token or a CA file that is not there).
     */
    public static boolean isUnreadableFile(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof FileSystemException || c.getClass().getSimpleName().equals("FileSystemException")) {
                return true;
            }
        }
        return false;
    }

    /** The connection could not be opened: refused, or timed out while connecting. */
    public static boolean isConnectFailure(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c.getClass().getSimpleName().equals("ConnectTimeoutException")) {
                return true;
            }
        }
        return false;
    }
}
