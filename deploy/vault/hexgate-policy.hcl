# Vault policy for hexgate: only its own folder of the KV v2 mount "secret" (HEXGATE_VAULT_KV_MOUNT / HEXGATE_VAULT_PATH).
# data: read and write connections, their index entries and connect sessions (compare-and-set).
path "secret/data/hexgate/*" {
  capabilities = ["create", "read", "update"]
}
# metadata: list folders a page at a time, read versions, keep one version of each token (max_versions), and delete a
# connection with all its versions. Nothing is ever destroyed version by version, so no "destroy" path.
path "secret/metadata/hexgate/*" {
  capabilities = ["create", "read", "update", "list", "delete"]
}
