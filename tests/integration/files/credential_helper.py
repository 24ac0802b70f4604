"""A docker-credential helper that keeps its store in store.json beside itself.

It speaks the protocol of docker-credential-pass and -secretservice (no keyring runs here):
`store` reads {ServerURL, Username, Secret}, `get` and `erase` read a server URL, on stdin.
"""

import json
import sys
from pathlib import Path

STORE = Path(__file__).resolve().parent / "store.json"
entries = json.loads(STORE.read_text()) if STORE.exists() else {}
action, text = sys.argv[1], sys.stdin.read()
if action == "store":
    entry = json.loads(text)
    entries[entry["ServerURL"]] = entry
elif action == "get":
    if text.strip() not in entries:
        print("credentials not found in native keychain")
        sys.exit(1)
    print(json.dumps(entries[text.strip()]))
elif action == "erase":
    entries.pop(text.strip(), None)
STORE.write_text(json.dumps(entries))
