package dev.hexgate.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.hexgate.connectui.ConnectSessionService;
import dev.hexgate.testing.NoSecretsInLogs;

/** The log scan that every test class runs recognises each kind of secret it is meant to catch. */
class LogScanTest {

    @Test
    void recognisesHexTokensAndConnectSessionTokens() {
        assertTrue(NoSecretsInLogs.looksLikeToken("Bearer hxtp_abcdefghijklmnop1234"));
        assertTrue(NoSecretsInLogs.looksLikeToken("workspace hxtw_ABCDEFGHIJKLMNOP1234"));
        assertTrue(NoSecretsInLogs.looksLikeToken(
                "GET /connect?session_token=" + ConnectSessionService.TOKEN_PREFIX + "0123456789abcdef0123456789abcdef"));
    }

    @Test
    void leavesOrdinaryLinesAlone() {
        assertFalse(NoSecretsInLogs.looksLikeToken("Connect session created for end user u-7 (token hidden)"));
        assertFalse(NoSecretsInLogs.looksLikeToken("prefix " + ConnectSessionService.TOKEN_PREFIX + "…"));
    }
}
