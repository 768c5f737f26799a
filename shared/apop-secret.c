/*
 * apop-secret.c - the APOP secret at rest: {PLAIN} or sealed {SECRETBOX}
 * (libsodium secretbox under the site key file), and that key file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apop-secret.h"
#include "crypto-lib.h"
#include "encoding.h"
#include "file-safety.h"
#include "mp-limits.h"
#include "scheme.h"
#include "secret.h"

#define SECRETBOX_PREFIX "{SECRETBOX}"
#define SECRETBOX_PREFIX_LEN (sizeof(SECRETBOX_PREFIX) - 1)

enum mp_result
mp_apop_key_load(const char *path, const char *store_owner,
		 unsigned char key_r[MP_APOP_KEY_BYTES], char *error_r, size_t error_size)
{
	enum mp_result result = MP_UNAVAILABLE;
	char errbuf[128];
	struct stat st;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		snprintf(error_r, error_size, "apop_key %s: cannot open the file: %s", path,
			 strerror_r(errno, errbuf, sizeof(errbuf)));
		return MP_UNAVAILABLE;
	}
	/* The descriptor read is the file judged: nothing can swap it in between. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(error_r, error_size, "apop_key %s: not a regular file", path);
		goto out;
	}
	if (mp_file_safety_check(path, &st, MP_FILE_APOP_KEY, store_owner, NULL, error_r,
				 error_size) == MP_FILE_REFUSE)
		goto out;
	if (st.st_size != MP_APOP_KEY_BYTES) {
		snprintf(error_r, error_size, "apop_key %s: the file is not exactly %u bytes",
			 path, (unsigned int)MP_APOP_KEY_BYTES);
		result = MP_MALFORMED;
		goto out;
	}
	got = read(fd, key_r, MP_APOP_KEY_BYTES);
	if (got != MP_APOP_KEY_BYTES) {
		mp_wipe(key_r, MP_APOP_KEY_BYTES);
		snprintf(error_r, error_size, "apop_key %s: cannot read the file", path);
		goto out;
	}
	result = MP_OK;
out:
	(void)close(fd);
	return result;
}

/* write_key_file - a new key into fd, synced; the key is wiped. */
static bool
write_key_file(const struct mp_sodium *sodium, int fd)
{
	unsigned char key[MP_APOP_KEY_BYTES];
	bool ok;

	sodium->randombytes_buf(key, sizeof(key));
	ok = fchmod(fd, 0600) == 0 && write(fd, key, sizeof(key)) == (ssize_t)sizeof(key) &&
	     fsync(fd) == 0;
	mp_wipe(key, sizeof(key));
	return ok;
}

/* sync_dir_of - fsync the directory that holds path, so that a new name in it lasts. */
static bool
sync_dir_of(const char *path)
{
	char *dir = mp_file_dir_of(path);
	bool ok = false;
	int fd;

	if (dir == NULL)
		return false;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		ok = fsync(fd) == 0;
		(void)close(fd);
	}
	free(dir);
	return ok;
}

/*
 * The key is written whole under a temporary name and then given its own
 * name by link(), which fails when the name exists: path is either missing
 * or a complete key, even after a crash, and never a file someone else put
 * there is removed.  A crash can leave the temporary file (mode 0600).
 */
enum mp_result
mp_apop_key_create(const char *path, const char **reason_r)
{
	const struct mp_sodium *sodium;
	size_t len = strlen(path);
	char *tmp;
	bool ok;
	int fd;

	sodium = mp_sodium_load(reason_r);
	if (sodium == NULL)
		return MP_INTERNAL;
	tmp = malloc(len + sizeof(".XXXXXX"));
	if (tmp == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		*reason_r = "cannot create the key file";
		return MP_UNAVAILABLE;
	}
	ok = write_key_file(sodium, fd);
	ok = close(fd) == 0 && ok;
	if (!ok) {
		*reason_r = "cannot write the key file";
	} else if (link(tmp, path) != 0) {
		*reason_r = errno == EEXIST ? "the key file exists; refusing to overwrite it" :
			"cannot create the key file";
		ok = false;
	} else if (!sync_dir_of(path)) {
		*reason_r = "the key file was written, but its directory cannot be synced";
		ok = false;
	}
	(void)unlink(tmp);
	free(tmp);
	return ok ? MP_OK : MP_UNAVAILABLE;
}

/* field_safe - true when secret can stand in a passwd-file extra field as it is. */
static bool
field_safe(const char *secret, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)secret[i];

		if (c <= 0x20 || c >= 0x7f || c == ':')
			return false;
	}
	return true;
}

static enum mp_result
join(const char *prefix, char *encoded, char **field_r, const char **reason_r)
{
	size_t size;

	*field_r = NULL;
	if (encoded == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	size = strlen(prefix) + strlen(encoded) + 1;
	*field_r = malloc(size);
	if (*field_r != NULL)
		snprintf(*field_r, size, "%s%s", prefix, encoded);
	mp_secret_free_str(&encoded);
	if (*field_r == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	return MP_OK;
}

enum mp_result
mp_apop_secret_seal(const unsigned char *key, const char *secret, size_t secret_len,
		    char **field_r, const char **reason_r)
{
	const struct mp_sodium *sodium;
	unsigned char *box;
	size_t box_len;
	enum mp_result result;

	*field_r = NULL;
	if (secret_len == 0 || secret_len > MP_PASSWORD_MAX ||
	    memchr(secret, '\0', secret_len) != NULL) {
		*reason_r = "APOP secret is empty, too long or contains a NUL byte";
		return MP_MALFORMED;
	}
	if (key == NULL) {
		if (field_safe(secret, secret_len))
			return join("{PLAIN}", mp_secret_dup(secret, secret_len), field_r,
				    reason_r);
		return join("{PLAIN.b64}",
			    mp_encode(MP_ENCODING_BASE64, (const unsigned char *)secret,
				      secret_len),
			    field_r, reason_r);
	}

	/* nonce || secretbox(secret) */
	sodium = mp_sodium_load(reason_r);
	if (sodium == NULL)
		return MP_INTERNAL;
	box_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret_len;
	box = malloc(box_len);
	if (box == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	sodium->randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	sodium->crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
				      (const unsigned char *)secret, secret_len, box, key);
	result = join(SECRETBOX_PREFIX, mp_encode(MP_ENCODING_BASE64, box, box_len),
		      field_r, reason_r);
	mp_secret_free(&box, box_len);
	return result;
}

/* is_sealed - field is a {SECRETBOX} value (scheme names are case-insensitive). */
static bool
is_sealed(const char *field)
{
	return strncasecmp(field, SECRETBOX_PREFIX, SECRETBOX_PREFIX_LEN) == 0;
}

static enum mp_result
secretbox_open(const char *encoded, const unsigned char *key, unsigned char **secret_r,
	       size_t *secret_len_r, const char **reason_r)
{
	const struct mp_sodium *sodium;
	unsigned char *box = NULL, *secret = NULL;
	size_t box_len = 0, secret_len;
	enum mp_result result;

	if (key == NULL) {
		*reason_r = "APOP secret is sealed but no apop_key is configured";
		return MP_UNAVAILABLE;
	}
	sodium = mp_sodium_load(reason_r);
	if (sodium == NULL)
		return MP_INTERNAL;
	result = mp_decode(MP_ENCODING_BASE64, encoded, strlen(encoded), &box, &box_len,
			   reason_r);
	if (result != MP_OK)
		return result;
	if (box_len <= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		*reason_r = "sealed APOP secret is too short";
		result = MP_MALFORMED;
		goto out;
	}
	secret_len = box_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	secret = malloc(secret_len + 1);
	if (secret == NULL) {
		*reason_r = "out of memory";
		result = MP_INTERNAL;
		goto out;
	}
	if (sodium->crypto_secretbox_open_easy(secret, box + crypto_secretbox_NONCEBYTES,
					       box_len - crypto_secretbox_NONCEBYTES, box,
					       key) != 0) {
		*reason_r = "sealed APOP secret does not open with the apop_key (wrong key?)";
		result = MP_MALFORMED;
		mp_secret_free(&secret, secret_len + 1);
		goto out;
	}
	secret[secret_len] = '\0';
	*secret_r = secret;
	*secret_len_r = secret_len;
	result = MP_OK;
out:
	mp_secret_free(&box, box_len + 1);
	return result;
}

/* plain_open - the secret of a {PLAIN} (or {PLAIN.b64}, {PLAIN.hex}) field. */
static enum mp_result
plain_open(const char *field, unsigned char **secret_r, size_t *secret_len_r,
	   const char **reason_r)
{
	struct mp_stored stored;
	enum mp_result result;

	result = mp_stored_parse(field, strlen(field), &stored, reason_r);
	if (result != MP_OK)
		return result;
	if (!stored.scheme->yields_cleartext) {
		mp_stored_clear(&stored);
		*reason_r = "APOP secret must be {PLAIN} or {SECRETBOX}";
		return MP_MALFORMED;
	}
	if (stored.data_len == 0) {
		mp_stored_clear(&stored);
		*reason_r = "APOP secret is empty";
		return MP_MALFORMED;
	}
	/* Hand over the decoded buffer; it is already NUL-terminated. */
	*secret_r = stored.data;
	*secret_len_r = stored.data_len;
	return MP_OK;
}

enum mp_result
mp_apop_secret_open(const char *field, const unsigned char *key, unsigned char **secret_r,
		    size_t *secret_len_r, const char **reason_r)
{
	enum mp_result result;

	*secret_r = NULL;
	*secret_len_r = 0;
	if (is_sealed(field))
		result = secretbox_open(field + SECRETBOX_PREFIX_LEN, key, secret_r,
					secret_len_r, reason_r);
	else
		result = plain_open(field, secret_r, secret_len_r, reason_r);
	if (result != MP_OK)
		return result;
	/*
	 * mp_apop_secret_seal() refuses such a secret, and libsasl2 would cut
	 * it at the NUL: it is refused on every path alike, never cut or used.
	 */
	if (memchr(*secret_r, '\0', *secret_len_r) != NULL)
		*reason_r = "APOP secret contains a NUL byte";
	else if (*secret_len_r > MP_PASSWORD_MAX)
		*reason_r = "APOP secret longer than 1024 bytes";
	else
		return MP_OK;
	mp_secret_free(secret_r, *secret_len_r + 1);
	*secret_len_r = 0;
	return MP_MALFORMED;
}

enum mp_apop_form
mp_apop_secret_form(const char *field, const char **reason_r)
{
	unsigned char *secret = NULL;
	size_t secret_len = 0;

	*reason_r = "";
	if (field == NULL || *field == '\0')
		return MP_APOP_NONE;
	if (is_sealed(field))
		return MP_APOP_SEALED;
	if (mp_apop_secret_open(field, NULL, &secret, &secret_len, reason_r) != MP_OK)
		return MP_APOP_UNUSABLE;
	mp_secret_free(&secret, secret_len + 1);
	return MP_APOP_CLEARTEXT;
}
