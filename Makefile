# Quick start: `make run` serves the site, `make test` runs the whole suite.
# Each target creates and fills the virtualenv it needs.

PYTHON ?= $(shell command -v python3.13 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := --quiet --disable-pip-version-check
# Every install comes from a lock file: each package pinned, with the hashes pip checks before installing.
PIP_LOCKED := install --quiet --disable-pip-version-check --require-hashes --no-deps -r

.PHONY: run test lint format migrate superuser clean messages lighthouse lock

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' \
		|| { echo "Python 3.13 is required (set PYTHON=/path/to/python3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/pip $(PIP_LOCKED) requirements.lock
	@touch $@

$(VENV)/.dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip $(PIP_LOCKED) requirements-dev.lock
	@touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime  ## Serve the site on SQLite at http://127.0.0.1:8000
	$(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.dev .venv-checkov/.installed  ## Lint, then the whole suite on SQLite and on PostgreSQL
	scripts/test

# checkov, the IaC scanner the suite runs on the stack's template, pins a boto3 older than the site's: a virtualenv
# of its own.
.venv-checkov/.installed: requirements-checkov.lock | $(BIN)/python
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip $(PIP_LOCKED) requirements-checkov.lock
	@touch $@

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput

superuser: $(VENV)/.runtime  ## Create a local administrator (asks for a password)
	$(BIN)/python manage.py createsuperuser

clean:
	rm -rf $(VENV) .venv-* dist build staticfiles node_modules .pytest_cache .ruff_cache

# The lock files, from the direct dependencies in requirements.txt, requirements-dev.txt and bench/requirements.txt:
# the newest versions those allow, for Python 3.13 on every platform (Lambda's arm64 included), with hashes.
UV_COMPILE := $(BIN)/uv pip compile --quiet --universal --generate-hashes --python-version 3.13 --custom-compile-command "make lock"

lock: $(VENV)/.dev  ## Pin every dependency, with hashes, into the lock files
	$(UV_COMPILE) $(if $(UPGRADE),--upgrade) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock
	$(UV_COMPILE) bench/requirements.txt requirements-dev.txt -c requirements-dev.lock -o bench/requirements.lock
	$(UV_COMPILE) $(if $(UPGRADE),--upgrade) requirements-checkov.txt -o requirements-checkov.lock

messages: $(VENV)/.dev  ## Gather the site's strings into locale/, and compile the catalogues
	$(BIN)/python scripts/messages.py

lighthouse: $(VENV)/.runtime  ## Lighthouse's four scores for three pages, mobile and desktop
	$(BIN)/python scripts/lighthouse.py

# The Lambda package: `make package` builds dist/$(PROJECT)-$(STAGE)-<architecture>.zip with Zappa from
# requirements.lock, for the architecture the stage runs on (production: arm64), or ARCH (see deploy/build.py);
# `make lambda-local` serves STAGE built for this machine at http://127.0.0.1:8001/$(STAGE)/ through a local
# API Gateway (see local_aws/lambda_local.py).
STAGE ?= dev
PACKAGE_VENV := .venv-package
# Zappa's name for this machine's processor architecture.
MACHINE_ARCH := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86_64)
# zappa_settings.json's project_name: the zips are dist/$(PROJECT)-<stage>-<architecture>.zip.
PROJECT := $(shell sed -n 's/.*"project_name": *"\([^"]*\)".*/\1/p' zappa_settings.json)
LOCAL_PACKAGE = dist/$(PROJECT)-$(STAGE)-$(MACHINE_ARCH).zip

.PHONY: package lambda-local infrastructure stage invoke collectstatic deploy update manage status tail undeploy zappa

$(PACKAGE_VENV)/.runtime: requirements.lock | $(BIN)/python
	$(BIN)/python -m venv --clear $(PACKAGE_VENV)
	$(PACKAGE_VENV)/bin/pip $(PIP_LOCKED) requirements.lock
	@touch $@

package: $(PACKAGE_VENV)/.runtime  ## Build the Lambda zip of STAGE (dev or production; ARCH=x86_64 or arm64) into dist/
	$(PACKAGE_VENV)/bin/python -m deploy.build $(STAGE) $(if $(ARCH),--architecture $(ARCH))

infrastructure: $(PACKAGE_VENV)/.runtime  ## Create or update STAGE's CloudFormation stack (ALARM_EMAIL=, MAIL_DOMAIN=, PARAMS=)
	$(PACKAGE_VENV)/bin/python -m deploy.infrastructure $(STAGE) AlarmEmail=$(ALARM_EMAIL) MailDomain=$(MAIL_DOMAIN) $(PARAMS)

stage: $(PACKAGE_VENV)/.runtime  ## Write STAGE of zappa_settings.json from its CloudFormation stack's outputs
	$(PACKAGE_VENV)/bin/python -m deploy.stage_from_stack $(STAGE) $(if $(REGION),--region $(REGION))

# The function's role may not touch S3: the deployer uploads the static files, with the credentials of this shell.
collectstatic: $(PACKAGE_VENV)/.runtime  ## Upload STAGE's static files to its bucket (the deployer's credentials)
	$(PACKAGE_VENV)/bin/python -m deploy.collectstatic $(STAGE)

# Zappa's commands for STAGE, with the deployer's credentials of this shell (see deploy/run_zappa.py).
ZAPPA := $(PACKAGE_VENV)/bin/python -m deploy.run_zappa $(STAGE)

deploy: package  ## Create STAGE's function and API from the zip `make package` builds
	$(ZAPPA) deploy

update: package  ## Upload a new zip to STAGE's function
	$(ZAPPA) update

manage: $(PACKAGE_VENV)/.runtime  ## Run a management command on STAGE's function: CMD="migrate"
	@test -n "$(CMD)" || { echo 'Name the command: make manage STAGE=$(STAGE) CMD="check --deploy"'; exit 2; }
	$(ZAPPA) manage "$(CMD)"

status: $(PACKAGE_VENV)/.runtime  ## STAGE's function, schedules, invocations and errors
	$(ZAPPA) status

tail: $(PACKAGE_VENV)/.runtime  ## STAGE's log of the last hour (SINCE=1d for a day)
	$(ZAPPA) tail --since $(or $(SINCE),1h)

undeploy: $(PACKAGE_VENV)/.runtime  ## Remove STAGE's function and API (the stack and the log group stay)
	$(ZAPPA) undeploy

zappa: $(PACKAGE_VENV)/.runtime  ## Any other Zappa command for STAGE: ARGS="rollback -n 1"
	@test -n "$(ARGS)" || { echo 'Name the command: make zappa STAGE=$(STAGE) ARGS="rollback -n 1"'; exit 2; }
	$(ZAPPA) $(ARGS)

# Options: ADMIN=email (an administrator), CONCURRENCY=n (0: no cap), PROXY_POOL=n (0: no proxy), IDLE=seconds.
lambda-local: $(VENV)/.dev  ## Serve STAGE, built for this machine, at http://127.0.0.1:8001/$(STAGE)/ as Lambda would
	$(MAKE) --no-print-directory package STAGE=$(STAGE) ARCH=$(MACHINE_ARCH)
	$(BIN)/python -m local_aws.lambda_local --stage $(STAGE) --zip $(LOCAL_PACKAGE) --port 8001 $(if $(ADMIN),--admin $(ADMIN)) \
		$(if $(CONCURRENCY),--concurrency $(CONCURRENCY)) $(if $(PROXY_POOL),--proxy-pool $(PROXY_POOL)) \
		$(if $(IDLE),--idle-seconds $(IDLE))

# Deliver a scheduled event to the function of a running `make lambda-local`, as EventBridge does on AWS.
invoke: $(VENV)/.dev  ## Run FUNCTION (a scheduled function of STAGE) on the running lambda-local
	@test -n "$(FUNCTION)" || { echo "Name the function: make invoke STAGE=$(STAGE) FUNCTION=todo_site.tasks.daily_digests"; exit 2; }
	$(BIN)/python -m local_aws.invoke --stage $(STAGE) --function $(FUNCTION)

# `make bench`: cold start, warm overhead, package size, queries, page weight and cost, written to
# docs/BENCHMARKS.md and docs/benchmarks.png (see bench/run.py). Needs PostgreSQL, as `make test`.
.PHONY: bench

$(VENV)/.bench: bench/requirements.lock $(VENV)/.dev
	$(BIN)/pip $(PIP_LOCKED) bench/requirements.lock
	@touch $@

bench: $(VENV)/.bench $(PACKAGE_VENV)/.runtime  ## Measure, write docs/BENCHMARKS.md, print the headline figures
	$(BIN)/python -m bench.run $(if $(LADDER),--ladder)

# `make load`: a burst of visitors against the production zip behind lambda-local, in five configurations side
# by side, each on a small PostgreSQL server of its own; writes docs/LOAD.md and docs/load.png (see bench/load.py).
.PHONY: load

load: $(VENV)/.bench  ## Load the production zip, print the headline figures
	$(MAKE) --no-print-directory package STAGE=production ARCH=$(MACHINE_ARCH)
	$(BIN)/python -m bench.load --zip dist/$(PROJECT)-production-$(MACHINE_ARCH).zip

# `make capacity`: the capacity plan past this machine, from docs/benchmarks.json and docs/load.json (see bench/capacity.py).
.PHONY: capacity

capacity: $(VENV)/.dev  ## Plan 10 to 10,000 requests a second from make bench's and make load's figures
	$(BIN)/python -m bench.capacity

# `make digests`: the daily digest's fan-out through the production zip with 1, 2 and 4 senders; writes docs/DIGESTS.md and docs/digests.json.
.PHONY: digests

digests: $(VENV)/.dev  ## Send 300 due digests through lambda-local with 1, 2 and 4 senders, print the figures
	$(MAKE) --no-print-directory package STAGE=production ARCH=$(MACHINE_ARCH)
	$(BIN)/python -m bench.digests --zip dist/$(PROJECT)-production-$(MACHINE_ARCH).zip
