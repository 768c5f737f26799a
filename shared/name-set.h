#ifndef MP_NAME_SET_H
#define MP_NAME_SET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A set of byte strings, to tell whether a name was seen before: the user
 * names of a whole store, say.  The set keeps pointers to the names, not
 * copies: they must stay in place until the set is freed.  Names are not
 * secret.  It never grows: it is made for at most the number of names given
 * to mp_name_set_new().
 */
struct mp_name_set;

/* mp_name_set_new - an empty set for up to max_names names; NULL when out of memory. */
struct mp_name_set *mp_name_set_new(size_t max_names);

/*
 * mp_name_set_add - add name[0..len) to the set.  Returns 1 when it was not
 * in the set, 0 when it was already, -1 when the set is full (more names
 * than it was made for).
 */
int mp_name_set_add(struct mp_name_set *set, const char *name, size_t len);

/* mp_name_set_free - free *set and set it to NULL; NULL is fine. */
void mp_name_set_free(struct mp_name_set **set);

#endif
