/*
 * anchor_test.c: the audit chain's signed checkpoints (server/core/anchor.h,
 * issue 10 item 6).  The line's formatter and its strict parser, the
 * Ed25519 signature over the documented bytes (a known answer from the
 * RFC 8032 test key, made with the openssl command), the key files
 * (mode 0600 or nothing, Ed25519 or nothing, keygen never overwrites) and
 * the checkpoint file reader (forged lines, a seq that goes down, a line
 * cut short, lines appended after opening).  The database side:
 * tests/ops/audit.sh; councild writing checkpoints: tests/ops/anchor.sh.
 */
#include <sys/stat.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anchor.h"

/* RFC 8032 section 7.1, test 1: secret and public key. */
static const char *KAT_SECRET =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char *KAT_LINE =
    "council-audit-checkpoint v1 seq=186 "
    "hash=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff "
    "at=2026-12-05T01:33:33Z "
    "sig=7d2a6e6ac2a6c7016a21bd38ebffaeee750a4776b8c7b0d8232540b16581a5e1"
    "432b3ece2f4f8b16b8cb70045808bfa49274bc26d42ea09ca83a4997c2527400\n";

static void
unhex(const char *s, unsigned char *out, size_t len)
{
	unsigned	v;
	size_t		i;

	for (i = 0; i < len; i++) {
		ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static EVP_PKEY *
kat_key(void)
{
	unsigned char	 secret[32];
	EVP_PKEY	*k;

	unhex(KAT_SECRET, secret, sizeof(secret));
	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret,
	    sizeof(secret));
	ck_assert_ptr_nonnull(k);
	return k;
}

static void
kat_checkpoint(struct anchor_checkpoint *cp)
{
	memset(cp, 0, sizeof(*cp));
	cp->seq = 186;
	unhex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    cp->hash, ANCHOR_HASH_LEN);
	strcpy(cp->at, "2026-12-05T01:33:33Z");
}

static int
parses(const char *line)
{
	struct anchor_checkpoint	cp;

	return anchor_parse(line, strlen(line), &cp) == 0;
}

START_TEST(format_known_answer)
{
	struct anchor_checkpoint	 cp;
	EVP_PKEY			*k = kat_key();
	char				 line[ANCHOR_LINE_MAX + 1];
	int				 n;

	kat_checkpoint(&cp);
	ck_assert_int_eq(anchor_sign(k, &cp), 0);
	n = anchor_format(&cp, line, sizeof(line));
	ck_assert_int_eq(n, (int)strlen(KAT_LINE));
	ck_assert_str_eq(line, KAT_LINE);
	/* The signed bytes are the line before " sig=". */
	n = anchor_message(&cp, line, sizeof(line));
	ck_assert_int_eq(n, (int)(strstr(KAT_LINE, " sig=") - KAT_LINE));
	ck_assert_int_eq(memcmp(line, KAT_LINE, (size_t)n), 0);
	ck_assert_int_eq(anchor_sig_ok(k, &cp), 1);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(format_limits)
{
	struct anchor_checkpoint	cp;
	char				line[ANCHOR_LINE_MAX + 1];

	kat_checkpoint(&cp);
	ck_assert_int_eq(anchor_format(&cp, line, strlen(KAT_LINE)), -1);
	ck_assert_int_eq(anchor_format(&cp, line, strlen(KAT_LINE) + 1),
	    (int)strlen(KAT_LINE));
	cp.seq = -1;
	ck_assert_int_eq(anchor_format(&cp, line, sizeof(line)), -1);
	kat_checkpoint(&cp);
	strcpy(cp.at, "2026-12-05 01:33:33Z");
	ck_assert_int_eq(anchor_format(&cp, line, sizeof(line)), -1);
	strcpy(cp.at, "2026-12-05T01:33:33");
	ck_assert_int_eq(anchor_format(&cp, line, sizeof(line)), -1);
	/* The longest seq still fits a line. */
	kat_checkpoint(&cp);
	cp.seq = 9223372036854775807LL;
	ck_assert_int_gt(anchor_format(&cp, line, sizeof(line)), 0);
	ck_assert_int_eq(parses(line), 1);
}
END_TEST

START_TEST(parse_round_trip)
{
	struct anchor_checkpoint	cp, kat;
	char				line[ANCHOR_LINE_MAX + 1];
	unsigned char			sig[ANCHOR_SIG_LEN];

	kat_checkpoint(&kat);
	ck_assert_int_eq(anchor_parse(KAT_LINE, strlen(KAT_LINE), &cp), 0);
	ck_assert_int_eq(cp.seq, 186);
	ck_assert_int_eq(memcmp(cp.hash, kat.hash, ANCHOR_HASH_LEN), 0);
	ck_assert_str_eq(cp.at, "2026-12-05T01:33:33Z");
	unhex(strstr(KAT_LINE, "sig=") + 4, sig, sizeof(sig));
	ck_assert_int_eq(memcmp(cp.sig, sig, ANCHOR_SIG_LEN), 0);
	ck_assert_int_eq(anchor_format(&cp, line, sizeof(line)),
	    (int)strlen(KAT_LINE));
	ck_assert_str_eq(line, KAT_LINE);
	/* Without its line feed too. */
	ck_assert_int_eq(anchor_parse(KAT_LINE, strlen(KAT_LINE) - 1, &cp), 0);
	ck_assert_int_eq(cp.seq, 186);
}
END_TEST

/* Replace the first occurrence of from in KAT_LINE by to. */
static const char *
kat_with(const char *from, const char *to)
{
	static char	buf[1024];
	const char	*p = strstr(KAT_LINE, from);

	ck_assert_ptr_nonnull(p);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - KAT_LINE), KAT_LINE,
	    to, p + strlen(from));
	return buf;
}

START_TEST(parse_refuses)
{
	char	long_line[ANCHOR_LINE_MAX + 64];
	char	nul[400];
	size_t	n;

	ck_assert_int_eq(parses(kat_with("v1", "v2")), 0);
	ck_assert_int_eq(parses(kat_with("council-", "Council-")), 0);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=+186")), 0);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=-186")), 0);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=0186")), 0);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=")), 0);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=18 6")), 0);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=9223372036854775808")),
	    0);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=10000000000000000000")),
	    0);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=9223372036854775807")),
	    1);
	ck_assert_int_eq(parses(kat_with("seq=186", "seq=0")), 1);
	ck_assert_int_eq(parses(kat_with("hash=0011", "hash=0O11")), 0);
	ck_assert_int_eq(parses(kat_with("aabbcc", "AABBCC")), 0);
	ck_assert_int_eq(parses(kat_with("hash=00", "hash=")), 0);	/* 62 */
	ck_assert_int_eq(parses(kat_with("hash=00", "hash=000")), 0);	/* 65 */
	ck_assert_int_eq(parses(kat_with(" hash=", "  hash=")), 0);
	ck_assert_int_eq(parses(kat_with(" at=", "\tat=")), 0);
	ck_assert_int_eq(parses(kat_with("T01:", " 01:")), 0);
	ck_assert_int_eq(parses(kat_with(":33Z", ":33")), 0);
	ck_assert_int_eq(parses(kat_with("2026", "202X")), 0);
	ck_assert_int_eq(parses(kat_with("sig=7d", "sig=7")), 0);
	ck_assert_int_eq(parses(kat_with("7400\n", "740\n")), 0);
	ck_assert_int_eq(parses(kat_with("7400\n", "740000\n")), 0);
	ck_assert_int_eq(parses(kat_with("7400\n", "7400 \n")), 0);
	ck_assert_int_eq(parses(kat_with("7400\n", "7400\r\n")), 0);
	ck_assert_int_eq(parses(kat_with("7400\n", "7400\n\n")), 0);
	ck_assert_int_eq(parses(kat_with("7400\n", "7400 x=1\n")), 0);
	ck_assert_int_eq(parses(""), 0);
	ck_assert_int_eq(parses("\n"), 0);
	/* A NUL byte inside: the length, not strlen, bounds the line. */
	n = strlen(KAT_LINE);
	memcpy(nul, KAT_LINE, n);
	nul[40] = '\0';
	{
		struct anchor_checkpoint	cp;

		ck_assert_int_eq(anchor_parse(nul, n, &cp), -1);
	}
	/* Longer than ANCHOR_LINE_MAX: refused before anything is read. */
	memset(long_line, '0', sizeof(long_line));
	memcpy(long_line, KAT_LINE, strlen(KAT_LINE) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	ck_assert_int_eq(parses(long_line), 0);
}
END_TEST

START_TEST(signature_covers_every_field)
{
	struct anchor_checkpoint	 cp, t;
	EVP_PKEY			*k = kat_key();
	EVP_PKEY			*other;

	ck_assert_int_eq(anchor_parse(KAT_LINE, strlen(KAT_LINE), &cp), 0);
	ck_assert_int_eq(anchor_sig_ok(k, &cp), 1);
	t = cp;
	t.seq = 187;
	ck_assert_int_eq(anchor_sig_ok(k, &t), 0);
	t = cp;
	t.hash[31] ^= 1;
	ck_assert_int_eq(anchor_sig_ok(k, &t), 0);
	t = cp;
	t.at[18] = '4';
	ck_assert_int_eq(anchor_sig_ok(k, &t), 0);
	t = cp;
	t.sig[0] ^= 0x80;
	ck_assert_int_eq(anchor_sig_ok(k, &t), 0);
	t = cp;
	t.sig[63] ^= 0x01;
	ck_assert_int_eq(anchor_sig_ok(k, &t), 0);
	/* Another key's signature of the same text. */
	other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(anchor_sig_ok(other, &cp), 0);
	t = cp;
	ck_assert_int_eq(anchor_sign(other, &t), 0);
	ck_assert_int_eq(anchor_sig_ok(other, &t), 1);
	ck_assert_int_eq(anchor_sig_ok(k, &t), 0);
	ck_assert_int_eq(anchor_sig_ok(NULL, &cp), 0);
	EVP_PKEY_free(other);
	/* Only Ed25519 signs. */
	other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(anchor_sign(other, &t), -1);
	ck_assert_int_eq(anchor_sig_ok(other, &cp), 0);
	EVP_PKEY_free(other);
	EVP_PKEY_free(k);
}
END_TEST

static char	tmpdir[64];

static void
tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/anchor_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
tmp_teardown(void)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static void
path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const char *data, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(data, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(key_files)
{
	struct anchor_checkpoint	 cp;
	struct stat			 st;
	EVP_PKEY			*priv, *pub, *ec;
	char				 key[128], pubp[128], other[128];
	char				 err[512];
	FILE				*f;

	path_of(key, sizeof(key), "anchor.key");
	path_of(pubp, sizeof(pubp), "anchor.key.pub");
	ck_assert_int_eq(anchor_keygen(key, pubp, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(key, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(pubp, &st), 0);
	/* Never over an existing key. */
	ck_assert_int_eq(anchor_keygen(key, pubp, NULL, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "exists"));

	priv = anchor_load_private(key, err, sizeof(err));
	ck_assert_msg(priv != NULL, "%s", err);
	pub = anchor_load_public(pubp, err, sizeof(err));
	ck_assert_msg(pub != NULL, "%s", err);
	kat_checkpoint(&cp);
	ck_assert_int_eq(anchor_sign(priv, &cp), 0);
	ck_assert_int_eq(anchor_sig_ok(pub, &cp), 1);
	EVP_PKEY_free(pub);

	/* Group or others may read it: refused, the reason named. */
	ck_assert_int_eq(chmod(key, 0640), 0);
	ck_assert_ptr_null(anchor_load_private(key, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "mode 0640"));
	ck_assert_int_eq(chmod(key, 0604), 0);
	ck_assert_ptr_null(anchor_load_private(key, err, sizeof(err)));
	ck_assert_int_eq(chmod(key, 0620), 0);
	ck_assert_ptr_null(anchor_load_private(key, err, sizeof(err)));
	ck_assert_int_eq(chmod(key, 0400), 0);
	pub = anchor_load_private(key, err, sizeof(err));
	ck_assert_msg(pub != NULL, "%s", err);
	EVP_PKEY_free(pub);

	/* A public key needs no secret: the private key file is not one. */
	ck_assert_ptr_null(anchor_load_public(key, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a PEM public key"));
	ck_assert_ptr_null(anchor_load_private(pubp, err, sizeof(err)));
	ck_assert_ptr_null(anchor_load_private(tmpdir, err, sizeof(err)));
	path_of(other, sizeof(other), "missing.key");
	ck_assert_ptr_null(anchor_load_private(other, err, sizeof(err)));

	/* Another kind of key is refused. */
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ck_assert_ptr_nonnull(ec);
	path_of(other, sizeof(other), "ec.key");
	f = fopen(other, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_PrivateKey(f, ec, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	ck_assert_int_eq(chmod(other, 0600), 0);
	ck_assert_ptr_null(anchor_load_private(other, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not an Ed25519 key"));
	EVP_PKEY_free(ec);
	write_file(other, "-----BEGIN PRIVATE KEY-----\nnonsense\n"
	    "-----END PRIVATE KEY-----\n", 0600);
	ck_assert_ptr_null(anchor_load_private(other, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a PEM private key"));
	EVP_PKEY_free(priv);
}
END_TEST

/* A checkpoint line for seq (hash: seq in its last byte), signed by k. */
static void
line_for(EVP_PKEY *k, long long seq, char *out, size_t len)
{
	struct anchor_checkpoint	cp;

	kat_checkpoint(&cp);
	cp.seq = seq;
	memset(cp.hash, 0, ANCHOR_HASH_LEN);
	cp.hash[31] = (unsigned char)seq;
	ck_assert_int_eq(anchor_sign(k, &cp), 0);
	ck_assert_int_gt(anchor_format(&cp, out, len), 0);
}

/* Read all of path; returns the checkpoints read, or -1 with err. */
static long
read_all(const char *path, const char *pubp, char *err, size_t errlen)
{
	struct anchor_file		af;
	struct anchor_checkpoint	cp;
	long				n;
	int				rc;

	ck_assert_int_eq(anchor_file_open(&af, path, pubp, err, errlen), 0);
	while ((rc = anchor_file_next(&af, &cp, err, errlen)) == 1)
		;
	n = rc == -1 ? -1 : af.count;
	anchor_file_close(&af);
	return n;
}

START_TEST(checkpoint_file)
{
	struct anchor_file		 af;
	struct anchor_checkpoint	 cp;
	EVP_PKEY			*k, *other;
	char				 key[128], pubp[128], cpf[128];
	char				 err[512], l1[400], l2[400], l3[400];
	char				 text[2048];
	FILE				*f;

	path_of(key, sizeof(key), "k");
	path_of(pubp, sizeof(pubp), "k.pub");
	path_of(cpf, sizeof(cpf), "checkpoints");
	ck_assert_int_eq(anchor_keygen(key, pubp, NULL, err, sizeof(err)), 0);
	k = anchor_load_private(key, err, sizeof(err));
	ck_assert_ptr_nonnull(k);
	line_for(k, 5, l1, sizeof(l1));
	line_for(k, 9, l2, sizeof(l2));
	line_for(k, 9, l3, sizeof(l3));

	snprintf(text, sizeof(text), "%s%s%s", l1, l2, l3);
	write_file(cpf, text, 0640);
	ck_assert_int_eq(read_all(cpf, pubp, err, sizeof(err)), 3);

	/* A seq that goes down: the log was cut and grew again. */
	snprintf(text, sizeof(text), "%s%s", l2, l1);
	write_file(cpf, text, 0640);
	ck_assert_int_eq(read_all(cpf, pubp, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "line 2 (seq 5") != NULL &&
	    strstr(err, "below line 1 (seq 9") != NULL, "%s", err);

	/* A forged line: one hex digit of the hash changed. */
	snprintf(text, sizeof(text), "%s%s", l1, l2);
	text[strlen(l1) + strlen("council-audit-checkpoint v1 seq=9 hash=")] =
	    '1';
	write_file(cpf, text, 0640);
	ck_assert_int_eq(read_all(cpf, pubp, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "line 2 (seq 9") != NULL &&
	    strstr(err, "bad signature") != NULL, "%s", err);

	/* Signed by another key. */
	other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	ck_assert_ptr_nonnull(other);
	line_for(other, 9, l3, sizeof(l3));
	EVP_PKEY_free(other);
	snprintf(text, sizeof(text), "%s%s", l1, l3);
	write_file(cpf, text, 0640);
	ck_assert_int_eq(read_all(cpf, pubp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "bad signature"));

	/* Cut short, blank, too long. */
	snprintf(text, sizeof(text), "%s%.*s", l1, 50, l2);
	write_file(cpf, text, 0640);
	ck_assert_int_eq(read_all(cpf, pubp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 2: no line feed"));
	snprintf(text, sizeof(text), "%s\n%s", l1, l2);
	write_file(cpf, text, 0640);
	ck_assert_int_eq(read_all(cpf, pubp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 2: not a checkpoint line"));
	memset(text, 'x', 1000);
	text[1000] = '\n';
	text[1001] = '\0';
	write_file(cpf, text, 0640);
	ck_assert_int_eq(read_all(cpf, pubp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 1: longer than"));
	write_file(cpf, "", 0640);
	ck_assert_int_eq(read_all(cpf, pubp, err, sizeof(err)), 0);

	/* Only what the file held when it was opened is read. */
	write_file(cpf, l1, 0640);
	ck_assert_int_eq(anchor_file_open(&af, cpf, pubp, err, sizeof(err)), 0);
	f = fopen(cpf, "a");
	ck_assert_ptr_nonnull(f);
	fputs(l2, f);
	fclose(f);
	ck_assert_int_eq(anchor_file_next(&af, &cp, err, sizeof(err)), 1);
	ck_assert_int_eq(cp.seq, 5);
	ck_assert_int_eq(anchor_file_next(&af, &cp, err, sizeof(err)), 0);
	ck_assert_int_eq(af.count, 1);
	anchor_file_close(&af);
	anchor_file_close(&af);		/* twice is harmless */
	EVP_PKEY_free(k);
}
END_TEST

static Suite *
anchor_suite(void)
{
	Suite	*s = suite_create("anchor");
	TCase	*tc = tcase_create("line");
	TCase	*tf = tcase_create("files");

	tcase_add_test(tc, format_known_answer);
	tcase_add_test(tc, format_limits);
	tcase_add_test(tc, parse_round_trip);
	tcase_add_test(tc, parse_refuses);
	tcase_add_test(tc, signature_covers_every_field);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tf, tmp_setup, tmp_teardown);
	tcase_add_test(tf, key_files);
	tcase_add_test(tf, checkpoint_file);
	suite_add_tcase(s, tf);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(anchor_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
