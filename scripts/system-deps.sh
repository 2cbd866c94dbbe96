#!/usr/bin/env bash
# Install the Debian packages the test suite talks to, when they are missing:
# Dovecot (a real IMAP/POP3 server for the mailbox tests) and Chromium (browser tests).
set -euo pipefail
missing=()
command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd dovecot-pop3d)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# GNU gettext: makemessages (xgettext, msgmerge) and compilemessages (msgfmt), for `make messages`
# and tests/test_translations.py; the site itself reads the committed .mo files.
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
# Sisimai 4, the reference parser, only for bench/classifier.py's speed comparison.
perl -MSisimai -e 1 >/dev/null 2>&1 || missing+=(libsisimai-perl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "system-deps: need root to install ${missing[*]}" >&2
    exit 1
  fi
  echo "system-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
