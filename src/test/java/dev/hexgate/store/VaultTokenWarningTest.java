package dev.hexgate.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.Await;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.NoSecretsInLogs;
import dev.hexgate.testing.OpenBao;
import dev.hexgate.testing.OpenBaoResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** A static token that cannot be renewed and has two hours left: the operator is warned, and nothing is renewed. */
@QuarkusTest
@TestProfile(TokenCheckEverySecond.class)
@WithTestResource(value = OpenBaoResource.class, initArgs = {
        @ResourceArg(name = OpenBaoResource.TOKEN_TTL, value = "2h"),
        @ResourceArg(name = OpenBaoResource.TOKEN_RENEWABLE, value = "false") })
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class VaultTokenWarningTest {

    OpenBao vault;

    @Test
    void warnsThatANonRenewableTokenRunsOutAndDoesNotTryToRenewIt() {
        Path log = Path.of("target", "hexgate-test.log");
        assertTrue(Await.until(() -> read(log).contains("Vault token expires in") && read(log).contains("cannot be renewed"),
                Duration.ofSeconds(10)), "a warning names what will happen and what to do");
        assertTrue(vault.received().stream().noneMatch(r -> r.path().equals("/v1/auth/token/renew-self")));
        long warnings = warnings(log);
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        assertTrue(Await.until(() -> System.nanoTime() > until, Duration.ofSeconds(5)));
        assertEquals(warnings, warnings(log), "three more checks, no more warnings: hourly, not every second");
    }

    private static long warnings(Path log) {
        return read(log).lines().filter(l -> l.contains("cannot be renewed")).count();
    }

    /** This run's part of the log: the file keeps earlier runs' lines, whose warnings are not this test's. */
    private static String read(Path log) {
        return NoSecretsInLogs.loggedThisRun(log);
    }
}
