/*
 * taxii_fuzz.c: libFuzzer harness of the TAXII 2.1 server's parsers
 * (server/pages/taxii.c) and of the API token sent as HTTP Basic's
 * password (server/kit/credential.c).  The input, up to its first NUL, is
 * a path after /taxii2/, an Accept header, a Content-Type, and (after
 * "Basic ") an Authorization header.
 *
 * Properties (taxii.h's and credential.h's contracts), beyond "no crash,
 * leak or undefined behaviour":
 *   - a path taxii_path_parse accepts is exactly the path its result
 *     names again (the resource's segments, each with its slash), its ids
 *     UUIDs and its object id a STIX id of at most TAXII_OBJECT_MAX
 *     bytes; a refused one leaves TAXII_NONE;
 *   - an Accept that starts with a range of "*" "/" "*" admits, and so
 *     does the TAXII media type itself;
 *   - credential_basic hands back 64 lowercase hex digits that are the
 *     text after the first ':' of the base64 it was given, or "".
 */
#include <string.h>

#include "credential.h"
#include "fuzz.h"
#include "taxii.h"

#define SHORT	2048

/* The path res names, rebuilt, into out. */
static void
rebuild(const struct taxii_res *r, char *out, size_t len)
{
	switch (r->what) {
	case TAXII_DISCOVERY:
		snprintf(out, len, "%s", "");
		break;
	case TAXII_API_ROOT:
		snprintf(out, len, "council/");
		break;
	case TAXII_COLLECTIONS:
		snprintf(out, len, "council/collections/");
		break;
	case TAXII_COLLECTION:
		snprintf(out, len, "council/collections/%s/", r->id);
		break;
	case TAXII_OBJECTS:
		snprintf(out, len, "council/collections/%s/objects/", r->id);
		break;
	case TAXII_MANIFEST:
		snprintf(out, len, "council/collections/%s/manifest/", r->id);
		break;
	case TAXII_OBJECT:
		snprintf(out, len, "council/collections/%s/objects/%s/", r->id,
		    r->object);
		break;
	case TAXII_VERSIONS:
		snprintf(out, len, "council/collections/%s/objects/%s/versions/",
		    r->id, r->object);
		break;
	case TAXII_STATUS:
		snprintf(out, len, "council/status/%s/", r->id);
		break;
	default:
		snprintf(out, len, "(none)");
	}
}

static int
is_uuid(const char *s)
{
	size_t	i;

	if (strlen(s) != TAXII_UUID_LEN)
		return 0;
	for (i = 0; i < TAXII_UUID_LEN; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' :
		    strchr("0123456789abcdefABCDEF", s[i]) == NULL || s[i] == 0)
			return 0;
	return 1;
}

static void
check_path(const char *s)
{
	struct taxii_res	r;
	char			again[TAXII_OBJECT_MAX + 128];
	const char		*sep;

	if (taxii_path_parse(s, &r) == -1) {
		FUZZ_CHECK(r.what == TAXII_NONE, "refused, yet %d", r.what);
		return;
	}
	FUZZ_CHECK(r.what != TAXII_NONE, "accepted as nothing: %s", s);
	rebuild(&r, again, sizeof(again));
	FUZZ_CHECK(strcmp(again, s) == 0, "%s names %s", s, again);
	if (r.what >= TAXII_COLLECTION)
		FUZZ_CHECK(is_uuid(r.id), "id %s", r.id);
	if (r.what == TAXII_OBJECT || r.what == TAXII_VERSIONS) {
		FUZZ_CHECK(strlen(r.object) <= TAXII_OBJECT_MAX &&
		    strspn(r.object, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
		    strlen(r.object), "object %s", r.object);
		sep = strstr(r.object, "--");
		FUZZ_CHECK(sep != NULL && sep != r.object && sep[2] != '\0',
		    "object %s", r.object);
	}
}

/* base64 decoding apart from OpenSSL: -1 on a byte outside the alphabet. */
static long
ref_b64(const char *s, size_t n, unsigned char *out)
{
	static const char	a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long		acc = 0;
	size_t			i;
	long			o = 0;
	int			bits = 0;
	const char		*p;

	for (i = 0; i < n && s[i] != '='; i++) {
		if ((p = strchr(a, s[i])) == NULL || s[i] == '\0')
			return -1;
		acc = (acc << 6) | (unsigned long)(p - a);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	return o;
}

static void
check_basic(const char *s)
{
	char		 out[CREDENTIAL_TOKEN_HEX + 1];
	unsigned char	 dec[SHORT];
	const char	*colon;
	long		 n;

	if (credential_basic(s, out) == 0) {
		FUZZ_CHECK(out[0] == '\0', "refused, yet %s", out);
		return;
	}
	FUZZ_CHECK(strlen(out) == CREDENTIAL_TOKEN_HEX &&
	    strspn(out, "0123456789abcdef") == CREDENTIAL_TOKEN_HEX,
	    "token %s", out);
	n = ref_b64(s + 6, strlen(s + 6), dec);
	FUZZ_CHECK(n > CREDENTIAL_TOKEN_HEX, "decoded %ld bytes", n);
	dec[n] = '\0';
	colon = memchr(dec, ':', (size_t)n);
	FUZZ_CHECK(colon != NULL && strcmp(colon + 1, out) == 0,
	    "password is not %s", out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	s[SHORT], acc[SHORT + 8], basic[SHORT + 8];
	size_t	n = strnlen((const char *)data, size);

	if (n >= SHORT)
		n = SHORT - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	check_path(s);
	(void)taxii_accept_ok(s);
	(void)taxii_content_type_ok(s);
	snprintf(acc, sizeof(acc), "*/*,%s", s);
	FUZZ_CHECK(taxii_accept_ok(acc), "refused %s", acc);
	FUZZ_CHECK(taxii_accept_ok(TAXII_MEDIA), "refused the media type");
	snprintf(basic, sizeof(basic), "Basic %s", s);
	check_basic(basic);
	check_basic(s);
	return 0;
}
