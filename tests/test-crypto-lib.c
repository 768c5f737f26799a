/*
 * test-crypto-lib.c - libsodium and Nettle through the loader's tables: every
 * symbol resolves, the tables are the same on every call, and the functions
 * and hash descriptions they hold compute what the libraries compute.  A
 * load that fails is tested in tests/lazy-load-test.c, in fresh processes.
 */
#include <string.h>

#include "crypto-lib.h"
#include "unit.h"

/* CHECK_MEMBER - assert that a table member was resolved, naming it when not. */
#define CHECK_MEMBER(name)							\
	if (table->name == NULL)						\
		fprintf(stderr, "\n  %s: not resolved\n", #name);		\
	CU_ASSERT(table->name != NULL);

static void
check_sodium_members(const struct mp_sodium *table)
{
	MP_SODIUM_SYMBOLS(CHECK_MEMBER)
}

static void
check_nettle_members(const struct mp_nettle *table)
{
	MP_NETTLE_SYMBOLS(CHECK_MEMBER)
}

static void
test_sodium_table(void)
{
	const char *reason = "untouched";
	const struct mp_sodium *sodium = mp_sodium_load(&reason), *again;

	if (sodium == NULL)
		fprintf(stderr, "\n  mp_sodium_load: %s\n", reason);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sodium);
	MP_CHECK_STR("a successful load leaves the reason alone", reason, "untouched");
	check_sodium_members(sodium);
	again = mp_sodium_load(&reason);
	CU_ASSERT_PTR_EQUAL(again, sodium);
}

static void
test_nettle_table(void)
{
	const char *reason = "untouched";
	const struct mp_nettle *nettle = mp_nettle_load(&reason), *again;

	if (nettle == NULL)
		fprintf(stderr, "\n  mp_nettle_load: %s\n", reason);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nettle);
	MP_CHECK_STR("a successful load leaves the reason alone", reason, "untouched");
	check_nettle_members(nettle);
	again = mp_nettle_load(&reason);
	CU_ASSERT_PTR_EQUAL(again, nettle);
}

/* The tables compute: RFC 1321's and FIPS 180's "abc" vectors, hex by libsodium. */
static void
test_known_answers(void)
{
	static const struct {
		const char *label, *want;
	} rows[] = {
		{ "md4", "a448017aaf21d8525fc10ae87aa6729d" },
		{ "md5", "900150983cd24fb0d6963f7d28e17f72" },
		{ "sha1", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "sha512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
			    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	};
	const char *reason = "";
	const struct mp_sodium *sodium = mp_sodium_load(&reason);
	const struct mp_nettle *nettle = mp_nettle_load(&reason);
	const struct nettle_hash *hashes[5];
	union {
		struct md4_ctx md4;
		struct md5_ctx md5;
		struct sha1_ctx sha1;
		struct sha256_ctx sha256;
		struct sha512_ctx sha512;
	} ctx;
	uint8_t digest[SHA512_DIGEST_SIZE];
	char hex[2 * SHA512_DIGEST_SIZE + 1];

	CU_ASSERT_PTR_NOT_NULL_FATAL(sodium);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nettle);
	hashes[0] = nettle->nettle_md4;
	hashes[1] = nettle->nettle_md5;
	hashes[2] = nettle->nettle_sha1;
	hashes[3] = nettle->nettle_sha256;
	hashes[4] = nettle->nettle_sha512;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct nettle_hash *hash = hashes[i];

		/* A data object, not a function: its name is the hash's own. */
		MP_CHECK_STR(rows[i].label, hash->name, rows[i].label);
		hash->init(&ctx);
		hash->update(&ctx, 3, (const uint8_t *)"abc");
		hash->digest(&ctx, hash->digest_size, digest);
		sodium->sodium_bin2hex(hex, sizeof(hex), digest, hash->digest_size);
		MP_CHECK_STR(rows[i].label, hex, rows[i].want);
	}
	/* The functions called by name: MD5 again, through nettle_md5_*. */
	nettle->nettle_md5_init(&ctx.md5);
	nettle->nettle_md5_update(&ctx.md5, 3, (const uint8_t *)"abc");
	nettle->nettle_md5_digest(&ctx.md5, MD5_DIGEST_SIZE, digest);
	sodium->sodium_bin2hex(hex, sizeof(hex), digest, MD5_DIGEST_SIZE);
	MP_CHECK_STR("nettle_md5_*", hex, rows[1].want);
}

void
mp_test_register_crypto_lib(void)
{
	CU_pSuite suite = CU_add_suite("crypto-lib", NULL, NULL);

	CU_add_test(suite, "libsodium's table", test_sodium_table);
	CU_add_test(suite, "Nettle's table", test_nettle_table);
	CU_add_test(suite, "the tables compute", test_known_answers);
}
