# The two commands of the README: `make packet DATE=2020-12-11` and `make test`.
# Both set up everything first: the virtualenv with the pinned Python
# packages, and LibreOffice, Poppler and the fonts from Debian's packages.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: packet protokoll send test fuzz setup system-deps templates list clean help

help:
	@echo "make packet DATE=ÅÅÅÅ-MM-DD   bygg kallelsen med handlingar"
	@echo "make packet DATE=ÅÅÅÅ-MM-DD STRIKT=1  publicera bara en helt tillgänglig kallelse"
	@echo "make protokoll DATE=ÅÅÅÅ-MM-DD protokoll, protokollsutdrag och anslagsbevis"
	@echo "make send DATE=ÅÅÅÅ-MM-DD [WHAT=kallelse|protokoll|utdrag] [SKARPT=1]"
	@echo "                              förhandsgranska (eller skicka) e-post"
	@echo "make test                     kör alla tester"
	@echo "make fuzz                     slumpprov: tiotusentals genererade indata (tar längre tid)"
	@echo "make list                     lista sammanträdena i sources/"

setup: $(STAMP) system-deps

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

system-deps:
	@scripts/install-system-deps.sh

packet: setup
	@$(PY) build.py packet "$(DATE)" $(if $(STRIKT),--strikt)

protokoll: setup
	@$(PY) build.py protokoll "$(DATE)"

WHAT ?= kallelse
send: $(STAMP)
	@$(PY) build.py send "$(DATE)" --what "$(WHAT)" $(if $(SKARPT),--skarpt) $(if $(IGEN),--igen)

list: $(STAMP)
	@$(PY) build.py list

test: setup
	$(PY) -m pytest

# The property-based tests with 10,000+ examples each (a few hundred run in `make test`).
fuzz: setup
	$(PY) -m pytest -m fuzz --hypothesis-profile=fuzz -p no:cacheprovider

templates: $(STAMP)
	$(PY) scripts/make_templates.py

clean:
	rm -rf packets/* .pytest_cache
