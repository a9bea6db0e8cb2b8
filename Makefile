# The two commands of the README: `make packet DATE=2020-12-11` and `make test`.
# Both set up everything first: the virtualenv with the pinned Python
# packages, and LibreOffice, Poppler and the fonts from Debian's packages.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: packet protokoll send publish test fuzz bench setup system-deps templates list clean help

help:
	@echo "make packet DATE=ÅÅÅÅ-MM-DD   bygg kallelsen med handlingar"
	@echo "make packet DATE=ÅÅÅÅ-MM-DD STRIKT=1  publicera bara en helt tillgänglig kallelse"
	@echo "make protokoll DATE=ÅÅÅÅ-MM-DD protokoll, protokollsutdrag och anslagsbevis"
	@echo "make send DATE=ÅÅÅÅ-MM-DD [WHAT=kallelse|protokoll|utdrag] [SKARPT=1]"
	@echo "                              förhandsgranska (eller skicka) e-post"
	@echo "make publish [DATE=ÅÅÅÅ-MM-DD] [IDAG=ÅÅÅÅ-MM-DD]"
	@echo "                              bygg webbplatsen i public/ (anslagstavla, sammanträden, öppna data)"
	@echo "make test                     kör alla tester"
	@echo "make fuzz                     slumpprov: tiotusentals genererade indata (tar längre tid)"
	@echo "make bench [N=\"10 20 40 80\"]   mät byggtiderna (demon och N påhittade ärenden); ingår inte i make test"
	@echo "make list                     lista sammanträdena i sources/"

setup: $(STAMP) system-deps $(NODE_STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

system-deps:
	@scripts/install-system-deps.sh

# axe-core (the accessibility engine of the web site's tests), pinned in package-lock.json.
$(NODE_STAMP): package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

packet: setup
	@$(PY) build.py packet "$(DATE)" $(if $(STRIKT),--strikt)

protokoll: setup
	@$(PY) build.py protokoll "$(DATE)"

WHAT ?= kallelse
send: $(STAMP)
	@$(PY) build.py send "$(DATE)" --what "$(WHAT)" $(if $(SKARPT),--skarpt) $(if $(IGEN),--igen)

publish: setup
	@$(PY) build.py publish $(if $(DATE),"$(DATE)") $(if $(IDAG),--idag "$(IDAG)")

list: $(STAMP)
	@$(PY) build.py list

# Tests run on one pytest-xdist worker per core (--dist loadfile in pyproject.toml keeps each file's
# module fixtures, LibreOffice builds among them, on one worker). TEST_JOBS=1 runs them in one process.
TEST_JOBS ?= auto

test: setup
	$(PY) -m pytest -n $(TEST_JOBS)

# The property-based tests with 10,000+ examples each (a few hundred run in `make test`).
fuzz: setup
	$(PY) -m pytest -n $(TEST_JOBS) -m fuzz --hypothesis-profile=fuzz -p no:cacheprovider

# Build times (issue 11), written to packets/bench/latest.md; not part of `make test`. N=80 takes minutes.
bench: setup
	$(PY) scripts/bench.py $(if $(N),--n $(N)) $(if $(REPEAT),--repeat $(REPEAT))

templates: $(STAMP)
	$(PY) scripts/make_templates.py

clean:
	rm -rf packets/* public .pytest_cache .cache/meetingdocs
	@# a cache folder of one's own (MEETINGDOCS_CACHE): only what the build keeps there
	@case "$$MEETINGDOCS_CACHE" in ""|av|off|0|nej|no) ;; *) rm -rf "$$MEETINGDOCS_CACHE/v1";; esac
