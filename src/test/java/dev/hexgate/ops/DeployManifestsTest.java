package dev.hexgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** deploy/kubernetes parses as Kubernetes objects and keeps the promises of the README (no cluster needed). */
class DeployManifestsTest {

    private static final Path DIR = Path.of("deploy/kubernetes");
    private static final Map<String, Map<String, Object>> BY_KIND = new HashMap<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (Object doc : new Yaml().loadAll(Files.readString(file))) {
                    Map<String, Object> object = (Map<String, Object>) doc;
                    assertNotNull(object.get("apiVersion"), file + " has no apiVersion");
                    assertNotNull(get(object, "metadata", "name"), file + " has no metadata.name");
                    BY_KIND.put((String) object.get("kind"), object);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Object get(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            current = step instanceof Integer i ? ((List<Object>) current).get(i) : ((Map<String, Object>) current).get(step);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    @Test
    void hasEveryObjectADeploymentNeeds() {
        assertTrue(BY_KIND.keySet().containsAll(List.of("Deployment", "Service", "ConfigMap", "Secret", "ServiceAccount",
                "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy")), BY_KIND.keySet().toString());
    }

    @Test
    void runsSeveralHardenedReplicasWithProbes() {
        Map<String, Object> deployment = BY_KIND.get("Deployment");
        assertTrue((Integer) get(deployment, "spec", "replicas") >= 2);
        Object pod = get(deployment, "spec", "template", "spec");
        assertEquals(true, get(pod, "securityContext", "runAsNonRoot"));
        assertEquals("hexgate", get(pod, "serviceAccountName"));
        Object container = get(pod, "containers", 0);
        assertEquals(true, get(container, "securityContext", "readOnlyRootFilesystem"));
        assertEquals(false, get(container, "securityContext", "allowPrivilegeEscalation"));
        assertEquals("/q/health/live", get(container, "livenessProbe", "httpGet", "path"));
        assertEquals("/q/health/ready", get(container, "readinessProbe", "httpGet", "path"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertEquals("management", get(container, probe, "httpGet", "port"), probe + " uses the management port");
        }
        assertEquals(9000, get(container, "ports", 1, "containerPort"));
        assertEquals("9000", get(deploymentPod(), "metadata", "annotations", "prometheus.io/port"));
        assertNotNull(get(container, "resources", "requests", "cpu"));
        assertNotNull(get(container, "resources", "requests", "memory"));
        assertEquals("/tmp", get(container, "volumeMounts", 0, "mountPath"), "a writable /tmp beside the read-only root");
    }

    @Test
    @SuppressWarnings("unchecked")
    void takesSecretKeysFromASecretAndSettingsFromTheConfigMap() {
        Object container = get(BY_KIND.get("Deployment"), "spec", "template", "spec", "containers", 0);
        List<Map<String, Object>> env = (List<Map<String, Object>>) get(container, "env");
        Map<String, Object> apiKeys = env.stream().filter(e -> "HEXGATE_API_KEYS".equals(e.get("name"))).findFirst()
                .orElseThrow();
        assertNull(apiKeys.get("value"), "a key is never written into the Deployment");
        assertEquals("hexgate-keys", get(apiKeys, "valueFrom", "secretKeyRef", "name"));
        Map<String, Object> data = (Map<String, Object>) BY_KIND.get("ConfigMap").get("data");
        for (String key : data.keySet()) {
            assertTrue(key.startsWith("HEXGATE_") || key.startsWith("QUARKUS_"), key);
            assertFalse(List.of("HEXGATE_API_KEYS", "HEXGATE_PROXY_API_KEYS", "HEXGATE_STORE_FILE_KEY",
                    "QUARKUS_VAULT_AUTHENTICATION_CLIENT_TOKEN", "QUARKUS_VAULT_AUTHENTICATION_APP_ROLE_SECRET_ID")
                    .contains(key),
                    "no secret in the ConfigMap: " + key);
        }
        assertEquals("vault", data.get("HEXGATE_STORE"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void givesAStoppingPodTimeToDrainBeforeItIsKilled() {
        Map<String, Object> data = (Map<String, Object>) BY_KIND.get("ConfigMap").get("data");
        long delay = Duration.parse("PT" + data.get("QUARKUS_SHUTDOWN_DELAY").toString().toUpperCase()).toSeconds();
        long timeout = Duration.parse("PT" + data.get("QUARKUS_SHUTDOWN_TIMEOUT").toString().toUpperCase()).toSeconds();
        long proxyTimeout = Duration.parse("PT" + data.get("HEXGATE_PROXY_TIMEOUT").toString().toUpperCase()).toSeconds();
        int grace = (Integer) get(BY_KIND.get("Deployment"), "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertTrue(delay >= 5, "endpoints need a few seconds to forget a terminating pod");
        assertTrue(timeout >= proxyTimeout, "a request Hex is still answering may finish");
        assertTrue(grace > delay + timeout, "Kubernetes waits longer than the gateway drains");
    }

    @Test
    void scalesTheDeploymentAndKeepsOneReplicaDuringDisruptions() {
        assertEquals("hexgate", get(BY_KIND.get("HorizontalPodAutoscaler"), "spec", "scaleTargetRef", "name"));
        assertTrue((Integer) get(BY_KIND.get("HorizontalPodAutoscaler"), "spec", "minReplicas") >= 2);
        assertEquals(1, get(BY_KIND.get("PodDisruptionBudget"), "spec", "minAvailable"));
        assertEquals("http", get(BY_KIND.get("Service"), "spec", "ports", 0, "targetPort"));
    }

    @Test
    void letsOnlyMonitoringReachTheManagementPortAndTheServiceExposeOnlyThePublicOne() {
        Map<String, Object> policy = BY_KIND.get("NetworkPolicy");
        assertEquals("hexgate", get(policy, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name"));
        assertEquals("http", get(policy, "spec", "ingress", 0, "ports", 0, "port"));
        assertNull(get(policy, "spec", "ingress", 0, "from"), "callers reach the public port from anywhere in the cluster");
        assertEquals("management", get(policy, "spec", "ingress", 1, "ports", 0, "port"));
        assertNotNull(get(policy, "spec", "ingress", 1, "from", 0), "the management port only from named peers");
        assertEquals(1, ((List<?>) get(BY_KIND.get("Service"), "spec", "ports")).size(), "the Service has no management port");
    }

    private static Object deploymentPod() {
        return get(BY_KIND.get("Deployment"), "spec", "template");
    }

    @Test
    void grantsVaultAccessOnlyToHexgatesOwnFolder() throws IOException {
        List<String> paths = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("deploy/vault/hexgate-policy.hcl"))) {
            if (line.startsWith("path ")) {
                paths.add(line.substring(6, line.indexOf('"', 6)));
            }
        }
        assertEquals(List.of("secret/data/hexgate/*", "secret/metadata/hexgate/*", "auth/token/lookup-self",
                "auth/token/renew-self"), paths, "its own folder, and its own token");
    }

    private static void assertNull(Object value, String message) {
        assertTrue(value == null, message);
    }
}
