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
# hexgate's own token: look it up (what is left, shown as hexgate_vault_token_ttl_seconds) and renew a static token
# before it expires. Vault's "default" policy grants the same; these keep a token made with no_default_policy working.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
