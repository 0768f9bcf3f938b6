# netlab: a course in network programming in C. This Makefile only orchestrates: every lab builds
# and checks on its own (labs/NN-topic/Makefile), and grading is done by grader/grade.
#
#   make grade                         grade your work in labs/ (all labs)
#   make grade LAB=01                  one lab
#   make grade SUBMISSION=DIR          a submission laid out like the kit (NN-topic/ or labs/NN-topic/)
#   make grade SUBMISSION=solutions    the reference solutions (full marks)
#   make test                          the kit's own test suite (what CI runs)
#   make slides                        the lecture decks, into slides/build/ (HTML; PDF with Chromium)
#   make help                          all targets

SHELL := /bin/sh
LAB ?=
SUBMISSION ?=
JOBS ?= 2
# The kit's tests spend half their time waiting on programs under test (timeouts, peers), so
# `make test` runs two workers per core; TEST_JOBS=N overrides.
TEST_JOBS ?= $(shell echo $$(( $$(nproc) * 2 )))
# The interpreter that can import Debian's pytest; computed when used, after `deps` has run.
PYTHON = $(shell grader/pick-python)
PYTEST = $(PYTHON) -m pytest -p no:cacheprovider -c /dev/null --rootdir=grader/selftest
LABS := $(sort $(wildcard labs/[0-9][0-9]-*))
C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

.PHONY: help deps grade test slides soak soak-batch bench clean format format-check batch release gradescope classroom

help:
	@sed -n 's/^#   //p' Makefile
	@echo "  make batch SUBMISSIONS=DIR OUT=DIR  grade a folder of submissions (JOBS=$(JOBS) at once)"
	@echo "  make release                       the student edition: out/netlab-student(.tar.gz)"
	@echo "  make gradescope LAB=NN             Gradescope autograder: out/gradescope-labNN.zip"
	@echo "  make classroom LAB=NN              GitHub Classroom workflow: out/classroom/labNN.yml"
	@echo "  make soak                          grade every reference 20 times; any lost point fails"
	@echo "  make soak-batch                    a class of every kind graded with -j2, RUNS=3 times"
	@echo "  make bench                         time the grader (written to out/bench.md)"
	@echo "  make format / make format-check    apply / verify .clang-format on the C sources"
	@echo "  make clean                         remove build products"

deps:
	@grader/deps.sh

grade: deps
	@grader/grade $(if $(LAB),--lab $(LAB)) $(if $(SUBMISSION),--submission $(SUBMISSION)) $(GRADE_FLAGS)

# The slide tests build the decks and render them in Chromium: their packages come first.
test: deps
	@slides/deps.sh --chromium
	@PYTHONPATH=grader $(PYTEST) -n $(TEST_JOBS) --dist loadgroup -q grader/selftest $(TEST_FLAGS)

batch: deps
	@grader/batch $(SUBMISSIONS) --out $(or $(OUT),out/batch) -j $(JOBS) $(if $(LAB),--lab $(LAB))

release:
	@PYTHONPATH=grader $(PYTHON) -m netlab.distribute release

gradescope:
	@PYTHONPATH=grader $(PYTHON) -m netlab.distribute gradescope $(if $(LAB),--lab $(LAB))

classroom:
	@PYTHONPATH=grader $(PYTHON) -m netlab.classroom --lab $(or $(LAB),all)

slides:
	@$(MAKE) --no-print-directory -C slides

soak: deps
	@PYTHONPATH=grader $(PYTHON) -m netlab.soak --runs $(or $(RUNS),20) $(if $(LAB),--lab $(LAB))

soak-batch: deps
	@PYTHONPATH=grader $(PYTHON) -m netlab.soakbatch --runs $(or $(RUNS),3) --jobs $(JOBS) $(if $(LAB),--lab $(LAB)) $(if $(SAMPLE),--sample $(SAMPLE)) $(if $(HOSTILE),--hostile $(HOSTILE))

bench: deps
	@PYTHONPATH=grader $(PYTHON) -m netlab.bench $(if $(LAB),--lab $(LAB)) $(if $(BATCH),--batch $(BATCH))

format:
	clang-format -i $(C_SOURCES)

format-check:
	clang-format --dry-run --Werror $(C_SOURCES)

clean:
	@for lab in $(LABS) $(wildcard solutions/[0-9][0-9]-*); do rm -rf $$lab/build; done
	rm -rf out slides/build
