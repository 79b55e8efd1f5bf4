#!/usr/bin/env bash
# Makes the certificates of compose/cassandra-secure.yml in compose/secure/certs: a CA, and the
# node's certificate for IP 127.0.0.1 (the driver checks the node's IP address, and the port is
# published on 127.0.0.1) signed by it, also as the PKCS12 keystore Cassandra reads.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p certs
cd certs
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 -days 365 -subj "/CN=userstream compose CA" "${ec[@]}" \
  -keyout ca.key -out ca.pem \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -subj "/CN=cassandra" "${ec[@]}" -keyout node.key -out node.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:cassandra-secure\nextendedKeyUsage=serverAuth\n' > node.ext
openssl x509 -req -days 365 -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -extfile node.ext -out node.pem
openssl pkcs12 -export -in node.pem -inkey node.key -certfile ca.pem \
  -name node -passout pass:changeit -out node.p12
chmod 644 ./*
echo "CA for --cassandra-ca: $(pwd)/ca.pem"
