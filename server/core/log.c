/*
 * log.c: structured log lines on stderr (logfmt).  Each line is built in
 * memory and written with a single write(2), so lines from concurrent
 * threads never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level	log_level = LOG_INFO;

static const char *const log_names[] = { "debug", "info", "warn", "error" };

void
log_set_level(enum log_level l)
{
	log_level = l;
}

/* Write "ts=<UTC ISO 8601 with ms> level=<l> " then the message. */
static void
log_vline(enum log_level l, const char *fmt, va_list ap)
{
	char		 line[8192], ts[40];
	struct timespec	 now;
	struct tm	 tm;
	int		 n, m;
	ssize_t		 w;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "ts=%s.%03ldZ level=%s ", ts,
	    now.tv_nsec / 1000000, log_names[l]);
	if (n < 0)
		return;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

void
log_msg(enum log_level l, const char *fmt, ...)
{
	va_list	ap;

	if (l < log_level)
		return;
	va_start(ap, fmt);
	log_vline(l, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vline(LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}
