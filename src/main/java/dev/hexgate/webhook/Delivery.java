package dev.hexgate.webhook;

import java.util.HashMap;
import java.util.Map;

/**
 * A queued delivery as it is stored (a string map under {@code webhooks/pending/<id>}): where to, the exact body, and
 * the change it reports. Until a request or a check has confirmed that change, it must hold before the delivery is
 * sent: {@code written} holds when the connection's record is at {@code version} or later, {@code deleted} when it is no
 * longer at {@code version}. Holds no Hex token and no signature (signed at each attempt with the current key).
 */
record Delivery(String url, String body, String operation, String connectionId, String condition, int version,
        long createdAt, long nextAt, int attempts, long claimedUntil, boolean confirmed) {

    static final String WRITTEN = "written";
    static final String DELETED = "deleted";

    boolean holds(int currentVersion) {
        return WRITTEN.equals(condition) ? currentVersion >= version : currentVersion != version;
    }

    /** Claimed by a replica until {@code until} for its next attempt, which is counted now: a crash mid-attempt counts. */
    Delivery claimed(long until) {
        return new Delivery(url, body, operation, connectionId, condition, version, createdAt, nextAt, attempts + 1, until,
                true);
    }

    /** Released after a failed attempt, to be tried again at {@code at}. */
    Delivery retryAt(long at) {
        return new Delivery(url, body, operation, connectionId, condition, version, createdAt, at, attempts, 0, true);
    }

    Map<String, String> toMap() {
        Map<String, String> map = new HashMap<>();
        map.put("url", url);
        map.put("body", body);
        map.put("operation", operation);
        map.put("connection_id", connectionId);
        map.put("condition", condition);
        map.put("version", Integer.toString(version));
        map.put("created_at", Long.toString(createdAt));
        map.put("next_at", Long.toString(nextAt));
        map.put("attempts", Integer.toString(attempts));
        map.put("claimed_until", Long.toString(claimedUntil));
        map.put("confirmed", Boolean.toString(confirmed));
        return map;
    }

    /** The stored entry; null when it is not one (a foreign record under the folder), which is then left alone. */
    static Delivery fromMap(Map<String, String> map) {
        try {
            String url = map.get("url");
            String body = map.get("body");
            if (url == null || body == null) {
                return null;
            }
            return new Delivery(url, body, map.getOrDefault("operation", "unknown"), map.get("connection_id"),
                    map.getOrDefault("condition", WRITTEN), Integer.parseInt(map.getOrDefault("version", "0")),
                    Long.parseLong(map.get("created_at")), Long.parseLong(map.getOrDefault("next_at", "0")),
                    Integer.parseInt(map.getOrDefault("attempts", "0")),
                    Long.parseLong(map.getOrDefault("claimed_until", "0")), Boolean.parseBoolean(map.get("confirmed")));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
