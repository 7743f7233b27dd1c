#!/usr/bin/env bash
# System packages the reports and their tests need (Debian/Ubuntu): headless Chromium to print the
# council report to PDF, poppler-utils for `pdftotext`. Idempotent: installs only what is missing.
# Never runs `playwright install` (its browser download host is unreachable; Debian's chromium is used).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system: chromium y pdftotext ya están instalados"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-system: faltan ${missing[*]}; ejecute como root o instale sudo" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-system: instalando ${missing[*]}"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
