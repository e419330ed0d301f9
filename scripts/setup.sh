#!/usr/bin/env bash
# Installs everything beyond node_modules that the lake and its tests need, idempotently:
# the Python virtualenv (.venv) with the pinned Glue-script dependencies, the Spark jars
# (Avro, JDBC drivers), Trino and, where missing, the PostgreSQL and MariaDB servers (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

# Python: one venv for the Glue scripts, their tests and the local lake's helpers.
stamp=.venv/.requirements.sha
want=$(sha256sum glue-scripts/requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing Python dependencies into .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r glue-scripts/requirements.txt
  echo "$want" > "$stamp"
fi

# Spark jars from Maven Central, through Maven (so any mirror the machine's Maven uses applies).
# The marker holds the pom's hash, so a jar added to the pom is fetched on the next setup.
jars_want=$(sha256sum glue-scripts/jars/pom.xml | cut -d' ' -f1)
if [ "$(cat glue-scripts/jars/lib/.complete 2>/dev/null)" != "$jars_want" ]; then
  command -v mvn >/dev/null || { echo "[setup] Maven (mvn) is required to fetch the Spark jars: apt-get install maven" >&2; exit 1; }
  say "fetching Spark jars (spark-avro, JDBC drivers, Iceberg) with Maven"
  rm -rf glue-scripts/jars/lib
  mvn --batch-mode --quiet -f glue-scripts/jars/pom.xml dependency:copy-dependencies -DoutputDirectory=lib
  echo "$jars_want" > glue-scripts/jars/lib/.complete
fi

# Trino, the local Athena (the engine of Athena engine version 3): the server core, the Hive
# plugin and the Iceberg plugin from Maven Central, unpacked into .tools/ (about 450 MB). It needs Java 24+ to run (found
# at start, see local-lake/localdb/trino_server.py); fetching it needs only Maven.
trino_version=476
trino_home=.tools/trino-server-$trino_version
trino_plugins="hive iceberg"
if [ "$(cat "$trino_home/.complete" 2>/dev/null)" != "$trino_plugins" ]; then
  command -v mvn >/dev/null || { echo "[setup] Maven (mvn) is required to fetch Trino: apt-get install maven" >&2; exit 1; }
  say "fetching Trino $trino_version (server core, plugins: $trino_plugins) with Maven"
  rm -rf "$trino_home" .tools/downloads && mkdir -p .tools/downloads
  mvn --batch-mode --quiet dependency:copy -Dartifact="io.trino:trino-server-core:$trino_version:tar.gz" -DoutputDirectory=.tools/downloads
  tar -xzf ".tools/downloads/trino-server-core-$trino_version.tar.gz" -C .tools
  mv ".tools/trino-server-core-$trino_version" "$trino_home"
  for plugin in $trino_plugins; do
    mvn --batch-mode --quiet dependency:copy -Dartifact="io.trino:trino-$plugin:$trino_version:zip" -DoutputDirectory=.tools/downloads
    python3 -m zipfile -e ".tools/downloads/trino-$plugin-$trino_version.zip" "$trino_home/plugin"
    mv "$trino_home/plugin/trino-$plugin-$trino_version" "$trino_home/plugin/$plugin"
  done
  rm -rf .tools/downloads
  echo "$trino_plugins" > "$trino_home/.complete"
fi

# Database servers for the local sources (started on loopback by the tests and `npm run lake`).
missing=()
[ -x "$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n1)" ] || missing+=(postgresql)
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    # policy-rc.d keeps the packages from starting system-wide servers; the project starts its own.
    made_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
  else
    echo "[setup] missing database servers: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and re-run." >&2
    exit 1
  fi
fi
say "ready"
