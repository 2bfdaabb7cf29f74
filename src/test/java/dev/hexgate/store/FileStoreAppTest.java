package dev.hexgate.store;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.hexgate.testing.FakeHex;
import dev.hexgate.testing.FakeHexResource;
import dev.hexgate.testing.Keys;
import dev.hexgate.testing.Links;
import dev.hexgate.testing.Management;
import dev.hexgate.testing.NoSecretsInLogs;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The whole mission on the embedded default store: link, proxy, read, delete, readiness. */
@QuarkusTest
@TestProfile(FileStoreProfile.class)
@WithTestResource(FakeHexResource.class)
@ExtendWith(NoSecretsInLogs.class)
class FileStoreAppTest {

    FakeHex hex;

    @Test
    void linksProxiesAndDeletesOnTheFileStore() {
        String token = hex.workspaceToken("acme");
        Links.linked("file-1", "acme", token);
        given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).header("Connection-Id", "file-1")
                .when().get("/proxy/v1/projects").then().statusCode(200);
        assertEquals("Bearer " + token, hex.last().header("Authorization"));
        assertEquals("acme.hex.tech", hex.last().host());
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().get("/connections/file-1").then().statusCode(200)
                .body("connection_config.subdomain", equalTo("acme"));
        given().header("Authorization", Keys.bearer(Keys.FULL)).when().delete("/connections/file-1").then().statusCode(200);
        given().header("Authorization", Keys.bearer(Keys.PROXY_ONLY)).header("Connection-Id", "file-1")
                .when().get("/proxy/v1/projects").then().statusCode(404);
    }

    @Test
    void keepsTokensEncryptedUnderAKeyOnlyItsOwnerCanRead() throws IOException {
        String token = hex.personalToken("app");
        Links.linked("file-sealed", "app", token);
        Path key = FileStoreProfile.DIR.resolve("store.key");
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(key));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(FileStoreProfile.DIR));
        try (Stream<Path> files = Files.list(FileStoreProfile.DIR.resolve("connections"))) {
            List<Path> records = files.toList();
            assertTrue(records.size() >= 1);
            for (Path record : records) {
                String raw = new String(Files.readAllBytes(record), StandardCharsets.ISO_8859_1);
                assertFalse(raw.contains(token) || raw.contains("file-sealed") || raw.contains("\"subdomain\""),
                        "records are AES-GCM ciphertext, named by a hash");
            }
        }
    }

    @Test
    void isReadyOnAWritableDirectory() {
        Management.given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'connection-store' }.data.store", equalTo("file"));
    }
}
