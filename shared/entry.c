/* entry.c - one passwd-file record: parsing, formatting and field edits. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "mp-limits.h"
#include "secret.h"

/*
 * Every field and every extra-field token is its own NUL-terminated heap
 * string.  field[MP_FIELD_EXTRA] is kept byte for byte as read, so that
 * formatting an untouched record gives back the line it came from; the
 * tokens in extra[] are a split copy for lookups.  An edit of the extra
 * fields rewrites field[MP_FIELD_EXTRA] from the tokens.
 */

/* is_space - white space in the C locale. */
static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * is_byte_order_mark - p[0..len) starts with U+FEFF in UTF-8: what an editor
 * that saves "UTF-8 with BOM" puts before a file's first line.  Invisible,
 * it would make "\xEF\xBB\xBFalice" a second alice.
 */
static bool
is_byte_order_mark(const char *p, size_t len)
{
	return len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0;
}

enum mp_result
mp_user_name_check(const char *name, size_t len, const char **reason_r)
{
	if (name == NULL || len == 0) {
		*reason_r = "user name is empty";
		return MP_MALFORMED;
	}
	if (len > MP_USER_MAX) {
		*reason_r = "user name is longer than 255 bytes";
		return MP_MALFORMED;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '\0') {
			*reason_r = "user name contains a NUL byte";
			return MP_MALFORMED;
		}
		if (c == ':') {
			*reason_r = "user name contains ':'";
			return MP_MALFORMED;
		}
		if (is_space(c)) {
			*reason_r = "user name contains white space";
			return MP_MALFORMED;
		}
		if (is_control(c)) {
			*reason_r = "user name contains a control character";
			return MP_MALFORMED;
		}
		if (is_byte_order_mark(name + i, len - i)) {
			*reason_r = "user name contains a UTF-8 byte order mark (U+FEFF)";
			return MP_MALFORMED;
		}
	}
	return MP_OK;
}

/* free_tokens - wipe and free the split extra fields. */
static void
free_tokens(struct mp_entry *entry)
{
	for (unsigned int i = 0; i < entry->extra_count; i++)
		mp_secret_free_str(&entry->extra[i]);
	free(entry->extra);
	entry->extra = NULL;
	entry->extra_count = 0;
}

/*
 * split_extra - fill extra[] from field[MP_FIELD_EXTRA]: tokens separated by
 * one or more spaces.  Returns false when out of memory (extra[] is empty then).
 */
static bool
split_extra(struct mp_entry *entry)
{
	const char *p = entry->field[MP_FIELD_EXTRA];
	unsigned int count = 0;
	char **tokens;

	free_tokens(entry);
	if (p == NULL)
		return true;
	for (const char *q = p; *q != '\0'; q++) {
		if (*q != ' ' && (q == p || q[-1] == ' '))
			count++;
	}
	if (count == 0)
		return true;
	tokens = calloc(count, sizeof(*tokens));
	if (tokens == NULL)
		return false;
	entry->extra = tokens;
	while (*p != '\0') {
		size_t len;

		if (*p == ' ') {
			p++;
			continue;
		}
		len = strcspn(p, " ");
		tokens[entry->extra_count] = mp_secret_dup(p, len);
		if (tokens[entry->extra_count] == NULL) {
			free_tokens(entry);
			return false;
		}
		entry->extra_count++;
		p += len;
	}
	return true;
}

void
mp_entry_free(struct mp_entry **entry)
{
	struct mp_entry *e = *entry;

	if (e == NULL)
		return;
	for (unsigned int i = 0; i < MP_ENTRY_FIELDS; i++)
		mp_secret_free_str(&e->field[i]);
	free_tokens(e);
	mp_wipe(e, sizeof(*e));
	free(e);
	*entry = NULL;
}

enum mp_result
mp_entry_parse(const char *line, size_t len, struct mp_entry **entry_r,
	       const char **reason_r)
{
	struct mp_entry *entry = NULL;
	const char *p, *end, *colon;
	enum mp_result result;

	*entry_r = NULL;
	if (len > MP_LINE_MAX) {
		*reason_r = "line is longer than 8192 bytes";
		return MP_MALFORMED;
	}
	if (memchr(line, '\0', len) != NULL) {
		*reason_r = "line contains a NUL byte";
		return MP_MALFORMED;
	}
	if (memchr(line, '\n', len) != NULL) {
		*reason_r = "line contains a line feed";
		return MP_MALFORMED;
	}
	if (memchr(line, '\r', len) != NULL) {
		*reason_r = "line contains a carriage return (CRLF line ending?)";
		return MP_MALFORMED;
	}
	colon = memchr(line, ':', len);
	if (colon == NULL) {
		*reason_r = "line has no ':' after the user name";
		return MP_MALFORMED;
	}
	result = mp_user_name_check(line, (size_t)(colon - line), reason_r);
	if (result != MP_OK)
		return result;

	result = MP_INTERNAL;
	entry = calloc(1, sizeof(*entry));
	if (entry == NULL)
		goto done;
	/* The first seven fields end at a ':'; the eighth is the rest of the line. */
	p = line;
	end = line + len;
	for (unsigned int i = 0; i < MP_ENTRY_FIELDS; i++) {
		size_t field_len = (size_t)(end - p);

		if (i != MP_FIELD_EXTRA && (colon = memchr(p, ':', field_len)) != NULL)
			field_len = (size_t)(colon - p);
		entry->field[i] = mp_secret_dup(p, field_len);
		if (entry->field[i] == NULL)
			goto done;
		entry->field_count++;
		p += field_len;
		if (p == end)
			break;
		p++;	/* the ':' */
	}
	if (!split_extra(entry))
		goto done;
	*entry_r = entry;
	entry = NULL;
	result = MP_OK;
done:
	if (result != MP_OK)
		*reason_r = "out of memory";
	mp_entry_free(&entry);
	return result;
}

/* password_check - a value the password field can hold without breaking the line. */
static enum mp_result
password_check(const char *value, const char **reason_r)
{
	if (value == NULL) {
		*reason_r = "password field is missing";
		return MP_MALFORMED;
	}
	if (strchr(value, ':') != NULL) {
		*reason_r = "password field contains ':'";
		return MP_MALFORMED;
	}
	if (strpbrk(value, "\r\n") != NULL) {
		*reason_r = "password field contains a line break";
		return MP_MALFORMED;
	}
	return MP_OK;
}

enum mp_result
mp_entry_new(const char *user, const char *password, struct mp_entry **entry_r,
	     const char **reason_r)
{
	struct mp_entry *entry;

	*entry_r = NULL;
	if (user == NULL) {
		*reason_r = "user name is empty";
		return MP_MALFORMED;
	}
	if (mp_user_name_check(user, strlen(user), reason_r) != MP_OK ||
	    password_check(password, reason_r) != MP_OK)
		return MP_MALFORMED;
	entry = calloc(1, sizeof(*entry));
	if (entry == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	entry->field[MP_FIELD_USER] = strdup(user);
	entry->field[MP_FIELD_PASSWORD] = mp_secret_dup(password, strlen(password));
	entry->field_count = 2;
	if (entry->field[MP_FIELD_USER] == NULL || entry->field[MP_FIELD_PASSWORD] == NULL) {
		mp_entry_free(&entry);
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	*entry_r = entry;
	return MP_OK;
}

char *
mp_entry_format(const struct mp_entry *entry)
{
	size_t len = 0, off = 0;
	char *line;

	for (unsigned int i = 0; i < entry->field_count; i++)
		len += strlen(entry->field[i]) + 1;
	line = malloc(len > 0 ? len : 1);
	if (line == NULL)
		return NULL;
	for (unsigned int i = 0; i < entry->field_count; i++) {
		size_t field_len = strlen(entry->field[i]);

		if (i > 0)
			line[off++] = ':';
		memcpy(line + off, entry->field[i], field_len);
		off += field_len;
	}
	line[off] = '\0';
	return line;
}

struct mp_entry *
mp_entry_dup(const struct mp_entry *entry)
{
	struct mp_entry *copy;

	copy = calloc(1, sizeof(*copy));
	if (copy == NULL)
		return NULL;
	for (unsigned int i = 0; i < entry->field_count; i++) {
		copy->field[i] = mp_secret_dup(entry->field[i], strlen(entry->field[i]));
		if (copy->field[i] == NULL)
			goto fail;
		copy->field_count++;
	}
	if (entry->extra_count > 0) {
		copy->extra = calloc(entry->extra_count, sizeof(*copy->extra));
		if (copy->extra == NULL)
			goto fail;
		for (unsigned int i = 0; i < entry->extra_count; i++) {
			copy->extra[i] = mp_secret_dup(entry->extra[i], strlen(entry->extra[i]));
			if (copy->extra[i] == NULL)
				goto fail;
			copy->extra_count++;
		}
	}
	return copy;
fail:
	mp_entry_free(&copy);
	return NULL;
}

const char *
mp_entry_user(const struct mp_entry *entry)
{
	return entry->field[MP_FIELD_USER];
}

const char *
mp_entry_password(const struct mp_entry *entry)
{
	return entry->field[MP_FIELD_PASSWORD];
}

enum mp_result
mp_entry_set_password(struct mp_entry *entry, const char *value, const char **reason_r)
{
	char *copy;

	if (password_check(value, reason_r) != MP_OK)
		return MP_MALFORMED;
	copy = mp_secret_dup(value, strlen(value));
	if (copy == NULL) {
		*reason_r = "out of memory";
		return MP_INTERNAL;
	}
	mp_secret_free_str(&entry->field[MP_FIELD_PASSWORD]);
	entry->field[MP_FIELD_PASSWORD] = copy;
	return MP_OK;
}

/* token_key_len - the length of the key part of an extra-field token. */
static size_t
token_key_len(const char *token)
{
	return strcspn(token, "=");
}

/* find_token - index of the first token with this key, or extra_count. */
static unsigned int
find_token(const struct mp_entry *entry, const char *key, unsigned int from)
{
	size_t key_len = strlen(key);

	for (unsigned int i = from; i < entry->extra_count; i++) {
		if (token_key_len(entry->extra[i]) == key_len &&
		    memcmp(entry->extra[i], key, key_len) == 0)
			return i;
	}
	return entry->extra_count;
}

const char *
mp_entry_extra(const struct mp_entry *entry, const char *key)
{
	unsigned int i = find_token(entry, key, 0);
	const char *token;

	if (i == entry->extra_count)
		return NULL;
	token = entry->extra[i];
	return token[token_key_len(token)] == '=' ? token + token_key_len(token) + 1 : "";
}

/* extra_text_check - what may appear in an extra-field key or value. */
static enum mp_result
extra_text_check(const char *text, const char *what_space, const char *what_colon,
		 const char *what_control, const char **reason_r)
{
	for (const char *p = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (is_space(c)) {
			*reason_r = what_space;
			return MP_MALFORMED;
		}
		if (c == ':') {
			*reason_r = what_colon;
			return MP_MALFORMED;
		}
		if (is_control(c)) {
			*reason_r = what_control;
			return MP_MALFORMED;
		}
	}
	return MP_OK;
}

/*
 * rebuild_extra - write the tokens back into field[MP_FIELD_EXTRA], padding a
 * shorter record with empty fields so that the extra field is the eighth.
 */
static enum mp_result
rebuild_extra(struct mp_entry *entry, const char **reason_r)
{
	size_t len = 0, off = 0;
	char *text;

	for (unsigned int i = 0; i < entry->extra_count; i++)
		len += strlen(entry->extra[i]) + 1;
	text = malloc(len + 1);
	if (text == NULL)
		goto nomem;
	for (unsigned int i = 0; i < entry->extra_count; i++) {
		size_t token_len = strlen(entry->extra[i]);

		if (i > 0)
			text[off++] = ' ';
		memcpy(text + off, entry->extra[i], token_len);
		off += token_len;
	}
	text[off] = '\0';
	for (unsigned int i = entry->field_count; i < MP_FIELD_EXTRA; i++) {
		entry->field[i] = strdup("");
		if (entry->field[i] == NULL) {
			mp_secret_free(&text, len + 1);
			goto nomem;
		}
		entry->field_count = i + 1;
	}
	mp_secret_free_str(&entry->field[MP_FIELD_EXTRA]);
	entry->field[MP_FIELD_EXTRA] = text;
	entry->field_count = MP_ENTRY_FIELDS;
	return MP_OK;
nomem:
	*reason_r = "out of memory";
	return MP_INTERNAL;
}

/* remove_token - drop token i, keeping the order of the others. */
static void
remove_token(struct mp_entry *entry, unsigned int i)
{
	mp_secret_free_str(&entry->extra[i]);
	memmove(&entry->extra[i], &entry->extra[i + 1],
		(entry->extra_count - i - 1) * sizeof(*entry->extra));
	entry->extra_count--;
}

enum mp_result
mp_entry_set_extra(struct mp_entry *entry, const char *key, const char *value,
		   const char **reason_r)
{
	unsigned int i;
	char *token = NULL;
	size_t key_len;

	if (key == NULL || *key == '\0') {
		*reason_r = "extra field key is empty";
		return MP_MALFORMED;
	}
	if (strchr(key, '=') != NULL) {
		*reason_r = "extra field key contains '='";
		return MP_MALFORMED;
	}
	if (extra_text_check(key, "extra field key contains white space",
			     "extra field key contains ':'",
			     "extra field key contains a control character", reason_r) != MP_OK)
		return MP_MALFORMED;
	if (value != NULL &&
	    extra_text_check(value, "extra field value contains white space",
			     "extra field value contains ':'",
			     "extra field value contains a control character", reason_r) != MP_OK)
		return MP_MALFORMED;

	i = find_token(entry, key, 0);
	if (value == NULL) {
		if (i == entry->extra_count)
			return MP_OK;	/* nothing to remove: the record stays as it is */
		while (i < entry->extra_count) {
			remove_token(entry, i);
			i = find_token(entry, key, i);
		}
		return rebuild_extra(entry, reason_r);
	}

	/* An empty value is written as a bare key, the way "nologin" is. */
	key_len = strlen(key);
	token = malloc(key_len + strlen(value) + 2);
	if (token == NULL)
		goto nomem;
	memcpy(token, key, key_len + 1);
	if (*value != '\0') {
		token[key_len] = '=';
		memcpy(token + key_len + 1, value, strlen(value) + 1);
	}
	if (i < entry->extra_count) {
		unsigned int next;

		mp_secret_free_str(&entry->extra[i]);
		entry->extra[i] = token;
		/* Later duplicates of the key would shadow nothing but confuse readers. */
		while ((next = find_token(entry, key, i + 1)) < entry->extra_count)
			remove_token(entry, next);
	} else {
		char **bigger;

		if (entry->extra_count == UINT_MAX)
			goto nomem;
		bigger = realloc(entry->extra, (entry->extra_count + 1) * sizeof(*bigger));
		if (bigger == NULL)
			goto nomem;
		entry->extra = bigger;
		entry->extra[entry->extra_count++] = token;
	}
	return rebuild_extra(entry, reason_r);
nomem:
	mp_secret_free_str(&token);
	*reason_r = "out of memory";
	return MP_INTERNAL;
}

bool
mp_entry_is_locked(const struct mp_entry *entry)
{
	const char *password = mp_entry_password(entry);

	return password != NULL && (password[0] == '!' || password[0] == '*');
}

bool
mp_entry_is_disabled(const struct mp_entry *entry)
{
	return mp_entry_is_locked(entry) || mp_entry_extra(entry, "nologin") != NULL;
}
