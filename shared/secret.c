/* secret.c - constant-time comparison and wiping of secret bytes. */
#include <stdlib.h>
#include <string.h>

#include "crypto-lib.h"
#include "secret.h"

bool
mp_secret_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
	unsigned char ha[crypto_generichash_BYTES];
	unsigned char hb[crypto_generichash_BYTES];
	const struct mp_sodium *sodium;
	const char *reason;
	bool equal;

	sodium = mp_sodium_load(&reason);
	if (sodium == NULL)
		return false;
	/*
	 * Hash both sides to fixed-length digests so that neither the position
	 * of the first difference nor a length difference shows in the timing
	 * of the comparison itself.
	 */
	sodium->crypto_generichash(ha, sizeof(ha), a, a_len, NULL, 0);
	sodium->crypto_generichash(hb, sizeof(hb), b, b_len, NULL, 0);
	equal = sodium->sodium_memcmp(ha, hb, sizeof(ha)) == 0;
	equal = equal && a_len == b_len;
	mp_wipe(ha, sizeof(ha));
	mp_wipe(hb, sizeof(hb));
	return equal;
}

bool
mp_public_length_equal(const void *a, size_t a_len, const void *b, size_t b_len)
{
	const volatile unsigned char *pa = a, *pb = b;
	volatile unsigned char diff = 0;

	if (a_len != b_len)
		return false;
	/*
	 * Every byte is read and folded into diff; volatile keeps the compiler
	 * from turning the loop into one that stops at the first difference.
	 */
	for (size_t i = 0; i < a_len; i++)
		diff |= pa[i] ^ pb[i];
	return diff == 0;
}

void
mp_wipe(void *p, size_t len)
{
	explicit_bzero(p, len);
}

void
mp_secret_free(void *pp, size_t len)
{
	unsigned char **p = pp;

	if (*p == NULL)
		return;
	mp_wipe(*p, len);
	free(*p);
	*p = NULL;
}

void
mp_secret_free_str(char **p)
{
	if (*p == NULL)
		return;
	mp_secret_free(p, strlen(*p));
}

char *
mp_secret_dup(const void *src, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return NULL;
	memcpy(copy, src, len);
	copy[len] = '\0';
	return copy;
}
