/*
 * log.c: structured log lines on stderr (logfmt, or one JSON object a line
 * with log_format = json, for shippers that want JSON; issue 16 item 4).
 * Each line is built in memory and written with a single write(2), so
 * lines from concurrent threads never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum log_level	log_level = LOG_INFO;
static enum log_format	log_format = LOG_FORMAT_LOGFMT;

static const char *const log_names[] = { "debug", "info", "warn", "error" };

void
log_set_level(enum log_level l)
{
	log_level = l;
}

void
log_set_format(enum log_format f)
{
	log_format = f;
}

/* A JSON text being written into a fixed buffer; full once it overflows. */
struct log_out {
	char	*p;
	size_t	 len, cap;
	int	 full;
	int	 raw;	/* bytes >= 0x80 as they are (else \u00XX) */
};

static void
log_put(struct log_out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* One byte of a JSON string's body: escaped when it must be; bytes of
 * 0x80 and above as they are when o->raw (UTF-8, checked afterwards),
 * else as \u00XX. */
static void
log_put_char(struct log_out *o, unsigned char c)
{
	char	esc[8];

	if (c == '"' || c == '\\') {
		esc[0] = '\\';
		esc[1] = (char)c;
		log_put(o, esc, 2);
	} else if (c >= 0x80 && o->raw)
		log_put(o, (const char *)&c, 1);
	else if (c < 0x20 || c >= 0x7f) {
		snprintf(esc, sizeof(esc), "\\u%04x", c);
		log_put(o, esc, 6);
	} else
		log_put(o, (const char *)&c, 1);
}

static int
log_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A text that is not logfmt as one JSON object: the whole text is "msg",
 * cut to fit.  Returns the length written into out[0..cap). */
static int
log_json_text(const char *ts, const char *level, const char *text,
    char *out, size_t cap)
{
	struct log_out		 o = { out, 0, cap, 0, 0 };
	const unsigned char	*p;
	size_t			 keep;

	log_put(&o, "{\"ts\":\"", 7);
	log_put(&o, ts, strlen(ts));
	log_put(&o, "\",\"level\":\"", 11);
	log_put(&o, level, strlen(level));
	log_put(&o, "\",\"msg\":\"", 9);
	keep = o.len;
	for (p = (const unsigned char *)text; *p != '\0' && !o.full; p++) {
		keep = o.len;
		log_put_char(&o, *p);
	}
	if (o.full) {		/* cut at the last whole character */
		o.full = 0;
		o.len = keep < cap - 2 ? keep : cap - 2;
	}
	log_put(&o, "\"}", 2);
	return (int)o.len;
}

/*
 * The logfmt pairs kv ("key=value key=\"quoted \\\" value\" ...", as
 * buf_logfmt writes them) as the members of a JSON object, each value a
 * string, after "ts" and "level".  Returns the length written into
 * out[0..cap), or -1 when kv is not logfmt or does not fit (the caller
 * then logs the whole text as "msg").
 */
static int
log_json_pass(const char *ts, const char *level, const char *kv, char *out,
    size_t cap, int raw)
{
	struct log_out		 o = { out, 0, cap, 0, raw };
	const unsigned char	*p = (const unsigned char *)kv, *k;
	int			 h1, h2;

	log_put(&o, "{\"ts\":\"", 7);
	log_put(&o, ts, strlen(ts));
	log_put(&o, "\",\"level\":\"", 11);
	log_put(&o, level, strlen(level));
	log_put(&o, "\"", 1);
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (k = p; *p > ' ' && *p < 0x7f && *p != '=' && *p != '"';
		    p++)
			;
		if (p == k || *p != '=')
			return -1;
		log_put(&o, ",\"", 2);
		log_put(&o, (const char *)k, (size_t)(p - k));
		log_put(&o, "\":\"", 3);
		p++;
		if (*p != '"') {
			for (; *p != '\0' && *p != ' '; p++)
				log_put_char(&o, *p);
		} else {
			for (p++; *p != '"'; p++) {
				if (*p == '\0')
					return -1;
				if (*p != '\\') {
					log_put_char(&o, *p);
					continue;
				}
				p++;
				if (*p == 'x' && (h1 = log_hex(p[1])) >= 0 &&
				    (h2 = log_hex(p[2])) >= 0) {
					log_put_char(&o,
					    (unsigned char)(h1 * 16 + h2));
					p += 2;
				} else if (*p == '"' || *p == '\\')
					log_put_char(&o, *p);
				else
					return -1;
			}
			p++;
			if (*p != ' ' && *p != '\0')
				return -1;
		}
		log_put(&o, "\"", 1);
	}
	log_put(&o, "}", 1);
	return o.full ? -1 : (int)o.len;
}

/* 1 if s[0..n) is well-formed UTF-8 (RFC 3629: shortest forms, no
 * surrogates, at most U+10FFFF), else 0. */
static int
log_utf8(const unsigned char *s, size_t n)
{
	size_t		i = 0, k, len;
	unsigned long	cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			len = 4;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 &&
		    cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 ||
		    cp > 0x10ffff)))
			return 0;
		i += len;
	}
	return 1;
}

/*
 * The JSON object of kv, with its non-ASCII bytes as they are when they
 * make UTF-8 (a Japanese path stays readable), else each as \u00XX.
 */
int
log_json(const char *ts, const char *level, const char *kv, char *out,
    size_t cap)
{
	int	n;

	if ((n = log_json_pass(ts, level, kv, out, cap, 1)) >= 0 &&
	    log_utf8((const unsigned char *)out, (size_t)n))
		return n;
	return log_json_pass(ts, level, kv, out, cap, 0);
}

/* Write "ts=<UTC ISO 8601 with ms> level=<l> " then the message, or its
 * JSON object (log_format). */
static void
log_vline(enum log_level l, const char *fmt, va_list ap)
{
	char		 line[8192], text[8192], ts[40];
	struct timespec	 now;
	struct tm	 tm;
	int		 n, m;
	ssize_t		 w;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%03ldZ",
	    now.tv_nsec / 1000000);
	if (log_format == LOG_FORMAT_JSON) {
		if (vsnprintf(text, sizeof(text), fmt, ap) < 0)
			return;
		if ((n = log_json(ts, log_names[l], text, line,
		    sizeof(line) - 1)) == -1)
			n = log_json_text(ts, log_names[l], text, line,
			    sizeof(line) - 1);
	} else {
		n = snprintf(line, sizeof(line), "ts=%s level=%s ", ts,
		    log_names[l]);
		if (n < 0)
			return;
		m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
		if (m < 0)
			return;
		n += m;
	}
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
