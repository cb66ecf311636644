#!/usr/bin/env bash
# Rebuild translations/messages.pot from the app AND the FAB / WTForms strings users meet, then merge it
# into the zh and bo catalogs (existing translations kept). Run from the project root.
set -euo pipefail
SP=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
.venv/bin/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k gettext -k ngettext:1,2 \
  --no-location --sort-output -o translations/messages.pot app "$SP/flask_appbuilder" "$SP/wtforms"
.venv/bin/pybabel update -N -i translations/messages.pot -d translations --ignore-obsolete
