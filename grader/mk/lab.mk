# lab.mk: the build and check rules every lab shares.
#
# A lab's Makefile sets LAB (its number), PROGRAMS, one <program>_SRCS per program, UNIT_SRCS (the
# Check tests plus the sources they test) and, if needed, LDLIBS; then it includes this file.
#
#   make            build the programs into build/ (and build/faultshim.so, which tests preload)
#   make check      grade this lab: the same tests and points the instructor's grader uses
#   make memcheck   only the valgrind and AddressSanitizer/UBSan tests
#   make unit       build the Check unit tests (build/unit_tests)
#   make asan       build everything with AddressSanitizer and UBSan into build/asan/
#   make clean      remove build/

KIT ?= ../..
BUILD := build
WERROR ?= -Werror
# DWARF 4: valgrind 3.19 cannot read all of the DWARF 5 that clang writes.
CFLAGS ?= -O2 -gdwarf-4
WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wold-style-definition -Wvla -Wundef
ALL_CFLAGS = -std=c11 $(WARNINGS) $(WERROR) $(CFLAGS) -Isrc -MMD -MP
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CHECK_CFLAGS = $(shell pkg-config --cflags check) -I$(KIT)/grader/c
CHECK_LIBS = $(shell pkg-config --libs check)

.PHONY: all unit asan unit-asan check memcheck clean
.DEFAULT_GOAL := all

all: $(PROGRAMS:%=$(BUILD)/%) $(BUILD)/faultshim.so
unit: $(BUILD)/unit_tests
asan: $(PROGRAMS:%=$(BUILD)/asan/%) $(BUILD)/asan/unit_tests
unit-asan: $(BUILD)/asan/unit_tests

# One link rule per program, plain and sanitized.
define program_rules
$(BUILD)/$(1): $$($(1)_SRCS:%.c=$(BUILD)/obj/%.o)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
$(BUILD)/asan/$(1): $$($(1)_SRCS:%.c=$(BUILD)/asan/obj/%.o)
	$$(CC) $$(SANITIZE) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rules,$(p))))

UNIT_OBJS = $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/unit_main.o
$(BUILD)/unit_tests: $(UNIT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)
$(BUILD)/asan/unit_tests: $(UNIT_OBJS:$(BUILD)/obj/%=$(BUILD)/asan/obj/%)
	$(CC) $(SANITIZE) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(if $(filter tests/%,$<),$(CHECK_CFLAGS)) -c -o $@ $<
$(BUILD)/asan/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SANITIZE) -O1 $(if $(filter tests/%,$<),$(CHECK_CFLAGS)) -c -o $@ $<
$(BUILD)/obj/unit_main.o: $(KIT)/grader/c/unit_main.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<
$(BUILD)/asan/obj/unit_main.o: $(KIT)/grader/c/unit_main.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SANITIZE) -O1 $(CHECK_CFLAGS) -c -o $@ $<

# The fault-injection library the tests preload into programs (grader/c/faultshim.c).
$(BUILD)/faultshim.so: $(KIT)/grader/c/faultshim.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -ldl

# The self-check grades the public tests only (as students see them), even in a kit with hidden tests.
check: all
	$(KIT)/grader/grade --lab $(LAB) --hidden no
memcheck: all
	$(KIT)/grader/grade --lab $(LAB) --hidden no --only 'valgrind::*' --only 'asan::*'
clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
