/*
 * config_fuzz.c: libFuzzer harness of server/core/config.c.  config_load reads
 * a file and hands its text to config_parse, which is pure: the input is
 * that text.  The configuration is the administrator's file, not a
 * member's input, but a typo in it must give a message, never a crash.
 *
 * Properties (config.h), beyond "no crash, leak or undefined behaviour":
 *   - a refusal says "line N: why" with N at most the number of lines (or
 *     names the NUL byte); parsing the same text again gives the same
 *     answer and message;
 *   - an accepted text gives values inside their ranges for the settings
 *     whose range config_validate relies on (pool, threads, sizes), and
 *     config_validate then answers without crashing;
 *   - strings are at most CONFIG_MAX_STRING bytes.
 */
#include <string.h>

#include "config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 a, b;
	const char	*text = (const char *)data;
	char		 ea[256], eb[256];
	size_t		 lines = 1, i;
	long		 n;
	int		 ra, rb;

	config_defaults(&a);
	config_defaults(&b);
	memset(ea, 'x', sizeof(ea));
	ra = config_parse(&a, text, size, ea, sizeof(ea));
	rb = config_parse(&b, text, size, eb, sizeof(eb));
	FUZZ_CHECK(ra == rb, "two parses: %d and %d", ra, rb);
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (ra != 0) {
		FUZZ_CHECK(ra == -1, "config_parse returned %d", ra);
		FUZZ_CHECK(memchr(ea, '\0', sizeof(ea)) != NULL &&
		    strcmp(ea, eb) == 0, "the messages differ");
		if (strncmp(ea, "line ", 5) == 0) {
			n = strtol(ea + 5, NULL, 10);
			FUZZ_CHECK(n >= 1 && (size_t)n <= lines, "line %ld of "
			    "%zu", n, lines);
		} else
			FUZZ_CHECK(strstr(ea, "NUL") != NULL, "message \"%s\"",
			    ea);
	} else {
		FUZZ_CHECK(a.db_pool_size >= 1 && a.db_pool_size <= 256 &&
		    a.worker_threads >= 1 && a.worker_threads <= 256,
		    "pool %ld, threads %ld", a.db_pool_size, a.worker_threads);
		FUZZ_CHECK(a.connection_memory_limit >= 8192 &&
		    a.max_header_size >= 1024 && a.max_body_size >= 1024,
		    "sizes out of range");
		FUZZ_CHECK(a.listen_port >= 0 && a.listen_port <= 65535,
		    "port %ld", a.listen_port);
		FUZZ_CHECK(strlen(a.listen_address) <= CONFIG_MAX_STRING &&
		    strlen(a.db_conninfo) <= CONFIG_MAX_STRING &&
		    strlen(a.mail_from) <= CONFIG_MAX_STRING &&
		    strlen(a.public_url) <= CONFIG_MAX_STRING, "a long string");
		(void)config_validate(&a, ea, sizeof(ea));
	}
	config_free(&a);
	config_free(&b);
	return 0;
}
