"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip into its sanity venvs.

Its download host is out of reach here, so scripts/sanity places this file where ansible-test
caches that script. Like get-pip.py it takes `pip install` arguments; it bootstraps pip from
the interpreter's own ensurepip, then installs what ansible-test asked for from PyPI.
"""

import ensurepip
import os
import ssl
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}

args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY_OPTIONS]
# ansible-test hides pip's configuration (PIP_CONFIG_FILE=/dev/null); trust the system's CAs as
# the machine's own pip does, so that a TLS-inspecting proxy in front of PyPI keeps working.
system_ca = ssl.get_default_verify_paths().cafile
if system_ca and os.path.exists(system_ca):
    args = ["--cert", system_ca, *args]
ensurepip.bootstrap()
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *args]))
