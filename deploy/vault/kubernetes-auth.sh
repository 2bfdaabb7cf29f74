#!/usr/bin/env sh
# One-time Vault setup for hexgate on Kubernetes (run with a Vault admin token; VAULT_ADDR set).
# Creates the KV v2 mount if needed, the policy, and a Kubernetes-auth role bound to the hexgate service account.
set -eu
NAMESPACE=${NAMESPACE:-default}

vault secrets list -format=json | grep -q '"secret/"' || vault secrets enable -path=secret kv-v2
vault policy write hexgate "$(dirname "$0")/hexgate-policy.hcl"

vault auth list -format=json | grep -q '"kubernetes/"' || vault auth enable kubernetes
# Inside the cluster Vault can use its own service account to review tokens. Outside it, point KUBERNETES_HOST at the API
# server and pass what it needs in KUBERNETES_AUTH_OPTIONS (e.g. "kubernetes_ca_cert=@ca.crt token_reviewer_jwt=…").
# shellcheck disable=SC2086
vault write auth/kubernetes/config kubernetes_host="${KUBERNETES_HOST:-https://kubernetes.default.svc}" ${KUBERNETES_AUTH_OPTIONS:-}

vault write auth/kubernetes/role/hexgate \
  bound_service_account_names=hexgate \
  bound_service_account_namespaces="$NAMESPACE" \
  token_policies=hexgate \
  token_ttl=1h token_max_ttl=4h
