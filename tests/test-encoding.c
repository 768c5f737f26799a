/* test-encoding.c - the strict base64 and hex decoders. */
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "secret.h"
#include "unit.h"

static void
test_decode(void)
{
	static const struct {
		const char *label;
		enum mp_encoding encoding;
		const char *in;
		enum mp_result want;
		const char *want_out;
	} rows[] = {
		{ "base64", MP_ENCODING_BASE64, "c2VjcmV0", MP_OK, "secret" },
		{ "base64 one pad", MP_ENCODING_BASE64, "c2VjcmU=", MP_OK, "secre" },
		{ "base64 two pads", MP_ENCODING_BASE64, "c2VjcmV0cw==", MP_OK, "secrets" },
		{ "base64 empty", MP_ENCODING_BASE64, "", MP_OK, "" },
		{ "base64 truncated", MP_ENCODING_BASE64, "c2VjcmV", MP_MALFORMED, NULL },
		{ "base64 missing padding", MP_ENCODING_BASE64, "c2VjcmU", MP_MALFORMED, NULL },
		{ "base64 non-canonical bits", MP_ENCODING_BASE64, "QR==", MP_MALFORMED, NULL },
		{ "base64 bad char", MP_ENCODING_BASE64, "c2Vj*mV0", MP_MALFORMED, NULL },
		{ "base64 url alphabet", MP_ENCODING_BASE64, "c2Vj_mV0", MP_MALFORMED, NULL },
		{ "base64 inner padding", MP_ENCODING_BASE64, "c2==cmV0", MP_MALFORMED, NULL },
		{ "base64 space", MP_ENCODING_BASE64, "c2Vj cmV0", MP_MALFORMED, NULL },
		{ "hex lower", MP_ENCODING_HEX, "736563726574", MP_OK, "secret" },
		{ "hex mixed case", MP_ENCODING_HEX, "4A4b", MP_OK, "JK" },
		{ "hex odd", MP_ENCODING_HEX, "73656372657", MP_MALFORMED, NULL },
		{ "hex bad digit", MP_ENCODING_HEX, "7365637265zz", MP_MALFORMED, NULL },
		{ "none", MP_ENCODING_NONE, "as is", MP_OK, "as is" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned char *out = NULL;
		size_t out_len = 99;
		const char *reason = NULL;
		enum mp_result got;

		got = mp_decode(rows[i].encoding, rows[i].in, strlen(rows[i].in), &out,
				&out_len, &reason);
		MP_CHECK_RESULT(rows[i].label, got, rows[i].want);
		if (rows[i].want == MP_OK && got == MP_OK) {
			MP_CHECK_STR(rows[i].label, (const char *)out, rows[i].want_out);
			CU_ASSERT(out_len == strlen(rows[i].want_out));
		} else if (got != MP_OK) {
			CU_ASSERT_PTR_NULL(out);
			CU_ASSERT(out_len == 0);
			CU_ASSERT_PTR_NOT_NULL(reason);
		}
		mp_secret_free(&out, out_len);
	}
}

static void
test_encode_round_trip(void)
{
	static const unsigned char bytes[] = { 0, 1, 2, 0xfe, 0xff, ':', '\n', 'a' };

	for (enum mp_encoding e = MP_ENCODING_BASE64; e <= MP_ENCODING_HEX; e++) {
		char *text = mp_encode(e, bytes, sizeof(bytes));
		unsigned char *back = NULL;
		size_t back_len = 0;
		const char *reason;

		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		MP_CHECK_RESULT("round trip", mp_decode(e, text, strlen(text), &back, &back_len,
							&reason), MP_OK);
		CU_ASSERT(back_len == sizeof(bytes));
		CU_ASSERT(back != NULL && memcmp(back, bytes, sizeof(bytes)) == 0);
		free(text);
		mp_secret_free(&back, back_len);
	}
}

void
mp_test_register_encoding(void)
{
	CU_pSuite suite = CU_add_suite("encoding", NULL, NULL);

	CU_add_test(suite, "strict decoding", test_decode);
	CU_add_test(suite, "encode/decode round trip", test_encode_round_trip);
}
