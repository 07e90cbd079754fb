"""Write a copy of _config.yml with notebook execution turned off.

``make test`` builds the book from it with warnings as errors: a broken reference,
directive or toc entry then fails the tests without re-running every chapter.

Usage: python scripts/book_config_noexec.py OUT.yml
"""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

config = yaml.safe_load((ROOT / "_config.yml").read_text())
config["execute"]["execute_notebooks"] = "off"
# Relative paths in a config file given with --config resolve against that file's folder.
config["bibtex_bibfiles"] = [str(ROOT / path) for path in config["bibtex_bibfiles"]]
extensions = config["sphinx"]["local_extensions"]
config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path in extensions.items()}
# Figures and glued values exist only in executed outputs: resolve the references that
# the sources promise with placeholders (scripts/noexec_placeholders.py); others still warn.
config["sphinx"]["local_extensions"]["noexec_placeholders"] = str(ROOT / "scripts")
out = Path(sys.argv[1])
out.parent.mkdir(parents=True, exist_ok=True)  # _build/ may not exist yet
out.write_text(yaml.safe_dump(config, sort_keys=False))
