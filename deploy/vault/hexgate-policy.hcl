# Vault policy for hexgate: only its own folder of the KV v2 mount "secret" (HEXGATE_VAULT_KV_MOUNT / HEXGATE_VAULT_PATH).
# data: read and write connections and connect sessions.
path "secret/data/hexgate/*" {
  capabilities = ["create", "read", "update"]
}
# metadata: list connections, read versions, delete a connection with all its versions.
path "secret/metadata/hexgate/*" {
  capabilities = ["read", "list", "delete"]
}
# destroy: remove a replaced token's older version for good.
path "secret/destroy/hexgate/*" {
  capabilities = ["update"]
}
