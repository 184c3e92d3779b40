"""Verifies an access token of the server at argv[1] against its JWKS with PyJWT: a JOSE
implementation that shares nothing with the server's, so the key set is proven standard,
not only self-consistent. Also checks that a token with an altered signature fails."""

import json
import sys
import urllib.request

import jwt

base, token = sys.argv[1], sys.argv[2]
with urllib.request.urlopen(f"{base}/.well-known/jwks.json") as response:
    cache_control = response.headers["Cache-Control"]
    key_set = jwt.PyJWKSet.from_dict(json.load(response))
kid = jwt.get_unverified_header(token)["kid"]
key = next(key for key in key_set.keys if key.key_id == kid)
claims = jwt.decode(
    token,
    key.key,
    algorithms=["ES256"],
    issuer="sessions",
    options={"require": ["exp", "iat", "iss", "sub"]},
)
header, payload, signature = token.split(".")
altered = "A" if signature[0] != "A" else "B"
try:
    jwt.decode(f"{header}.{payload}.{altered}{signature[1:]}", key.key, algorithms=["ES256"])
except jwt.InvalidSignatureError:
    pass
else:
    sys.exit("PyJWT accepted a token with an altered signature")
print(f"PyJWT {jwt.__version__} verified session {claims['sid']} with key {kid} ({cache_control})")
