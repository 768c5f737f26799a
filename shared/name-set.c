/* name-set.c - an open-addressing hash set of names that point into the caller's data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "name-set.h"

struct slot {
	const char *name;	/* NULL: empty */
	size_t len;
};

struct mp_name_set {
	struct slot *slots;
	size_t mask;		/* number of slots - 1, a power of two minus one */
	size_t count, max;
};

/* hash - 64-bit FNV-1a: short names, no adversary (names come from the admin's store). */
static uint64_t
hash(const char *name, size_t len)
{
	uint64_t h = 14695981039346656037u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211u;
	}
	return h;
}

struct mp_name_set *
mp_name_set_new(size_t max_names)
{
	struct mp_name_set *set;
	size_t slots = 16;

	/* At most half full, so that probes stay short. */
	while (slots / 2 < max_names) {
		if (slots > SIZE_MAX / 2 / sizeof(struct slot))
			return NULL;
		slots *= 2;
	}
	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return NULL;
	set->slots = calloc(slots, sizeof(*set->slots));
	if (set->slots == NULL) {
		free(set);
		return NULL;
	}
	set->mask = slots - 1;
	set->max = max_names;
	return set;
}

int
mp_name_set_add(struct mp_name_set *set, const char *name, size_t len)
{
	size_t i = (size_t)hash(name, len) & set->mask;

	for (;;) {
		struct slot *slot = &set->slots[i];

		if (slot->name == NULL)
			break;
		if (slot->len == len && memcmp(slot->name, name, len) == 0)
			return 0;
		i = (i + 1) & set->mask;
	}
	if (set->count == set->max)
		return -1;
	set->slots[i].name = name;
	set->slots[i].len = len;
	set->count++;
	return 1;
}

void
mp_name_set_free(struct mp_name_set **set)
{
	if (*set == NULL)
		return;
	free((*set)->slots);
	free(*set);
	*set = NULL;
}
