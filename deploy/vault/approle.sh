#!/usr/bin/env sh
# Vault setup for hexgate outside Kubernetes, with AppRole (or use a token with the same policy).
# Then run hexgate with QUARKUS_VAULT_AUTHENTICATION_APP_ROLE_ROLE_ID / _SECRET_ID set to the printed values.
set -eu
vault secrets list -format=json | grep -q '"secret/"' || vault secrets enable -path=secret kv-v2
vault policy write hexgate "$(dirname "$0")/hexgate-policy.hcl"
vault auth list -format=json | grep -q '"approle/"' || vault auth enable approle
vault write auth/approle/role/hexgate token_policies=hexgate token_ttl=1h token_max_ttl=4h secret_id_ttl=0
# -field prints no newline: one line each, named.
echo "role_id=$(vault read -field=role_id auth/approle/role/hexgate/role-id)"
echo "secret_id=$(vault write -f -field=secret_id auth/approle/role/hexgate/secret-id)"
# A plain token instead:  vault token create -policy=hexgate -period=24h
