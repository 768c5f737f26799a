/* test-apop.c - the RFC 1939 APOP digest. */
#include <string.h>

#include "apop.h"
#include "unit.h"

#define RFC_TIMESTAMP "<1896.697170952@dbc.mtview.ca.us>"
#define RFC_SECRET "tanstaaf"
#define RFC_DIGEST "c4c9334bac560ecc979e58001b3e22fb"

static void
test_apop_known_answer(void)
{
	char digest[MP_APOP_DIGEST_HEX_LEN + 1];

	mp_apop_digest(RFC_TIMESTAMP, strlen(RFC_TIMESTAMP), (const unsigned char *)RFC_SECRET,
		       strlen(RFC_SECRET), digest);
	MP_CHECK_STR("RFC 1939 vector", digest, RFC_DIGEST);
}

static void
test_apop_check_table(void)
{
	static const struct {
		const char *label, *timestamp, *digest, *secret;
		enum mp_result want;
	} rows[] = {
		{ "RFC 1939 vector", RFC_TIMESTAMP, RFC_DIGEST, RFC_SECRET, MP_OK },
		{ "upper-case digest", RFC_TIMESTAMP, "C4C9334BAC560ECC979E58001B3E22FB", RFC_SECRET, MP_OK },
		{ "wrong secret", RFC_TIMESTAMP, RFC_DIGEST, "tanstaafl", MP_MISMATCH },
		{ "other timestamp", "<1897.697170952@dbc.mtview.ca.us>", RFC_DIGEST, RFC_SECRET, MP_MISMATCH },
		{ "last digit wrong", RFC_TIMESTAMP, "c4c9334bac560ecc979e58001b3e22fc", RFC_SECRET, MP_MISMATCH },
		{ "31 digits", RFC_TIMESTAMP, "c4c9334bac560ecc979e58001b3e22f", RFC_SECRET, MP_MALFORMED },
		{ "33 digits", RFC_TIMESTAMP, "c4c9334bac560ecc979e58001b3e22fb0", RFC_SECRET, MP_MALFORMED },
		{ "non-hex digit", RFC_TIMESTAMP, "g4c9334bac560ecc979e58001b3e22fb", RFC_SECRET, MP_MALFORMED },
		{ "empty digest", RFC_TIMESTAMP, "", RFC_SECRET, MP_MALFORMED },
		{ "spaces in digest", RFC_TIMESTAMP, "c4c9334bac560ecc 979e58001b3e22f", RFC_SECRET, MP_MALFORMED },
		{ "timestamp without brackets", "1896.697170952@dbc.mtview.ca.us", RFC_DIGEST, RFC_SECRET, MP_MALFORMED },
		{ "empty timestamp", "", RFC_DIGEST, RFC_SECRET, MP_MALFORMED },
		{ "timestamp with CRLF", "<1896.697170952@dbc.mtview.ca.us>\r\n", RFC_DIGEST, RFC_SECRET, MP_MALFORMED },
		{ "timestamp with inner LF", "<1896.6971\n70952@dbc.mtview.ca.us>", RFC_DIGEST, RFC_SECRET, MP_MALFORMED },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *reason = NULL;
		enum mp_result got;

		got = mp_apop_check(rows[i].timestamp, strlen(rows[i].timestamp), rows[i].digest,
				    strlen(rows[i].digest), (const unsigned char *)rows[i].secret,
				    strlen(rows[i].secret), &reason);
		MP_CHECK_RESULT(rows[i].label, got, rows[i].want);
		if (got != MP_OK)
			CU_ASSERT_PTR_NOT_NULL(reason);
	}
}

static void
test_apop_timestamp_limit(void)
{
	char timestamp[MP_APOP_DIGEST_HEX_LEN + 2000];
	const char *reason;

	memset(timestamp, 'x', sizeof(timestamp));
	timestamp[0] = '<';
	timestamp[sizeof(timestamp) - 1] = '>';
	MP_CHECK_RESULT("overlong timestamp",
			mp_apop_check(timestamp, sizeof(timestamp), RFC_DIGEST,
				      strlen(RFC_DIGEST), (const unsigned char *)"x", 1, &reason),
			MP_MALFORMED);
}

void
mp_test_register_apop(void)
{
	CU_pSuite suite = CU_add_suite("apop", NULL, NULL);

	CU_add_test(suite, "RFC 1939 known answer", test_apop_known_answer);
	CU_add_test(suite, "digest check table", test_apop_check_table);
	CU_add_test(suite, "timestamp limit", test_apop_timestamp_limit);
}
