# tests/fuzz/fuzz.mk: builds the libFuzzer harnesses of tests/fuzz/ with
# clang (GNU make; "make fuzz" in a configured build folder runs it with
# the flags configure found, tests/fuzz/run.sh runs it without configure).
#
#   make -f tests/fuzz/fuzz.mk top_srcdir=. O=var/build/libfuzzer [-j2]
#
# Every module of server/ but the two programs' mains is compiled again
# with clang, coverage instrumentation (-fsanitize=fuzzer-no-link) and
# ASan+UBSan into O/libcouncil-fuzz.a; each harness NAME_fuzz.c links
# against it into O/NAME_fuzz.  Needs Debian's clang and libclang-rt-14-dev
# (libFuzzer's runtime), which deploy/install-deps.sh installs.

top_srcdir	?= .
O		?= var/build/libfuzzer
FUZZ_CC		?= clang
FUZZ_TARGETS	?= $(shell sed -n 's/^\([a-z][a-z0-9_]*\).*/\1/p' \
		   $(top_srcdir)/tests/fuzz/targets)
FUZZ_CPPFLAGS	?= $(shell pkg-config --cflags libmicrohttpd libpq libcrypto libssl libxml-2.0 \
		   libqrencode)
FUZZ_LIBS	?= $(shell pkg-config --libs libmicrohttpd libpq libcrypto libssl libxml-2.0 \
		   libqrencode) \
		   -lscrypt -lpthread

SRC		:= $(abspath $(top_srcdir))
SAN		:= -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
WARN		:= -std=c11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
		   -Wstrict-prototypes -Wpointer-arith -Wformat=2 -Wvla
CPP		:= $(addprefix -I$(SRC)/server/,core web kit pages site) \
		   -I$(SRC)/tests/fuzz -D_GNU_SOURCE \
		   -DFUZZ_SRCDIR='"$(SRC)"' $(FUZZ_CPPFLAGS)
CFLAGS_FUZZ	:= -g -O1 $(WARN) $(SAN) -fsanitize=fuzzer-no-link

LIB_SRCS	:= $(filter-out %/councild.c %/councilctl.c,\
		   $(wildcard $(SRC)/server/*/*.c))
LIB_OBJS	:= $(patsubst $(SRC)/server/%.c,$(O)/obj/%.o,$(LIB_SRCS))
HARNESSES	:= $(addprefix $(O)/,$(addsuffix _fuzz,$(FUZZ_TARGETS)))

all: $(HARNESSES)

# clang also warns of vsnprintf(fmt) in functions that take a va_list
# (log.c, http.c), which gcc, the project's compiler, does not.
$(O)/obj/%.o: $(SRC)/server/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC   $<"
	@$(FUZZ_CC) $(CPP) $(CFLAGS_FUZZ) -Wno-format-nonliteral -MMD -MP \
	    -c $< -o $@

$(O)/harness/%.o: $(SRC)/tests/fuzz/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC   $<"
	@$(FUZZ_CC) $(CPP) $(CFLAGS_FUZZ) -MMD -MP -c $< -o $@

$(O)/libcouncil-fuzz.a: $(LIB_OBJS)
	@rm -f $@
	@echo "  AR       $@"
	@ar rcs $@ $^

$(O)/%_fuzz: $(O)/harness/%_fuzz.o $(O)/libcouncil-fuzz.a
	@echo "  FUZZLD   $@"
	@$(FUZZ_CC) $(SAN) -fsanitize=fuzzer $< $(O)/libcouncil-fuzz.a \
	    $(FUZZ_LIBS) -o $@

clean:
	rm -rf $(O)/obj $(O)/harness $(O)/libcouncil-fuzz.a $(HARNESSES)

.PHONY: all clean
.SECONDARY:

-include $(LIB_OBJS:.o=.d) $(patsubst $(O)/%,$(O)/harness/%.d,$(HARNESSES))
